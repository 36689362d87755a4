/** A static tensor shape: one non-negative integer extent per dim, outermost first. */
export type Shape = readonly number[];

/**
 * The number of elements of a tensor of `shape` (1 for a scalar `[]`).
 *
 * @example
 * numel([2, 3, 4]); // 24
 */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Row-major (contiguous) element strides of `shape`.
 *
 * @example
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** Whether two shapes have the same rank and extents. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * `shape` as it appears in messages and printed programs.
 *
 * @example
 * formatShape([1, 512, 768]); // "[1,512,768]"
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/**
 * NumPy broadcasting of two shapes (right-aligned; a dim of 1 stretches), or null when they
 * do not broadcast.
 *
 * @example
 * broadcastShapes([4, 1, 3], [5, 3]); // [4, 5, 3]
 */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * `dim` counted from the front; negative dims count from the back as in PyTorch.
 * Throws a RangeError naming `what` when it is out of range for `rank`.
 *
 * @example
 * normalizeDim(-1, 3, "softmax dim"); // 2
 */
export function normalizeDim(dim: number, rank: number, what: string): number {
  if (!Number.isInteger(dim) || dim < -rank || dim >= rank) {
    throw new RangeError(
      `${what} must be an integer in [${-rank}, ${rank - 1}] for a rank-${rank} tensor, got ${dim}.`,
    );
  }
  return dim < 0 ? dim + rank : dim;
}

/**
 * Whether slicing a contiguous tensor of `shape` along `dim` gives a contiguous block (every dim
 * before `dim` has extent 1), so a slice can be a view instead of a copy.
 *
 * @example
 * isContiguousSlice([1, 1024, 768], 1); // true
 * isContiguousSlice([2, 1024, 768], 1); // false
 */
export function isContiguousSlice(shape: Shape, dim: number): boolean {
  for (let d = 0; d < dim; d++) if (shape[d] !== 1) return false;
  return true;
}
