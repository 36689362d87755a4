/**
 * The largest chunk size in [1, length] for which `fits` holds, searched as the reference does
 * (autochunk.md §3): double 1, 2, 4, … until a size no longer fits, then binary-search between the
 * last size that fits and the first that does not. 0 when not even 1 fits. `fits` must hold up
 * to some size and fail beyond it (memory grows with the chunk size).
 *
 * @example
 * largestChunkSize(1024, (size) => size * 4096 <= 1_000_000); // 244
 */
export function largestChunkSize(length: number, fits: (size: number) => boolean): number {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`largestChunkSize: length must be an integer ≥ 1, got ${length}`);
  }
  if (!fits(1)) return 0;
  let good = 1;
  let bad = length + 1;
  for (let size = 2; size <= length; size *= 2) {
    if (!fits(size)) {
      bad = size;
      break;
    }
    good = size;
  }
  if (bad > length) {
    if (good === length || fits(length)) return length;
    bad = length;
  }
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * The smallest chunk size that needs as few iterations as `size` does: chunks as even as
 * possible, so memory drops at no extra iterations (a size that divides the length needs no
 * tail body).
 *
 * @example
 * balancedChunkSize(1024, 300); // 256: 4 iterations either way
 */
export function balancedChunkSize(length: number, size: number): number {
  return Math.ceil(length / Math.ceil(length / size));
}
