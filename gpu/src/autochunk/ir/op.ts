import type { Graph } from "./graph.js";
import type { ParamInit } from "./param-init.js";

type NoAttrs = Record<string, never>;

/** Attributes of a reduction over `dims` (ascending, non-negative). */
export interface ReduceAttrs {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/**
 * A chunked region emitted by codegen: the body runs once per slice of the chunk dim, and each
 * iteration's results are written into preallocated full-size outputs (autochunk.md §4).
 */
export interface ChunkLoopAttrs {
  /** Runs on one chunk: its inputs match the loop's inputs, sliced to `chunkSize` where chunked. */
  readonly body: Graph;
  /** The body specialised to the last, shorter chunk (`length % chunkSize`); null when it divides. */
  readonly tail: Graph | null;
  /** Per loop input: the dim it is sliced along, or null when every iteration sees it whole. */
  readonly inputDims: readonly (number | null)[];
  /** Per body output: the dim of the full output its chunk results are written along. */
  readonly outputDims: readonly number[];
  /** Extent of the chunk dim (the same for every chunked input and output). */
  readonly length: number;
  /** Indices of the chunk dim per iteration; iterations = ceil(length / chunkSize). */
  readonly chunkSize: number;
}

/**
 * Attributes of every op. The keys of this interface are the op union: adding an op means adding
 * it here, to `OPS`, to the registry (ops/registry.ts) and to the CPU kernel table; tests fail
 * until all four agree. Dims in attributes are canonical (non-negative); the builder normalises
 * negative dims.
 */
export interface OpAttrs {
  // Sources: graph inputs (placeholders) and parameters (weights with their initialiser).
  input: NoAttrs;
  param: { readonly init: ParamInit };
  // Elementwise, one operand.
  neg: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  sqrt: NoAttrs;
  rsqrt: NoAttrs;
  relu: NoAttrs;
  /** Exact GELU, x·Φ(x) with erf (PyTorch's default `nn.GELU()`), not the tanh approximation. */
  gelu: NoAttrs;
  sigmoid: NoAttrs;
  silu: NoAttrs;
  tanh: NoAttrs;
  sin: NoAttrs;
  cos: NoAttrs;
  /** x · factor. */
  scale: { readonly factor: number };
  // Elementwise, two operands with NumPy broadcasting.
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  pow: NoAttrs;
  // Contractions.
  /** x[..., in] · w[in, out] (+ b[out]); weights are stored input-major, like GPT-2's Conv1D. */
  linear: NoAttrs;
  /** a[..., m, k] · b[..., k, n]; batch dims broadcast; both operands have rank ≥ 2. */
  matmul: NoAttrs;
  /** Two-operand einsum, e.g. "bik,bjk->bij"; no ellipsis, no repeated letter in an operand. */
  einsum: { readonly spec: string };
  // Normalisations.
  softmax: { readonly dim: number };
  /** Normalises over the last `axes` dims; inputs x, then optional weight and bias of that shape. */
  layer_norm: { readonly axes: number; readonly eps: number };
  /** x[N, C, ...] in `groups` groups of channels; optional weight and bias of shape [C]. */
  group_norm: { readonly groups: number; readonly eps: number };
  // Layout.
  permute: { readonly perm: readonly number[] };
  /** A view: same elements, new shape (tensors are always contiguous). */
  reshape: { readonly shape: readonly number[] };
  /** Indices [start, end) along dim, step 1; copies. */
  slice: { readonly dim: number; readonly start: number; readonly end: number };
  concat: { readonly dim: number };
  // Reductions.
  sum: ReduceAttrs;
  mean: ReduceAttrs;
  // Spatial (NCHW).
  /** x[N, Ci, H, W] ⊛ w[Co, Ci, kh, kw] (+ b[Co]); dilation 1, one group. */
  conv2d: { readonly stride: number; readonly padding: number };
  /** Nearest-neighbour upsampling of H and W by an integer factor. */
  upsample: { readonly scale: number };
  // Gather.
  /** table[V, C] looked up at i32 indices[...] → [..., C]. */
  embedding: NoAttrs;
  // Control.
  chunk_loop: ChunkLoopAttrs;
  /** Output `index` of a multi-output node (a chunk_loop); a view. */
  get_item: { readonly index: number };
}

/** The op union. */
export type Op = keyof OpAttrs;

/** Every op, in the order the registry and printed listings use. */
export const OPS = [
  "input",
  "param",
  "neg",
  "exp",
  "log",
  "sqrt",
  "rsqrt",
  "relu",
  "gelu",
  "sigmoid",
  "silu",
  "tanh",
  "sin",
  "cos",
  "scale",
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "linear",
  "matmul",
  "einsum",
  "softmax",
  "layer_norm",
  "group_norm",
  "permute",
  "reshape",
  "slice",
  "concat",
  "sum",
  "mean",
  "conv2d",
  "upsample",
  "embedding",
  "chunk_loop",
  "get_item",
] as const satisfies readonly Op[];

// Compile-time check that OPS lists every key of OpAttrs.
type MissingFromOps = Exclude<Op, (typeof OPS)[number]>;
const _opsComplete: MissingFromOps extends never ? true : never = true;
void _opsComplete;

const source = ["input", "param"] as const;
const unary = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "rsqrt",
  "relu",
  "gelu",
  "sigmoid",
  "silu",
  "tanh",
  "sin",
  "cos",
  "scale",
] as const;
const binary = ["add", "sub", "mul", "div", "pow"] as const;
const contraction = ["linear", "matmul", "einsum"] as const;
const norm = ["softmax", "layer_norm", "group_norm"] as const;
const layout = ["permute", "reshape", "slice", "concat"] as const;
const reduce = ["sum", "mean"] as const;
const spatial = ["conv2d", "upsample"] as const;
const control = ["chunk_loop", "get_item"] as const;
const view = ["reshape", "get_item"] as const;

