import type { Shape } from "../ir/shape.js";
import { formatShape, numel } from "../ir/shape.js";

/*
 * Shape arithmetic of ONNX ops, shared by constant folding (fold.ts) and the lowering of the
 * same ops on activations (lower.ts). Each throws a RangeError saying what is wrong; the
 * importer adds the node's name.
 */

/** `axis` counted from the front for a rank-`rank` tensor (ONNX allows negative axes). */
export function onnxAxis(axis: number, rank: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Reshape's target: 0 copies the input's extent (unless `allowzero`), one -1 is inferred.
 *
 * @example
 * reshapeTarget([2, 3, 4], [0, -1], false); // [2, 12]
 */
export function reshapeTarget(
  from: Shape,
  target: readonly number[],
  allowzero: boolean,
): number[] {
  const out = target.map((d, i) => (d === 0 && !allowzero ? from[i]! : d));
  const unknown = out.filter((d) => d === -1).length;
  const known = numel(out.filter((d) => d !== -1));
  if (unknown > 1 || out.some((d) => d < -1)) {
    throw new RangeError(`cannot reshape ${formatShape(from)} to ${formatShape(target)}`);
  }
  if (unknown === 1) {
    if (known === 0 || numel(from) % known !== 0) {
      throw new RangeError(`cannot reshape ${formatShape(from)} to ${formatShape(target)}`);
    }
    return out.map((d) => (d === -1 ? numel(from) / known : d));
  }
  if (known !== numel(from)) {
    throw new RangeError(`cannot reshape ${formatShape(from)} to ${formatShape(target)}`);
  }
  return out;
}

/** Unsqueeze's output shape: `axes` index the output. */
export function unsqueezeShape(from: Shape, axes: readonly number[]): number[] {
  const rank = from.length + axes.length;
  const inserted = new Set(axes.map((a) => onnxAxis(a, rank, "unsqueeze axis")));
  const rest = [...from];
  return Array.from({ length: rank }, (_, d) => (inserted.has(d) ? 1 : rest.shift()!));
}

/** Squeeze's output shape: the listed dims (default: every dim of extent 1) removed. */
export function squeezeShape(from: Shape, axes: readonly number[] | undefined): number[] {
  const drop = new Set(
    axes === undefined
      ? from.flatMap((d, i) => (d === 1 ? [i] : []))
      : axes.map((a) => onnxAxis(a, from.length, "squeeze axis")),
  );
  for (const d of drop) {
    if (from[d] !== 1) throw new RangeError(`cannot squeeze dim ${d} of ${formatShape(from)}`);
  }
  return from.filter((_, i) => !drop.has(i));
}

/** Flatten's output: dims before `axis` and from `axis` on, each multiplied out. */
export function flattenShape(from: Shape, axis: number): number[] {
  const a = axis < 0 ? axis + from.length : axis;
  if (a < 0 || a > from.length) throw new RangeError(`flatten axis ${axis} is out of range`);
  return [numel(from.slice(0, a)), numel(from.slice(a))];
}

/** One axis of a Slice, clamped as ONNX specifies: indices start, start + step, … before end. */
export interface SliceRange {
  readonly axis: number;
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/**
 * Slice's per-axis ranges (negative indices count from the back; out-of-range values clamp).
 *
 * @example
 * sliceRanges([4, 10], [1], [9_223_372_036_854_775_807], [1], undefined); // axis 1: 1..10
 */
export function sliceRanges(
  shape: Shape,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): SliceRange[] {
  return starts.map((s, k) => {
    const axis = onnxAxis(axes?.[k] ?? k, shape.length, "slice axis");
    const dim = shape[axis]!;
    const step = steps?.[k] ?? 1;
    if (step === 0) throw new RangeError("slice step must not be 0");
    const wrap = (i: number) => (i < 0 ? i + dim : i);
    const [lo, hi] = step > 0 ? [0, dim] : [-1, dim - 1];
    const clamp = (i: number) => Math.min(Math.max(wrap(i), lo), hi);
    return { axis, start: clamp(s), end: clamp(ends[k]!), step };
  });
}

/** Elements a range selects. */
export function rangeLength(r: SliceRange): number {
  return Math.max(0, Math.ceil((r.end - r.start) / r.step));
}
