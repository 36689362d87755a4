import type { Graph } from "../types.js";
import { MAX_DETOURS } from "./detour-count.js";
import { assertOptimizable } from "./validate.js";

/** Scratch space for pruneRow, reused across rows. */
export interface PruneScratch {
  /** A row's keys (count << 16 | rank), sorted. */
  readonly keys: Uint32Array;
  /** Bucket starts of the counting sort: counts below 2·degree, then one bucket for the rest. */
  readonly starts: Uint32Array;
  /** takenBy[id] is the last node that kept id: every copy of an id is masked at once. */
  readonly takenBy: Int32Array;
}

/** Scratch for the rows of `knn`: O(size + degree) memory. */
export function createPruneScratch(knn: Graph): PruneScratch {
  return {
    keys: new Uint32Array(knn.degree),
    starts: new Uint32Array(2 * knn.degree + 1),
    takenBy: new Int32Array(knn.size).fill(-1),
  };
}

/**
 * Fills scratch.keys with the keys (count << 16 | rank) of a row's counts in ascending order.
 * A counting sort on the count (ranks come in ascending order within a count): counts are
 * mostly below the degree (the edge at rank k has at most k detours unless lists repeat ids),
 * and this costs about half of sorting the keys. Counts of 2·degree or more (MAX_DETOURS among
 * them) share the last bucket, which is sorted on its own.
 */
function sortKeys(counts: ArrayLike<number>, degree: number, scratch: PruneScratch): void {
  const { keys, starts } = scratch;
  const last = 2 * degree;
  starts.fill(0);
  for (let k = 0; k < degree; k++) {
    const b = Math.min(counts[k]!, last);
    starts[b] = starts[b]! + 1;
  }
  let sum = 0;
  for (let b = 0; b <= last; b++) {
    const size = starts[b]!;
    starts[b] = sum;
    sum += size;
  }
  const rest = starts[last]!;
  for (let k = 0; k < degree; k++) {
    const count = counts[k]!;
    keys[starts[Math.min(count, last)]!++] = ((count << 16) | k) >>> 0;
  }
  if (degree - rest > 1) keys.subarray(rest).sort();
}

/**
 * Writes the `graphDegree` neighbours of row `node` that cuVS's `kern_fused_prune` keeps into
 * `out` at `outOffset`. cuVS repeats "take the minimum of (count << 16 | rank), then mask every
 * copy of that id"; visiting the keys in ascending order and skipping ids already taken selects
 * the same ids in the same order. Edges at MAX_DETOURS are never taken; running out of edges
 * throws (cuVS: "too many invalid or duplicated neighbor nodes").
 */
export function pruneRow(
  knn: Graph,
  node: number,
  counts: ArrayLike<number>,
  graphDegree: number,
  scratch: PruneScratch,
  out: Uint32Array,
  outOffset: number,
): void {
  const { neighbors, degree } = knn;
  const { keys, takenBy } = scratch;
  const base = node * degree;
  sortKeys(counts, degree, scratch);
  let kept = 0;
  for (let i = 0; i < degree && kept < graphDegree; i++) {
    const key = keys[i]!;
    if (key >>> 16 === MAX_DETOURS) break;
    // Below MAX_DETOURS, so id < size.
    const id = neighbors[base + (key & 0xffff)]!;
    if (takenBy[id] === node) continue;
    takenBy[id] = node;
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
  const scratch = createPruneScratch(knn);
  for (let node = 0; node < knn.size; node++) {
    const counts = detours.subarray(node * knn.degree, (node + 1) * knn.degree);
    pruneRow(knn, node, counts, graphDegree, scratch, out, node * graphDegree);
  }
  return { neighbors: out, size: knn.size, degree: graphDegree };
}
