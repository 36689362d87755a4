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

/**
 * Merges `count` candidates (newIds, newDists, in arrival order) into the list of `length`
 * entries sorted by distance, with the outcome of inserting them one by one with insertSorted:
 * the list keeps its `ids.length` closest, an entry already listed stays ahead of a newcomer at
 * an equal distance, and newcomers keep their arrival order among equals. Candidates no closer
 * than the last entry of a full list are skipped first, the rest sorted (into `sortIds` and
 * `sortDists`, at least `count` long) and merged from the back, so each list entry moves once.
 * Writes the new length to out[0] and the first position taken by a newcomer (−1 if none) to
 * out[1].
 *
 * @example
 * const ids = Uint32Array.of(1, 2, 0), dists = Float32Array.of(1, 3, 0), out = new Int32Array(2);
 * mergeSorted(ids, dists, 2, Uint32Array.of(8, 9), Float32Array.of(4, 2), 2, new Uint32Array(2), new Float32Array(2), out);
 * // ids = [1, 9, 2], out = [3, 1]
 */
export function mergeSorted(
  ids: Uint32Array,
  dists: Float32Array,
  length: number,
  newIds: Uint32Array,
  newDists: Float32Array,
  count: number,
  sortIds: Uint32Array,
  sortDists: Float32Array,
  out: Int32Array,
): void {
  const capacity = ids.length;
  const worst = length === capacity ? dists[capacity - 1]! : Infinity;
  let sorted = 0;
  for (let i = 0; i < count; i++) {
    const d = newDists[i]!;
    if (!(d < worst)) continue;
    let j = sorted++;
    for (; j > 0 && sortDists[j - 1]! > d; j--) {
      sortIds[j] = sortIds[j - 1]!;
      sortDists[j] = sortDists[j - 1]!;
    }
    sortIds[j] = newIds[i]!;
    sortDists[j] = d;
  }
  const total = Math.min(capacity, length + sorted);
  let a = length - 1;
  let b = sorted - 1;
  let first = -1;
  // w = a + b + 1 throughout; once the newcomers are placed the rest of the list is in place.
  for (let w = length + sorted - 1; b >= 0; w--) {
    // The farther of the two tails goes last; at a tie that is the newcomer.
    const takeNew = a < 0 || sortDists[b]! >= dists[a]!;
    if (takeNew) {
      if (w < total) {
        ids[w] = sortIds[b]!;
        dists[w] = sortDists[b]!;
        first = w;
      }
      b--;
    } else {
      if (w < total) {
        ids[w] = ids[a]!;
        dists[w] = dists[a]!;
      }
      a--;
    }
  }
  out[0] = total;
  out[1] = first;
}
