import type { GraphBuilder } from "../ir/builder.js";
import type { Node } from "../ir/graph.js";
import type { UnaryOp } from "../ir/op.js";
import { broadcastShapes, formatShape, numel } from "../ir/shape.js";
import type { Attributes } from "./attrs.js";
import { axesOf, broadcastTo, intList, transposeHost } from "./fold.js";
import type { HostTensor } from "./tensor.js";
import { hostTensor } from "./tensor.js";
import {
  flattenShape,
  onnxAxis,
  rangeLength,
  reshapeTarget,
  sliceRanges,
  squeezeShape,
  unsqueezeShape,
} from "./shapes.js";

/*
 * Lowering: each supported ONNX op on activations becomes IR ops through the GraphBuilder
 * (one table entry per op type, like the IR's own rule table). Constants reaching an op become
 * parameters. Messages are RangeErrors; the importer adds the node's name and op type.
 */

/** A value of the ONNX graph while importing: a host constant or an IR node. */
export type Value =
  | { readonly kind: "const"; readonly tensor: HostTensor }
  | { readonly kind: "node"; readonly node: Node };

/** What a lowering gets. */
export interface LowerArgs {
  readonly g: GraphBuilder;
  readonly attrs: Attributes;
  readonly opset: number;
  /** How many outputs the ONNX node has. */
  readonly outputCount: number;
  /** The node's inputs; undefined where an optional input is omitted. */
  readonly inputs: readonly (Value | undefined)[];
  /** A unique IR name for the node's result, or for a helper node with `suffix`. */
  name(suffix?: string): string;
  /** Input `k` as an IR node (a constant becomes a parameter). */
  node(k: number): Node;
  /** Input `k` as a constant, undefined when omitted; a computed input is an error. */
  constant(k: number): HostTensor | undefined;
  /** A parameter holding `t`. */
  param(t: HostTensor, suffix: string): Node;
}

/** Lowers one ONNX node; returns the IR node of each output it supports, in order. */
export type Lowering = (args: LowerArgs) => Node[];

function required(args: LowerArgs, k: number, what: string): HostTensor {
  const t = args.constant(k);
  if (t === undefined) throw new RangeError(`${what} (input ${k}) is required`);
  return t;
}

type ConstValue = Extract<Value, { kind: "const" }>;

function isScalar(v: Value | undefined): v is ConstValue {
  return v?.kind === "const" && numel(v.tensor.shape) === 1 && v.tensor.kind === "float";
}

const unary =
  (op: UnaryOp): Lowering =>
  (a) => [a.g.op(op, [a.node(0)], {}, a.name())];

function binary(op: "add" | "sub" | "mul" | "div" | "pow"): Lowering {
  return (a) => {
    // x · c for a scalar constant c is the IR's scale: no parameter, same result bit for bit.
    const k = op === "mul" ? [0, 1].find((i) => isScalar(a.inputs[i])) : undefined;
    if (k !== undefined) {
      const c = (a.inputs[k] as ConstValue).tensor;
      const x = a.node(1 - k);
      if (c.shape.length <= x.shape.length) {
        return [a.g.op("scale", [x], { factor: c.data[0]! }, a.name())];
      }
    }
    return [a.g.op(op, [a.node(0), a.node(1)], {}, a.name())];
  };
}

/** x[..., k] · w[k, n] (+ b[n]) as the IR's linear when w is a constant matrix. */
export function linearOrMatmul(a: LowerArgs, bias?: Node): Node {
  const w = a.inputs[1];
  if (w?.kind === "const" && w.tensor.shape.length === 2 && a.node(0).shape.length >= 2) {
    const inputs = [a.node(0), a.node(1)];
    return a.g.op("linear", bias === undefined ? inputs : [...inputs, bias], {}, a.name());
  }
  const mm = a.g.op(
    "matmul",
    [a.node(0), a.node(1)],
    {},
    a.name(bias === undefined ? "" : "matmul"),
  );
  return bias === undefined ? mm : a.g.op("add", [mm, bias], {}, a.name());
}

