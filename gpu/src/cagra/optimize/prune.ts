import type { Graph } from "../types.js";
import { MAX_DETOURS } from "./detour-count.js";
import { createRowLookup, loadRow, unloadRow, type RowLookup } from "./row-lookup.js";
import { assertOptimizable } from "./validate.js";

/** Scratch space for pruneRow, reused across rows. */
export interface PruneScratch {
  readonly keys: Uint32Array;
  readonly taken: Uint8Array;
}

/** Scratch for rows of a kNN graph of `knnDegree`. */
export function createPruneScratch(knnDegree: number): PruneScratch {
  return { keys: new Uint32Array(knnDegree), taken: new Uint8Array(knnDegree) };
}

/**
 * Writes the `graphDegree` neighbours of row `node` that cuVS's `kern_fused_prune` keeps into
 * `out` at `outOffset`. cuVS repeats "take the minimum of (count << 16 | rank), then mask every
 * copy of that id"; visiting the keys in ascending order and skipping ids already taken selects
 * the same ids in the same order. Edges at MAX_DETOURS are never taken; running out of edges
 * throws (cuVS: "too many invalid or duplicated neighbor nodes"). `lookup` must hold row `node`.
 */
export function pruneRow(
  knn: Graph,
  node: number,
  counts: ArrayLike<number>,
  lookup: RowLookup,
  graphDegree: number,
  scratch: PruneScratch,
  out: Uint32Array,
  outOffset: number,
): void {
  const { neighbors, degree } = knn;
  const { keys, taken } = scratch;
  const base = node * degree;
  for (let k = 0; k < degree; k++) keys[k] = ((counts[k]! << 16) | k) >>> 0;
  keys.sort();
  taken.fill(0);
  let kept = 0;
  for (let i = 0; i < degree && kept < graphDegree; i++) {
    const key = keys[i]!;
    if (key >>> 16 === MAX_DETOURS) break;
    const id = neighbors[base + (key & 0xffff)]!;
    const first = lookup.rankOf[id]!;
    if (taken[first] === 1) continue;
    taken[first] = 1;
    out[outOffset + kept++] = id;
  }
  if (kept < graphDegree) {
    throw new RangeError(
      `optimize: node ${node} has only ${kept} distinct valid neighbours among its ${degree} ` +
        `kNN entries, but graphDegree is ${graphDegree}; raise intermediateGraphDegree or lower ` +
        `graphDegree (cuVS: "too many invalid or duplicated neighbor nodes").`,
    );
  }
}

/**
 * Step 2 of optimize(): keeps `graphDegree` edges per node, fewest detours first, ties to the
 * closer rank. `detours` is detourCounts(knn). Returns the pruned graph [size, graphDegree].
 *
 * @example
 * const pruned = prune(knn, detourCounts(knn), 64);
 */
export function prune(knn: Graph, detours: Uint16Array, graphDegree: number): Graph {
  assertOptimizable(knn, graphDegree);
  if (detours.length !== knn.neighbors.length) {
    throw new RangeError(
      `prune: detours holds ${detours.length} counts but the kNN graph has ${knn.neighbors.length} edges; pass detourCounts(knn).`,
    );
  }
  const out = new Uint32Array(knn.size * graphDegree);
  const lookup = createRowLookup(knn);
  const scratch = createPruneScratch(knn.degree);
  for (let node = 0; node < knn.size; node++) {
    const counts = detours.subarray(node * knn.degree, (node + 1) * knn.degree);
    loadRow(lookup, knn, node);
    pruneRow(knn, node, counts, lookup, graphDegree, scratch, out, node * graphDegree);
    unloadRow(lookup, knn, node);
  }
  return { neighbors: out, size: knn.size, degree: graphDegree };
}
