import type { Graph } from "../types.js";
import { createRowLookup, loadRow, unloadRow, type RowLookup } from "./row-lookup.js";
import { assertGraph } from "./validate.js";

/** Detour counts saturate here (cuVS: 0xFFFF); an edge with this count is never selected. */
export const MAX_DETOURS = 0xffff;

/** Slots past `degree` that countRowDetours needs in its `counts` buffer. */
export const SCRATCH_SLOTS = 8;

/**
 * Counts the 2-hop detours of every edge of row `node` into `counts`, as cuVS's
 * `kern_fused_prune` does. For each closer neighbour D (rank kAD < degree − 1) and each B in D's
 * list, the first rank kAB > kAD where A's list holds B gains one detour. Like cuVS, the paper's
 * `kDB < kAB` condition is not applied (it is commented out there). A self-edge starts at
 * `degree` detours so it sorts last; counts saturate at MAX_DETOURS, and ids ≥ size get it.
 * `lookup` must hold row `node` (loadRow); `counts` needs degree + SCRATCH_SLOTS slots.
 */
export function countRowDetours(
  knn: Graph,
  node: number,
  lookup: RowLookup,
  counts: Int32Array,
): void {
  const { neighbors, size, degree } = knn;
  const base = node * degree;
  for (let k = 0; k < degree; k++) counts[k] = neighbors[base + k] === node ? degree : 0;
  if (lookup.hasDuplicates) countWithDuplicates(knn, node, lookup, counts);
  else countDistinct(knn, node, lookup.rankOf, counts);
  for (let k = 0; k < degree; k++) {
    if (counts[k]! > MAX_DETOURS || neighbors[base + k]! >= size) counts[k] = MAX_DETOURS;
  }
}

/** The hot loop for rows without repeated ids: a B found at rank ≤ kAD has no later copy. */
function countDistinct(knn: Graph, node: number, rankOf: Int32Array, counts: Int32Array): void {
  const { neighbors, size, degree } = knn;
  const base = node * degree;
  for (let kAD = 0; kAD < degree - 1; kAD++) {
    const d = neighbors[base + kAD]!;
    if (d >= size) continue;
    const dBase = d * degree;
    for (let kDB = 0; kDB < degree; kDB++) {
      const b = neighbors[dBase + kDB]!;
      if (b >= size) continue;
      const kAB = rankOf[b]!;
      // Branch-free (hits are unpredictable): misses go to 8 scratch slots past `degree`,
      // spread so that consecutive increments do not wait on each other.
      const miss = (kAB - kAD - 1) >> 31;
      counts[kAB + ((degree + (kDB & 7) - kAB) & miss)]++;
    }
  }
}

/** The general loop: follows nextSame to the first copy of B after kAD. */
function countWithDuplicates(
  knn: Graph,
  node: number,
  lookup: RowLookup,
  counts: Int32Array,
): void {
  const { neighbors, size, degree } = knn;
  const { rankOf, nextSame } = lookup;
  const base = node * degree;
  for (let kAD = 0; kAD < degree - 1; kAD++) {
    const d = neighbors[base + kAD]!;
    if (d >= size) continue;
    const dBase = d * degree;
    for (let kDB = 0; kDB < degree; kDB++) {
      const b = neighbors[dBase + kDB]!;
      if (b >= size) continue;
      let kAB = rankOf[b]!;
      while (kAB !== -1 && kAB <= kAD) kAB = nextSame[kAB]!;
      if (kAB !== -1) counts[kAB]++;
    }
  }
}

/**
 * The detour count of every edge of `knn` (rows sorted by distance), [size, degree] row-major.
 * optimize() computes these one row at a time; this whole-graph form is for inspection.
 *
 * @example
 * // 0 → 1 → 2 is a detour for the edge 0 → 2.
 * const knn = { neighbors: new Uint32Array([1, 2, 2, 0, 0, 1]), size: 3, degree: 2 };
 * detourCounts(knn); // Uint16Array [0, 1, 0, 1, 0, 1]
 */
export function detourCounts(knn: Graph): Uint16Array {
  assertGraph(knn, "detourCounts: knn");
  const out = new Uint16Array(knn.size * knn.degree);
  const lookup = createRowLookup(knn);
  const counts = new Int32Array(knn.degree + SCRATCH_SLOTS);
  for (let node = 0; node < knn.size; node++) {
    loadRow(lookup, knn, node);
    countRowDetours(knn, node, lookup, counts);
    unloadRow(lookup, knn, node);
    out.set(counts.subarray(0, knn.degree), node * knn.degree);
  }
  return out;
}
