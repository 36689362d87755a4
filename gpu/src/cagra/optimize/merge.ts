import type { Graph } from "../types.js";
import type { ReverseGraph } from "./reverse-graph.js";
import { assertGraph } from "./validate.js";

/**
 * Step 4 of optimize() (cuVS `kern_merge_graph` without the MST). cuVS keeps the first
 * protected = ⌊degree / 2⌋ pruned edges, then visits the kept reverse edges from the last
 * (rank min(count, degree) − 1) down to the first, moving each to position `protected` (or
 * inserting it there, dropping the last edge), and skipping those already protected. The result
 * is built here directly, in O(degree) per node instead of cuVS's O(degree²): the protected
 * edges, then the reverse edges in reverse-list order (each once, protected ones skipped), then
 * the remaining pruned edges not already placed, cut at `degree` — blocks, not the paper's
 * interleaving. That equals cuVS's result when each pruned row holds distinct ids, as prune()
 * guarantees; rows with a repeated id are rejected.
 *
 * Writes into `into` (default: a new array; passing pruned.neighbors merges in place).
 *
 * @example
 * const graph = mergeReverseEdges(pruned, reverseGraph(pruned));
 */
export function mergeReverseEdges(
  pruned: Graph,
  reverse: ReverseGraph,
  into: Uint32Array = new Uint32Array(pruned.neighbors.length),
): Graph {
  assertGraph(pruned, "mergeReverseEdges: pruned");
  const { neighbors, size, degree } = pruned;
  if (reverse.size !== size || reverse.degree !== degree || reverse.counts.length !== size) {
    throw new RangeError(
      `mergeReverseEdges: the reverse graph is [${reverse.size}, ${reverse.degree}] with ` +
        `${reverse.counts.length} counts, but the pruned graph is [${size}, ${degree}]; pass reverseGraph(pruned).`,
    );
  }
  if (into.length !== neighbors.length) {
    throw new RangeError(
      `mergeReverseEdges: into holds ${into.length} ids, but the graph needs ${neighbors.length}.`,
    );
  }
  const keep = degree >>> 1;
  const inRow = new Int32Array(size).fill(-1);
  const placed = new Int32Array(size).fill(-1);
  const row = new Uint32Array(degree);
  for (let node = 0; node < size; node++) {
    const base = node * degree;
    row.set(neighbors.subarray(base, base + degree));
    for (let k = 0; k < degree; k++) {
      const v = row[k]!;
      if (v >= size) continue;
      if (inRow[v] === node) {
        throw new RangeError(
          `mergeReverseEdges: node ${node} lists ${v} twice; pruned rows must hold distinct ids (use prune()).`,
        );
      }
      inRow[v] = node;
    }
    let j = 0;
    for (; j < keep; j++) {
      const v = row[j]!;
      into[base + j] = v;
      if (v < size) placed[v] = node;
    }
    const kept = Math.min(reverse.counts[node]!, degree);
    for (let r = 0; r < kept && j < degree; r++) {
      const v = reverse.neighbors[base + r]!;
      if (v >= size || placed[v] === node) continue;
      placed[v] = node;
      into[base + j++] = v;
    }
    // Enough remain: the unplaced pruned edges past `keep` and the placed reverse edges are
    // together at least degree − keep, since a pruned edge is only skipped once it was placed.
    for (let k = keep; j < degree; k++) {
      const v = row[k]!;
      if (v < size && placed[v] === node) continue;
      into[base + j++] = v;
    }
  }
  return { neighbors: into, size, degree };
}
