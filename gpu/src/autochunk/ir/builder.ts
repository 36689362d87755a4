import { inferOutputs } from "../ops/registry.js";
import type { DType, TensorData } from "./dtype.js";
import { dtypeOfData } from "./dtype.js";
import type { Graph, Node } from "./graph.js";
import type { ChunkLoopAttrs, Op, OpAttrs, ReduceAttrs } from "./op.js";
import type { ParamInit, ParamInitSpec } from "./param-init.js";
import { seedFromName } from "./param-init.js";
import type { Shape } from "./shape.js";
import { formatShape, normalizeDim, numel } from "./shape.js";
import { validate } from "./validate.js";

/** Options of a layer norm. */
export interface LayerNormOptions {
  /** Default 1e-5 (PyTorch's). */
  readonly eps?: number;
  /** How many trailing dims to normalise; default: the weight's rank, else 1. */
  readonly axes?: number;
}

/** Options of a conv2d (square stride and padding, dilation 1). */
export interface Conv2dOptions {
  readonly stride?: number;
  readonly padding?: number;
}

/**
 * Builds a graph node by node, inferring every shape as it goes, so that a shape error is
 * raised where the model code makes it, naming the op, the input types and the problem.
 * Names are prefixed by the enclosing `scope`s; ops get "scope.op" names, made unique with a
 * suffix. Dims may be negative (counted from the back); they are stored non-negative.
 *
 * @example
 * const g = new GraphBuilder();
 * const x = g.input("x", [1, 512, 768]);
 * const w = g.param("w", [768, 768], { kind: "normal", std: 0.02 });
 * const b = g.param("b", [768], { kind: "constant", value: 0 });
 * g.output(g.gelu(g.linear(x, w, b)));
 * const graph = g.build();
 */
export class GraphBuilder {
  readonly #nodes: Node[] = [];
  readonly #inputs: number[] = [];
  readonly #outputs: number[] = [];
  readonly #names = new Set<string>();
  readonly #scopes: string[] = [];

  /** A graph input (placeholder), fed by name or position when the graph runs. */
  input(name: string, shape: Shape, dtype: DType = "f32"): Node {
    const node = this.#add("input", [], {}, this.#explicitName(name), { shape: [...shape], dtype });
    this.#inputs.push(node.id);
    return node;
  }

  /**
   * A parameter (weight): a typed array, or an initialiser materialised when a backend runs the
   * graph. Random initialisers without a seed are seeded from the parameter's full name.
   */
  param(name: string, shape: Shape, init: ParamInitSpec | TensorData, dtype?: DType): Node {
    const full = this.#explicitName(name);
    const resolved: ParamInit = ArrayBuffer.isView(init)
      ? { kind: "data", data: init }
      : init.kind === "normal" || init.kind === "uniform"
        ? { ...init, seed: init.seed ?? seedFromName(full) }
        : { ...init };
    const type = dtype ?? (resolved.kind === "data" ? dtypeOfData(resolved.data) : "f32");
    return this.#add("param", [], { init: resolved }, full, { shape: [...shape], dtype: type });
  }

