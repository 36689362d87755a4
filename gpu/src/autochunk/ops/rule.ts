import type { DType, TensorType } from "../ir/dtype.js";
import type { Node } from "../ir/graph.js";
import type { Op, OpAttrs } from "../ir/op.js";
import type { Shape } from "../ir/shape.js";
import { formatShape } from "../ir/shape.js";

/** How one output dim relates to the op's inputs (autochunk.md §2, indice tracing). */
export interface OutDimFlow {
  /**
   * Per input slot: the input dim this output dim reads along, or null when that input does not
   * vary along it (absent, broadcast from extent 1, or the dim is created by the op).
   */
  readonly from: readonly (number | null)[];
  /**
   * True when a slice of the output along this dim cannot be computed from the matching slices
   * of the inputs: the op mixes values along it (softmax dim, normalised dims, conv windows), it
   * is the result dim of linear/matmul (as in the reference), or the op creates it (a reshaped,
   * sliced or concatenated dim, an embedding's channel dim). A chunk dim must not be computed.
   */
  readonly computed: boolean;
}

/** One entry per output dim. */
export type DimFlow = readonly OutDimFlow[];

/** Which input value an op's output shares storage with. */
export interface Alias {
  /** Input slot. */
  readonly input: number;
  /** Output index of that input's node (non-zero only for get_item). */
  readonly output: number;
}

/**
 * An output the kernel may write over an input's storage: when nothing reads that input after
 * the node, the storage plan gives the output the input's buffer instead of a new one.
 */
export interface InPlace {
  /** The node's output index. */
  readonly output: number;
  /** The input slot whose storage it may take. */
  readonly input: number;
}

/** The executors whose kernels the registry sizes workspaces for (executor/walk.ts). */
export type ExecutorKind = "cpu" | "webgpu";

/**
 * Everything the system knows about an op, as data: the passes (builder, validate, executor,
 * estimator, chunk search, codegen) read these instead of matching op names.
 * Methods (not function-valued properties) so a rule for one op is usable as a rule for `Op`.
 */
export interface OpRule<O extends Op> {
  /** Allowed input counts, inclusive: [min, max]. */
  readonly arity: readonly [number, number];
  /**
   * Output types from the inputs; checks attributes and input shapes and throws a RangeError
   * saying what is wrong (callers add the op name and shapes). `declared` is the node's own type,
   * which only source ops (input, param) use.
   */
  infer(attrs: OpAttrs[O], inputs: readonly Node[], declared?: TensorType): TensorType[];
  /** Dimension flow of output 0, or null when the op is a barrier for chunk regions. */
  dimFlow(attrs: OpAttrs[O], inputs: readonly TensorType[], output: TensorType): DimFlow | null;
  /** The input value the output is a view of (no allocation), or null when it allocates. */
  alias(attrs: OpAttrs[O]): Alias | null;
  /**
   * Outputs that may be written over a dead input (estimate/storage.ts decides when the input
   * is dead); absent: every output gets storage of its own.
   */
  inPlace?(
    attrs: OpAttrs[O],
    inputs: readonly TensorType[],
    outputs: readonly TensorType[],
  ): readonly InPlace[];
  /**
   * Scratch bytes the kernel of `executor` needs while it runs, beyond inputs and outputs (a rule
   * that ignores `executor` sizes every backend's kernel alike).
   */
  workspaceBytes(
    attrs: OpAttrs[O],
    inputs: readonly TensorType[],
    outputs: readonly TensorType[],
    executor: ExecutorKind,
  ): number;
  /** Floating-point operations (a multiply-add is 2), for speed cost models. */
  flops(attrs: OpAttrs[O], inputs: readonly TensorType[], outputs: readonly TensorType[]): number;
}

/** A rule table for a family of ops. */
export type Rules<K extends Op> = { readonly [O in K]: OpRule<O> };

/** Throws the RangeError an `infer` raises; the registry adds the op and shapes. */
export function shapeError(message: string): never {
  throw new RangeError(message);
}

/** Throws unless `t` has dtype `dtype`; `what` names the operand. */
export function expectDType(t: TensorType, dtype: DType, what: string): void {
  if (t.dtype !== dtype) shapeError(`${what} must be ${dtype}, got ${t.dtype}`);
}

/** Throws unless `t` has rank `rank` (or a rank in [rank, maxRank]). */
export function expectRank(t: TensorType, rank: number, what: string, maxRank = rank): void {
  if (t.shape.length < rank || t.shape.length > maxRank) {
    const want =
      maxRank === rank ? `${rank}` : maxRank === Infinity ? `≥ ${rank}` : `${rank}–${maxRank}`;
    shapeError(`${what} must have rank ${want}, got ${formatShape(t.shape)}`);
  }
}

/** Throws unless `t` has exactly `shape`. */
export function expectShape(t: TensorType, shape: Shape, what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    shapeError(`${what} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function expectInt(value: number, what: string, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    shapeError(`${what} must be an integer ${range}, got ${value}`);
  }
}

/**
 * The dim flow of a broadcasting op: each output dim reads the right-aligned dim of each input,
 * or nothing where the input lacks it or broadcasts it from extent 1.
 *
 * @example
 * broadcastFlow([{ shape: [4, 3] }, { shape: [3] }], [4, 3]);
 * // [{ from: [0, null], computed: false }, { from: [1, 0], computed: false }]
 */
export function broadcastFlow(
  inputs: readonly { readonly shape: Shape }[],
  out: Shape,
  computedDims: ReadonlySet<number> = new Set(),
): OutDimFlow[] {
  return out.map((extent, d) => ({
    from: inputs.map(({ shape }) => {
      const j = d - (out.length - shape.length);
      return j >= 0 && shape[j] === extent ? j : null;
    }),
    computed: computedDims.has(d),
  }));
}