function gemm(a: LowerArgs): Node[] {
  const alpha = a.attrs.float("alpha", 1);
  const beta = a.attrs.float("beta", 1);
  let x = a.node(0);
  if (a.attrs.int("transA", 0) === 1) x = a.g.op("permute", [x], { perm: [1, 0] }, a.name("a_t"));
  const transB = a.attrs.int("transB", 0) === 1;
  const b = a.inputs[1];
  let w: Node;
  if (b?.kind === "const") {
    // Weights stored [out, in] (nn.Linear) are turned once into the IR's [in, out].
    const t = transB ? transposeHost(b.tensor, [1, 0]) : b.tensor;
    w = a.param(alpha === 1 ? t : scaled(t, alpha), "weight");
  } else {
    w = transB ? a.g.op("permute", [a.node(1)], { perm: [1, 0] }, a.name("b_t")) : a.node(1);
    if (alpha !== 1) x = a.g.op("scale", [x], { factor: alpha }, a.name("alpha"));
  }
  const c = a.inputs[2];
  const n = w.shape[1]!;
  if (c === undefined || beta === 0) return [a.g.op("linear", [x, w], {}, a.name())];
  if (c.kind === "const" && numel(c.tensor.shape) === n && c.tensor.shape.at(-1) === n) {
    const bias = a.param(scaledTo(c.tensor, [n], beta), "bias");
    return [a.g.op("linear", [x, w, bias], {}, a.name())];
  }
  const y = a.g.op("linear", [x, w], {}, a.name("linear"));
  const term =
    beta === 1 ? a.node(2) : a.g.op("scale", [a.node(2)], { factor: beta }, a.name("beta"));
  return [a.g.op("add", [y, term], {}, a.name())];
}

function scaled(t: HostTensor, factor: number): HostTensor {
  return hostTensor(
    t.kind,
    t.shape,
    Array.from(t.data, (v) => v * factor),
  );
}

function scaledTo(t: HostTensor, shape: readonly number[], factor: number): HostTensor {
  return hostTensor(
    t.kind,
    shape,
    Array.from(t.data, (v) => v * factor),
  );
}

function reshaped(a: LowerArgs, shape: readonly number[]): Node[] {
  return [a.g.op("reshape", [a.node(0)], { shape }, a.name())];
}

function layerNorm(a: LowerArgs): Node[] {
  const x = a.node(0);
  const axis = onnxAxis(a.attrs.int("axis", -1), x.shape.length);
  const affine = [1, 2].filter((k) => a.inputs[k] !== undefined).map((k) => a.node(k));
  const normalized = x.shape.slice(axis);
  for (const p of affine) {
    if (p.shape.join() !== normalized.join()) {
      throw new RangeError(
        `scale and bias must have the normalised shape ${formatShape(normalized)}, got ` +
          `${formatShape(p.shape)} (broadcast affine parameters are not supported)`,
      );
    }
  }
  return [
    a.g.op(
      "layer_norm",
      [x, ...affine],
      { axes: x.shape.length - axis, eps: a.attrs.float("epsilon", 1e-5) },
      a.name(),
    ),
  ];
}

function split(a: LowerArgs): Node[] {
  const x = a.node(0);
  const axis = onnxAxis(a.attrs.int("axis", 0), x.shape.length);
  const extent = x.shape[axis]!;
  const given = a.constant(1);
  let sizes = given === undefined ? a.attrs.ints("split")?.slice() : intList(given);
  if (sizes === undefined) {
    const n = a.attrs.int("num_outputs", a.outputCount);
    const size = Math.ceil(extent / n);
    sizes = Array.from({ length: n }, (_, k) => Math.min(size, extent - k * size));
  }
  let start = 0;
  return sizes.map((size, k) => {
    const end = start + size;
    const node = a.g.op("slice", [x], { dim: axis, start, end }, a.name(String(k)));
    start = end;
    return node;
  });
}

