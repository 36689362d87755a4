import type { Shape } from "../ir/shape.js";
import { broadcastShapes, formatShape, numel, stridesOf } from "../ir/shape.js";
import type { Attributes } from "./attrs.js";
import type { HostKind, HostTensor } from "./tensor.js";
import { hostKindOf, hostTensor, readTensor } from "./tensor.js";
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
 * Constant folding: ONNX ops evaluated on the host when every input is a constant. Exporters
 * compute shapes, masks and broadcast weights with such ops (Shape → Gather → Concat →
 * Reshape, ConstantOfShape → Where → Expand); with static input shapes all of it folds away
 * and only the tensor computation reaches the IR. Values are small, so clarity wins over speed.
 */

/** What a folder gets: the node's attributes, its constant inputs (undefined: omitted). */
export interface FoldArgs {
  readonly attrs: Attributes;
  readonly inputs: readonly (HostTensor | undefined)[];
  readonly opset: number;
}

/** Evaluates one op on constants. */
export type Folder = (args: FoldArgs) => HostTensor[];

function input(args: FoldArgs, k: number): HostTensor {
  const t = args.inputs[k];
  if (t === undefined) throw new RangeError(`input ${k} is required`);
  return t;
}

/** The values of an integer constant (axes, shapes, indices) as a plain list. */
export function intList(t: HostTensor): number[] {
  return Array.from(t.data, (v) => Math.trunc(v));
}

/** out[i] = t[source(coords of i in outShape)], for moving elements around. */
function remap(
  t: HostTensor,
  outShape: Shape,
  source: (coords: readonly number[]) => number,
): HostTensor {
  const n = numel(outShape);
  const values = new Float64Array(n);
  const coords = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < n; i++) {
    values[i] = t.data[source(coords)]!;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coords[d]! < outShape[d]!) break;
      coords[d] = 0;
    }
  }
  return hostTensor(t.kind, outShape, values);
}

/** `t` broadcast to `shape` (NumPy rules). */
export function broadcastTo(t: HostTensor, shape: Shape): HostTensor {
  const strides = stridesOf(t.shape);
  const offset = shape.length - t.shape.length;
  return remap(t, shape, (c) =>
    t.shape.reduce((flat, d, i) => flat + (d === 1 ? 0 : c[i + offset]! * strides[i]!), 0),
  );
}

/** Permutes the dims of `t`: output dim d is input dim perm[d]. */
export function transposeHost(t: HostTensor, perm: readonly number[]): HostTensor {
  const strides = stridesOf(t.shape);
  const out = perm.map((p) => t.shape[p]!);
  return remap(t, out, (c) => perm.reduce((flat, p, d) => flat + c[d]! * strides[p]!, 0));
}

function elementwise(
  kind: HostKind | "same",
  fn: (...v: number[]) => number,
): (args: FoldArgs) => HostTensor[] {
  return (args) => {
    const ts = args.inputs.map((_, k) => input(args, k));
    let shape: Shape = [];
    for (const t of ts) {
      const next = broadcastShapes(shape, t.shape);
      if (next === null) {
        throw new RangeError(
          `shapes ${ts.map((x) => formatShape(x.shape)).join(", ")} do not broadcast`,
        );
      }
      shape = next;
    }
    const full = ts.map((t) => broadcastTo(t, shape).data);
    // Arithmetic keeps the operands' kind (Where: its value operands').
    const outKind = kind === "same" ? ts[ts.length - 1]!.kind : kind;
    const values = Array.from({ length: numel(shape) }, (_, i) => fn(...full.map((a) => a[i]!)));
    return [hostTensor(outKind, shape, values)];
  };
}

function arithmetic(fn: (a: number, b: number, integer: boolean) => number): Folder {
  return (args) => {
    const integer = args.inputs.every((t) => t?.kind !== "float");
    return elementwise("same", (a, b) => fn(a!, b!, integer))(args);
  };
}

