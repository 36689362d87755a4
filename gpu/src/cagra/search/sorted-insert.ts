/**
 * Inserts (id, d) into the list of `length` entries sorted by distance, after any equal
 * distance; when the list is full the last entry falls off, and an entry no closer than it is
 * refused (-1). Returns the position written. The capacity is `ids.length`.
 *
 * @example
 * const ids = new Uint32Array(2), dists = new Float32Array(2);
 * insertSorted(ids, dists, 0, 7, 1.5); // 0
 * insertSorted(ids, dists, 1, 9, 0.5); // 0: ids = [9, 7]
 * insertSorted(ids, dists, 2, 4, 2); // -1: no closer than the last
 */
export function insertSorted(
  ids: Uint32Array,
  dists: Float32Array,
  length: number,
  id: number,
  d: number,
): number {
  const capacity = ids.length;
  if (length === capacity && !(d < dists[capacity - 1]!)) return -1;
  // Shift the farther entries up from the end: lists are short and most newcomers land late.
  let i = length === capacity ? capacity - 1 : length;
  for (; i > 0 && dists[i - 1]! > d; i--) {
    ids[i] = ids[i - 1]!;
    dists[i] = dists[i - 1]!;
  }
  ids[i] = id;
  dists[i] = d;
  return i;
}