function slice(a: LowerArgs): Node[] {
  let x = a.node(0);
  const ranges = sliceRanges(
    x.shape,
    intList(required(a, 1, "starts")),
    intList(required(a, 2, "ends")),
    a.constant(3) === undefined ? undefined : intList(a.constant(3)!),
    a.constant(4) === undefined ? undefined : intList(a.constant(4)!),
  );
  const cut = ranges.filter((r) => r.start !== 0 || rangeLength(r) !== x.shape[r.axis]);
  if (cut.some((r) => r.step !== 1)) {
    throw new RangeError("only step 1 is supported (the IR's slice is contiguous)");
  }
  if (cut.length === 0) return [a.g.op("reshape", [x], { shape: x.shape }, a.name())];
  cut.forEach((r, k) => {
    const name = a.name(k === cut.length - 1 ? "" : `axis${r.axis}`);
    x = a.g.op("slice", [x], { dim: r.axis, start: r.start, end: r.end }, name);
  });
  return [x];
}

function gather(a: LowerArgs): Node[] {
  const data = a.inputs[0];
  if (data?.kind === "const") {
    const axis = onnxAxis(a.attrs.int("axis", 0), data.tensor.shape.length);
    if (axis !== 0 || data.tensor.shape.length !== 2) {
      throw new RangeError(
        "a constant table is looked up only as an embedding: table [V, C], axis 0",
      );
    }
    return [a.g.op("embedding", [a.node(0), a.node(1)], {}, a.name())];
  }
  const indices = a.inputs[1]?.kind === "const" ? a.constant(1) : undefined;
  if (indices === undefined) {
    throw new RangeError(
      "computed indices into an activation are not supported; only constant indices " +
        "(x[:, 0]) or embedding lookups (constant table, computed indices)",
    );
  }
  const x = a.node(0);
  const axis = onnxAxis(a.attrs.int("axis", 0), x.shape.length);
  const extent = x.shape[axis]!;
  const picks = intList(indices).map((i) => (i < 0 ? i + extent : i));
  const parts = picks.map((i, k) =>
    a.g.op("slice", [x], { dim: axis, start: i, end: i + 1 }, a.name(`pick${k}`)),
  );
  const joined =
    parts.length === 1 ? parts[0]! : a.g.op("concat", parts, { dim: axis }, a.name("picks"));
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  return [a.g.op("reshape", [joined], { shape }, a.name())];
}

/**
 * Where(cond, a, b) with a constant condition and one constant branch: x where the condition
 * keeps the activation, the constant elsewhere, written with IR arithmetic that gives the same
 * values for finite x: x + fill when every filled value is infinite (masked_fill with -inf,
 * the usual attention mask), else x · keep + fill.
 */
function where(a: LowerArgs): Node[] {
  const cond = a.constant(0);
  if (cond === undefined) {
    throw new RangeError("a computed condition is not supported (the IR has no select op)");
  }
  const [ca, cb] = [a.inputs[1], a.inputs[2]];
  const constIndex = ca?.kind === "const" ? 1 : cb?.kind === "const" ? 2 : -1;
  if (constIndex === -1 || (ca?.kind === "const" && cb?.kind === "const")) {
    throw new RangeError("supported only with one constant branch and one computed branch");
  }
  const fill = (a.inputs[constIndex] as ConstValue).tensor;
  const x = a.node(constIndex === 1 ? 2 : 1);
  const shape = broadcastShapes(cond.shape, fill.shape);
  if (shape === null) throw new RangeError("condition and constant branch do not broadcast");
  const takeFill = broadcastTo(cond, shape).data.map((c) =>
    Number((c !== 0) === (constIndex === 1)),
  );
  const fills = broadcastTo(fill, shape).data;
  const fillData = takeFill.map((t, i) => (t === 1 ? fills[i]! : 0));
  const fillNode = a.param(hostTensor("float", shape, fillData), "fill");
  const allInfinite = takeFill.every((t, i) => t === 0 || !Number.isFinite(fills[i]!));
  if (allInfinite) return [a.g.op("add", [x, fillNode], {}, a.name())];
  const keep = a.param(
    hostTensor(
      "float",
      shape,
      takeFill.map((t) => 1 - t),
    ),
    "keep",
  );
  const kept = a.g.op("mul", [x, keep], {}, a.name("kept"));
  return [a.g.op("add", [kept, fillNode], {}, a.name())];
}