export type SourceOp = (typeof source)[number];
export type UnaryOp = (typeof unary)[number];
export type BinaryOp = (typeof binary)[number];
export type ContractionOp = (typeof contraction)[number];
export type NormOp = (typeof norm)[number];
export type LayoutOp = (typeof layout)[number];
export type ReduceOp = (typeof reduce)[number];
export type SpatialOp = (typeof spatial)[number];
export type ControlOp = (typeof control)[number];
export type ViewOp = (typeof view)[number];

/** Values from outside the computation (inputs, weights): not activations, never chunked. */
export const SOURCE_OPS: ReadonlySet<Op> = new Set<Op>(source);
/** Elementwise ops of one operand: output dims follow the input one to one. */
export const UNARY_OPS: ReadonlySet<Op> = new Set<Op>(unary);
/** Elementwise ops of two operands: NumPy broadcasting, no mixing along any dim. */
export const BINARY_OPS: ReadonlySet<Op> = new Set<Op>(binary);
/** Sums of products over a shared dim (the contracted dim disappears). */
export const CONTRACTION_OPS: ReadonlySet<Op> = new Set<Op>(contraction);
/** Mix values along the dims they normalise. */
export const NORM_OPS: ReadonlySet<Op> = new Set<Op>(norm);
/** Move elements without arithmetic. */
export const LAYOUT_OPS: ReadonlySet<Op> = new Set<Op>(layout);
/** Sum over dims. */
export const REDUCE_OPS: ReadonlySet<Op> = new Set<Op>(reduce);
/** NCHW image ops that mix along H and W. */
export const SPATIAL_OPS: ReadonlySet<Op> = new Set<Op>(spatial);
/** Structure the program rather than compute (emitted by codegen). */
export const CONTROL_OPS: ReadonlySet<Op> = new Set<Op>(control);
/**
 * Views: the output shares its input's storage (the registry's alias() is non-null), so no
 * backend allocates or runs a kernel for them. Every other op allocates a contiguous output.
 */
export const VIEW_OPS: ReadonlySet<Op> = new Set<Op>(view);

/** Whether `op` is a string naming an op of the union. */
export function isOp(op: unknown): op is Op {
  return typeof op === "string" && (OPS as readonly string[]).includes(op);
}
