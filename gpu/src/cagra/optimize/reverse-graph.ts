import type { Graph } from "../types.js";
import { assertGraph, INVALID_NODE } from "./validate.js";

/**
 * The reverse edges of a pruned graph: `neighbors` [size, degree] lists, for each node, the
 * sources of edges into it (INVALID_NODE where fewer); `counts[node]` is the number of incoming
 * edges, which may exceed `degree` (only the first `degree` are kept), as in cuVS.
 */
export interface ReverseGraph extends Graph {
  readonly counts: Uint32Array;
}

/**
 * Step 3 of optimize(): for rank k = 0, 1, …, degree − 1 and every source, appends the source to
 * its destination's reverse list, so the lists are ordered by the edge's rank at its source.
 * Within one rank, sources come in ascending id order. cuVS appends with atomicAdd, so its order
 * within a rank (and so which sources fit when more than `degree` arrive) varies from run to
 * run; this order is one of those it can produce, fixed so builds repeat. (Recent cuVS,
 * `kern_rev_graph_batched`, appends all ranks of a batch of sources in one pass, so there even
 * the grouping by rank is left to thread timing; this follows the per-rank passes of cuVS 24.x.)
 *
 * @example
 * // 0 → 1 at rank 0, 2 → 1 at rank 0, 3 → 1 at rank 1: node 1's reverse list is [0, 2, 3].
 * const rev = reverseGraph(pruned);
 */
export function reverseGraph(pruned: Graph): ReverseGraph {
  assertGraph(pruned, "reverseGraph: pruned");
  const { neighbors, size, degree } = pruned;
  const rev = new Uint32Array(size * degree).fill(INVALID_NODE);
  const counts = new Uint32Array(size);
  for (let k = 0; k < degree; k++) {
    for (let src = 0; src < size; src++) {
      const dst = neighbors[src * degree + k]!;
      if (dst >= size) continue;
      const pos = counts[dst]!++;
      if (pos < degree) rev[dst * degree + pos] = src;
    }
  }
  return { neighbors: rev, counts, size, degree };
}