function conv(a: LowerArgs): Node[] {
  const x = a.node(0);
  const w = a.node(1);
  const same = (v: readonly number[] | undefined, fallback: number, what: string): number => {
    const list = v ?? [fallback];
    if (list.some((d) => d !== list[0])) {
      throw new RangeError(`${what} must be equal on every side, got [${list.join(", ")}]`);
    }
    return list[0]!;
  };
  if (x.shape.length !== 4) throw new RangeError("only 2-D convolution (NCHW input) is supported");
  if (a.attrs.int("group", 1) !== 1) throw new RangeError("only group = 1 is supported");
  if (same(a.attrs.ints("dilations"), 1, "dilations") !== 1) {
    throw new RangeError("only dilation 1 is supported");
  }
  const autoPad = a.attrs.string("auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && autoPad !== "VALID") {
    throw new RangeError(`auto_pad ${autoPad} is not supported; export with explicit padding`);
  }
  const stride = same(a.attrs.ints("strides"), 1, "strides");
  const padding = same(a.attrs.ints("pads"), 0, "pads");
  const inputs = a.inputs[2] === undefined ? [x, w] : [x, w, a.node(2)];
  return [a.g.op("conv2d", inputs, { stride, padding }, a.name())];
}

function reduce(op: "sum" | "mean"): Lowering {
  return (a) => {
    const x = a.node(0);
    const axes = axesOf(a.constant(1), a.attrs) ?? x.shape.map((_, d) => d);
    const dims = [...new Set(axes.map((d) => onnxAxis(d, x.shape.length)))].sort((p, q) => p - q);
    return [a.g.op(op, [x], { dims, keepdim: a.attrs.int("keepdims", 1) === 1 }, a.name())];
  };
}

/** InstanceNormalization of x[N, C, ...]: a group norm with one channel per group. */
function instanceNorm(a: LowerArgs): Node[] {
  const x = a.node(0);
  const inputs = [x, a.node(1), a.node(2)];
  const attrs = { groups: x.shape[1]!, eps: a.attrs.float("epsilon", 1e-5) };
  return [a.g.op("group_norm", inputs, attrs, a.name())];
}

/**
 * Resize as F.interpolate(mode="nearest") exports it: H and W scaled by one integer factor,
 * each output pixel copying the input pixel at floor(i / scale) (asymmetric coordinates).
 */
function resize(a: LowerArgs): Node[] {
  const x = a.node(0);
  const mode = a.attrs.string("mode", "nearest");
  const coordinates = a.attrs.string("coordinate_transformation_mode", "half_pixel");
  const rounding = a.attrs.string("nearest_mode", "round_prefer_floor");
  if (mode !== "nearest" || coordinates !== "asymmetric" || rounding !== "floor") {
    throw new RangeError(
      `only nearest upsampling as F.interpolate(mode="nearest") exports it is supported ` +
        `(asymmetric, floor); got mode ${mode}, ${coordinates}, ${rounding}`,
    );
  }
  const scales = a.constant(2);
  const sizes = a.constant(3);
  const factors =
    scales !== undefined && scales.data.length > 0
      ? Array.from(scales.data)
      : sizes !== undefined
        ? intList(sizes).map((s, d) => s / x.shape[d]!)
        : [];
  const scale = factors[2];
  const plain =
    x.shape.length === 4 && factors.length === 4 && factors[0] === 1 && factors[1] === 1;
  if (!plain || scale !== factors[3] || !Number.isInteger(scale) || scale! < 1) {
    throw new RangeError(
      `only NCHW upsampling of H and W by one integer factor is supported, got scales ` +
        `[${factors.join(", ")}]`,
    );
  }
  return [a.g.op("upsample", [x], { scale: scale! }, a.name())];
}