  /**
   * Adds any op with canonical attributes: the generic form behind the named methods, for
   * passes that rebuild graphs.
   */
  op<O extends Op>(op: O, inputs: readonly Node[], attrs: OpAttrs[O], name?: string): Node {
    return this.#add(
      op,
      inputs,
      attrs,
      name === undefined ? this.#autoName(op) : this.#explicitName(name),
    );
  }

  /**
   * Runs `body` with `prefix` added to the names of the nodes it creates ("h0" then "attn"
   * gives "h0.attn.softmax").
   */
  scope<T>(prefix: string, body: () => T): T {
    this.#scopes.push(prefix);
    try {
      return body();
    } finally {
      this.#scopes.pop();
    }
  }

  /** Marks values the graph returns, in order. */
  output(...values: Node[]): void {
    for (const v of values) this.#outputs.push(this.#own(v, "output").id);
  }

  /** The graph built so far; the builder stays usable. */
  build(): Graph {
    if (this.#outputs.length === 0) {
      throw new RangeError("GraphBuilder.build: mark at least one output with output(...)");
    }
    return { nodes: [...this.#nodes], inputs: [...this.#inputs], outputs: [...this.#outputs] };
  }

  // Contractions.
  /** x[..., in] · w[in, out] (+ b[out]). */
  linear(x: Node, w: Node, b?: Node): Node {
    return this.op("linear", b === undefined ? [x, w] : [x, w, b], {});
  }
  /** a[..., m, k] · b[..., k, n] with broadcast batch dims. */
  matmul(a: Node, b: Node): Node {
    return this.op("matmul", [a, b], {});
  }
  /** Two-operand einsum, e.g. einsum("bikc,bjkc->bijc", a, b). */
  einsum(spec: string, a: Node, b: Node): Node {
    return this.op("einsum", [a, b], { spec });
  }

  // Elementwise.
  add(a: Node, b: Node): Node {
    return this.op("add", [a, b], {});
  }
  sub(a: Node, b: Node): Node {
    return this.op("sub", [a, b], {});
  }
  mul(a: Node, b: Node): Node {
    return this.op("mul", [a, b], {});
  }
  div(a: Node, b: Node): Node {
    return this.op("div", [a, b], {});
  }
  pow(a: Node, b: Node): Node {
    return this.op("pow", [a, b], {});
  }
  neg(x: Node): Node {
    return this.op("neg", [x], {});
  }
  exp(x: Node): Node {
    return this.op("exp", [x], {});
  }
  log(x: Node): Node {
    return this.op("log", [x], {});
  }
  sqrt(x: Node): Node {
    return this.op("sqrt", [x], {});
  }
  rsqrt(x: Node): Node {
    return this.op("rsqrt", [x], {});
  }
  relu(x: Node): Node {
    return this.op("relu", [x], {});
  }
  /** Exact (erf) GELU, as PyTorch's default nn.GELU(). */
  gelu(x: Node): Node {
    return this.op("gelu", [x], {});
  }
  sigmoid(x: Node): Node {
    return this.op("sigmoid", [x], {});
  }
  silu(x: Node): Node {
    return this.op("silu", [x], {});
  }
  tanh(x: Node): Node {
    return this.op("tanh", [x], {});
  }
  sin(x: Node): Node {
    return this.op("sin", [x], {});
  }
  cos(x: Node): Node {
    return this.op("cos", [x], {});
  }
  /** x · factor. */
  scale(x: Node, factor: number): Node {
    return this.op("scale", [x], { factor });
  }

  // Normalisations.
  softmax(x: Node, dim: number): Node {
    return this.op("softmax", [x], { dim: normalizeDim(dim, x.shape.length, "softmax: dim") });
  }
  /** Layer norm over the trailing dims of the weight's shape (or `axes`), with optional affine. */
  layerNorm(x: Node, weight?: Node, bias?: Node, options: LayerNormOptions = {}): Node {
    const axes = options.axes ?? weight?.shape.length ?? 1;
    return this.op("layer_norm", affineInputs(x, weight, bias, "layerNorm"), {
      axes,
      eps: options.eps ?? 1e-5,
    });
  }
  /** Group norm of x[N, C, ...] with optional per-channel affine. */
  groupNorm(x: Node, groups: number, weight?: Node, bias?: Node, eps = 1e-5): Node {
    return this.op("group_norm", affineInputs(x, weight, bias, "groupNorm"), { groups, eps });
  }

  // Layout.
  /** Reorders dims (copies): output dim d is input dim perm[d]. */
  permute(x: Node, perm: readonly number[]): Node {
    const rank = x.shape.length;
    return this.op("permute", [x], {
      perm: perm.map((p, i) => normalizeDim(p, rank, `permute: perm[${i}]`)),
    });
  }
  /** Swaps two dims (a permute). */
  transpose(x: Node, dim0: number, dim1: number): Node {
    const rank = x.shape.length;
    const a = normalizeDim(dim0, rank, "transpose: dim0");
    const b = normalizeDim(dim1, rank, "transpose: dim1");
    const perm = x.shape.map((_, d) => (d === a ? b : d === b ? a : d));
    return this.op("permute", [x], { perm });
  }
  /** A view with a new shape; one extent may be -1 (inferred). */
  reshape(x: Node, shape: readonly number[]): Node {
    return this.op("reshape", [x], { shape: resolveShape(x.shape, shape) });
  }
  /** Indices [start, end) along dim (negative start/end count from the back). */
  slice(x: Node, dim: number, start: number, end?: number): Node {
    const d = normalizeDim(dim, x.shape.length, "slice: dim");
    const extent = x.shape[d]!;
    const wrap = (i: number) => (i < 0 ? i + extent : i);
    return this.op("slice", [x], { dim: d, start: wrap(start), end: wrap(end ?? extent) });
  }
  concat(xs: readonly Node[], dim: number): Node {
    const rank = xs[0]?.shape.length ?? 0;
    return this.op("concat", xs, { dim: normalizeDim(dim, rank, "concat: dim") });
  }

  // Reductions.
  sum(x: Node, dims: number | readonly number[], keepdim = false): Node {
    return this.op("sum", [x], reduceAttrs(x, dims, keepdim, "sum"));
  }
  mean(x: Node, dims: number | readonly number[], keepdim = false): Node {
    return this.op("mean", [x], reduceAttrs(x, dims, keepdim, "mean"));
  }

  // Spatial.
  /** x[N, Ci, H, W] ⊛ w[Co, Ci, kh, kw] (+ b[Co]). */
  conv2d(x: Node, w: Node, b?: Node, options: Conv2dOptions = {}): Node {
    return this.op("conv2d", b === undefined ? [x, w] : [x, w, b], {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
    });
  }
  /** Nearest-neighbour upsampling of H and W by `scale`. */
  upsample(x: Node, scale = 2): Node {
    return this.op("upsample", [x], { scale });
  }

  // Gather.
  /** table[V, C] at i32 indices[...] → [..., C]. */
  embedding(table: Node, indices: Node): Node {
    return this.op("embedding", [table, indices], {});
  }

  // Control (emitted by codegen).
  /** A chunk loop over `inputs`; its bodies are validated first. Read outputs with getItem. */
  chunkLoop(inputs: readonly Node[], attrs: ChunkLoopAttrs, name?: string): Node {
    validate(attrs.body);
    if (attrs.tail !== null) validate(attrs.tail);
    return this.op("chunk_loop", inputs, attrs, name);
  }
  /** Output `index` of a multi-output node (a view). */
  getItem(source: Node, index: number): Node {
    return this.op("get_item", [source], { index });
  }

  #add<O extends Op>(
    op: O,
    inputs: readonly Node[],
    attrs: OpAttrs[O],
    name: string,
    declared?: { shape: Shape; dtype: DType },
  ): Node {
    for (const x of inputs) this.#own(x, op);
    let outputs;
    try {
      outputs = inferOutputs(op, attrs, inputs, declared);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(`GraphBuilder: "${name}": ${e.message}`, { cause: e });
    }
    const node = Object.freeze({
      id: this.#nodes.length,
      op,
      inputs: inputs.map((x) => x.id),
      attrs,
      shape: outputs[0]!.shape,
      dtype: outputs[0]!.dtype,
      name,
    }) as Node;
    this.#nodes.push(node);
    this.#names.add(name);
    return node;
  }

  #own(x: Node, what: string): Node {
    if (this.#nodes[x.id] !== x) {
      throw new TypeError(
        `GraphBuilder.${what}: value "${x.name}" (%${x.id}) was not made by this builder`,
      );
    }
    return x;
  }

  #prefix(): string {
    return this.#scopes.map((s) => `${s}.`).join("");
  }

  #explicitName(name: string): string {
    const full = this.#prefix() + name;
    if (name === "" || this.#names.has(full)) {
      throw new RangeError(
        `GraphBuilder: name "${full}" is empty or already used; names must be unique`,
      );
    }
    return full;
  }

  #autoName(op: Op): string {
    const base = this.#prefix() + op;
    let name = base;
    for (let k = 1; this.#names.has(name); k++) name = `${base}_${k}`;
    return name;
  }
}