const unary = (fn: (v: number) => number): Folder => elementwise("same", fn);

/** The ops folded on constants, by ONNX op type. */
export const FOLDERS: Readonly<Record<string, Folder>> = {
  Identity: (args) => [input(args, 0)],
  Add: arithmetic((a, b) => a + b),
  Sub: arithmetic((a, b) => a - b),
  Mul: arithmetic((a, b) => a * b),
  Div: arithmetic((a, b, integer) => (integer ? Math.trunc(a / b) : a / b)),
  Pow: arithmetic((a, b) => a ** b),
  Max: arithmetic((a, b) => Math.max(a, b)),
  Min: arithmetic((a, b) => Math.min(a, b)),
  Neg: unary((v) => -v),
  Sqrt: unary(Math.sqrt),
  Equal: elementwise("bool", (a, b) => Number(a === b)),
  Less: elementwise("bool", (a, b) => Number(a! < b!)),
  Greater: elementwise("bool", (a, b) => Number(a! > b!)),
  Not: elementwise("bool", (a) => Number(a === 0)),
  Where: elementwise("same", (c, a, b) => (c !== 0 ? a! : b!)),
  Cast(args) {
    const to = args.attrs.int("to", 0);
    const kind = hostKindOf(to);
    if (kind === null) throw new RangeError(`cannot cast constants to ONNX type ${to}`);
    const t = input(args, 0);
    const values = Array.from(t.data, (v) =>
      kind === "bool" ? Number(v !== 0) : kind === "int" ? Math.trunc(v) : v,
    );
    return [hostTensor(kind, t.shape, values)];
  },
  Shape: (args) => [shapeOf(input(args, 0).shape, args.attrs)],
  Size: (args) => [hostTensor("int", [], [numel(input(args, 0).shape)])],
  Reshape(args) {
    const t = input(args, 0);
    const shape = reshapeTarget(
      t.shape,
      intList(input(args, 1)),
      args.attrs.int("allowzero", 0) === 1,
    );
    return [{ ...t, shape }];
  },
  Flatten(args) {
    const t = input(args, 0);
    return [{ ...t, shape: flattenShape(t.shape, args.attrs.int("axis", 1)) }];
  },
  Unsqueeze(args) {
    const t = input(args, 0);
    return [{ ...t, shape: unsqueezeShape(t.shape, axesOf(args.inputs[1], args.attrs) ?? []) }];
  },
  Squeeze(args) {
    const t = input(args, 0);
    return [{ ...t, shape: squeezeShape(t.shape, axesOf(args.inputs[1], args.attrs)) }];
  },
  Transpose(args) {
    const t = input(args, 0);
    const perm = args.attrs.ints("perm") ?? t.shape.map((_, d) => t.shape.length - 1 - d);
    return [transposeHost(t, perm)];
  },
  Expand(args) {
    const t = input(args, 0);
    const shape = broadcastShapes(t.shape, intList(input(args, 1)));
    if (shape === null) throw new RangeError(`cannot expand ${formatShape(t.shape)}`);
    return [broadcastTo(t, shape)];
  },
  Concat(args) {
    const ts = args.inputs.map((_, k) => input(args, k));
    const axis = onnxAxis(args.attrs.int("axis", 0), ts[0]!.shape.length);
    const shape = [...ts[0]!.shape];
    shape[axis] = ts.reduce((s, t) => s + t.shape[axis]!, 0);
    const outer = numel(shape.slice(0, axis));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const t of ts) {
        const block = numel(t.shape.slice(axis));
        for (let i = 0; i < block; i++) values.push(t.data[o * block + i]!);
      }
    }
    const kind = ts.some((t) => t.kind === "float") ? "float" : ts[0]!.kind;
    return [hostTensor(kind, shape, values)];
  },
  Gather(args) {
    const t = input(args, 0);
    const indices = input(args, 1);
    const axis = onnxAxis(args.attrs.int("axis", 0), t.shape.length);
    const extent = t.shape[axis]!;
    const shape = [...t.shape.slice(0, axis), ...indices.shape, ...t.shape.slice(axis + 1)];
    const strides = stridesOf(t.shape);
    const k = indices.shape.length;
    const indexStrides = stridesOf(indices.shape);
    return [
      remap(t, shape, (c) => {
        let at = 0;
        for (let j = 0; j < k; j++) at += c[axis + j]! * indexStrides[j]!;
        const raw = indices.data[at]!;
        const index = raw < 0 ? raw + extent : raw;
        let flat = index * strides[axis]!;
        for (let d = 0; d < axis; d++) flat += c[d]! * strides[d]!;
        for (let d = axis + 1; d < t.shape.length; d++) flat += c[d + k - 1]! * strides[d]!;
        return flat;
      }),
    ];
  },
  Slice(args) {
    const t = input(args, 0);
    const optional = (k: number) =>
      args.inputs[k] === undefined ? undefined : intList(args.inputs[k]!);
    const ranges = sliceRanges(
      t.shape,
      intList(input(args, 1)),
      intList(input(args, 2)),
      optional(3),
      optional(4),
    );
    const start = t.shape.map(() => 0);
    const step = t.shape.map(() => 1);
    const shape = [...t.shape];
    for (const r of ranges) {
      start[r.axis] = r.start;
      step[r.axis] = r.step;
      shape[r.axis] = rangeLength(r);
    }
    const strides = stridesOf(t.shape);
    return [
      remap(t, shape, (c) =>
        c.reduce((flat, x, d) => flat + (start[d]! + x * step[d]!) * strides[d]!, 0),
      ),
    ];
  },
  Trilu(args) {
    // Keeps the upper (upper = 1) or lower triangle of the last two dims, offset by k.
    const t = input(args, 0);
    const k = args.inputs[1] === undefined ? 0 : input(args, 1).data[0]!;
    const upper = args.attrs.int("upper", 1) === 1;
    const [rows, cols] = [t.shape.at(-2) ?? 1, t.shape.at(-1) ?? 1];
    const values = Array.from(t.data, (v, i) => {
      const diagonal = (i % cols) - (Math.floor(i / cols) % rows);
      return (upper ? diagonal >= k : diagonal <= k) ? v : 0;
    });
    return [hostTensor(t.kind, t.shape, values)];
  },
  ConstantOfShape(args) {
    const shape = intList(input(args, 0));
    const value = args.attrs.raw("value")?.t;
    const fill =
      value === undefined
        ? hostTensor("float", [], [0])
        : readTensor(value, undefined, "ConstantOfShape");
    return [hostTensor(fill.kind, shape, new Array<number>(numel(shape)).fill(fill.data[0] ?? 0))];
  },
  Range(args) {
    const [start, limit, delta] = [0, 1, 2].map((k) => input(args, k).data[0]!);
    const n = Math.max(Math.ceil((limit! - start!) / delta!), 0);
    const kind = input(args, 0).kind;
    return [
      hostTensor(
        kind,
        [n],
        Array.from({ length: n }, (_, i) => start! + i * delta!),
      ),
    ];
  },
};

/** Shape's output for a value of `shape`, with the optional start/end attributes (opset 15). */
export function shapeOf(shape: Shape, attrs: Attributes): HostTensor {
  const rank = shape.length;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + rank : i, 0), rank);
  const dims = shape.slice(clamp(attrs.int("start", 0)), clamp(attrs.int("end", rank)));
  return hostTensor("int", [dims.length], dims);
}

/** Axes from an input (opset 13 and later) or the `axes` attribute (earlier opsets). */
export function axesOf(t: HostTensor | undefined, attrs: Attributes): number[] | undefined {
  return t !== undefined ? intList(t) : attrs.ints("axes")?.slice();
}