/** GELU with the tanh approximation, from IR ops: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(a: LowerArgs, x: Node): Node {
  const { g } = a;
  const cube = g.op("mul", [g.op("mul", [x, x], {}, a.name("x2")), x], {}, a.name("x3"));
  const inner = g.op(
    "add",
    [x, g.op("scale", [cube], { factor: 0.044715 }, a.name("c3"))],
    {},
    a.name("inner"),
  );
  const t = g.op(
    "tanh",
    [g.op("scale", [inner], { factor: Math.sqrt(2 / Math.PI) }, a.name("arg"))],
    {},
    a.name("tanh"),
  );
  const one = a.param(hostTensor("float", [], [1]), "one");
  const half = g.op("scale", [x], { factor: 0.5 }, a.name("half"));
  return g.op("mul", [half, g.op("add", [t, one], {}, a.name("plus1"))], {}, a.name());
}

function passThrough(a: LowerArgs): Node[] {
  return [a.node(0)];
}

/** The ONNX ops lowered to the IR, by op type (default domain). */
export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  Identity: passThrough,
  Dropout: passThrough,
  Cast(a) {
    const x = a.node(0);
    const to = a.attrs.int("to", 0);
    const same = x.dtype === "f32" ? to === 1 : to === 6 || to === 7;
    if (!same)
      throw new RangeError(`casting a ${x.dtype} activation to ONNX type ${to} is not supported`);
    return [x];
  },
  Neg: unary("neg"),
  Exp: unary("exp"),
  Log: unary("log"),
  Sqrt: unary("sqrt"),
  Relu: unary("relu"),
  Sigmoid: unary("sigmoid"),
  Tanh: unary("tanh"),
  Sin: unary("sin"),
  Cos: unary("cos"),
  Reciprocal: (a) => [
    a.g.op("div", [a.param(hostTensor("float", [], [1]), "one"), a.node(0)], {}, a.name()),
  ],
  Gelu(a) {
    const approximate = a.attrs.string("approximate", "none");
    return [
      approximate === "tanh" ? geluTanh(a, a.node(0)) : a.g.op("gelu", [a.node(0)], {}, a.name()),
    ];
  },
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Pow: binary("pow"),
  MatMul: (a) => [linearOrMatmul(a)],
  Gemm: gemm,
  Softmax(a) {
    const x = a.node(0);
    // Opsets before 13 flatten at `axis` instead of normalising along one dim.
    if (a.opset < 13) throw new RangeError("Softmax before opset 13 is not supported");
    return [
      a.g.op("softmax", [x], { dim: onnxAxis(a.attrs.int("axis", -1), x.shape.length) }, a.name()),
    ];
  },
  LayerNormalization: layerNorm,
  Transpose(a) {
    const x = a.node(0);
    const perm = a.attrs.ints("perm") ?? x.shape.map((_, d) => x.shape.length - 1 - d);
    return [
      a.g.op("permute", [x], { perm: perm.map((p) => onnxAxis(p, x.shape.length)) }, a.name()),
    ];
  },
  Reshape(a) {
    const shape = intList(required(a, 1, "shape"));
    return reshaped(a, reshapeTarget(a.node(0).shape, shape, a.attrs.int("allowzero", 0) === 1));
  },
  Flatten: (a) => reshaped(a, flattenShape(a.node(0).shape, a.attrs.int("axis", 1))),
  Unsqueeze: (a) =>
    reshaped(a, unsqueezeShape(a.node(0).shape, axesOf(a.constant(1), a.attrs) ?? [])),
  Squeeze: (a) => reshaped(a, squeezeShape(a.node(0).shape, axesOf(a.constant(1), a.attrs))),
  Split: split,
  Slice: slice,
  Gather: gather,
  Concat(a) {
    const xs = a.inputs.map((_, k) => a.node(k));
    const axis = onnxAxis(a.attrs.int("axis", 0), xs[0]!.shape.length);
    return [a.g.op("concat", xs, { dim: axis }, a.name())];
  },
  Expand(a) {
    // Broadcasting by adding zeros: the IR has no expand (its copy would cost the same).
    const x = a.node(0);
    const shape = broadcastShapes(x.shape, intList(required(a, 1, "shape")));
    if (shape === null) throw new RangeError(`cannot expand ${formatShape(x.shape)}`);
    const zeros = a.param(hostTensor("float", shape, new Float32Array(numel(shape))), "zeros");
    return [a.g.op("add", [x, zeros], {}, a.name())];
  },
  Where: where,
  Conv: conv,
  InstanceNormalization: instanceNorm,
  Resize: resize,
  ReduceMean: reduce("mean"),
  ReduceSum: reduce("sum"),
};