function affineInputs(
  x: Node,
  weight: Node | undefined,
  bias: Node | undefined,
  what: string,
): Node[] {
  if (weight === undefined && bias !== undefined) {
    throw new TypeError(`GraphBuilder.${what}: a bias needs a weight (pass both or neither)`);
  }
  return [x, weight, bias].filter((v): v is Node => v !== undefined);
}

function resolveShape(from: Shape, shape: readonly number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) {
    throw new RangeError(`GraphBuilder.reshape: at most one -1 in ${formatShape(shape)}`);
  }
  if (unknown === 0) return [...shape];
  const known = numel(shape.filter((d) => d !== -1));
  const total = numel(from);
  if (known === 0 || total % known !== 0) {
    throw new RangeError(
      `GraphBuilder.reshape: cannot reshape ${formatShape(from)} to ${formatShape(shape)}`,
    );
  }
  return shape.map((d) => (d === -1 ? total / known : d));
}

function reduceAttrs(
  x: Node,
  dims: number | readonly number[],
  keepdim: boolean,
  what: string,
): ReduceAttrs {
  const list = typeof dims === "number" ? [dims] : dims;
  const rank = x.shape.length;
  const canonical = list.map((d, i) => normalizeDim(d, rank, `${what}: dims[${i}]`));
  return { dims: [...new Set(canonical)].sort((a, b) => a - b), keepdim };
}
