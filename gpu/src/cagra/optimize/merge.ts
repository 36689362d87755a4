import type { Graph } from "../types.js";
import type { ConnectivityEdges } from "./connectivity.js";
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
 * With `first` (connectivityEdges(knn, degree), cuVS guarantee_connectivity) each list starts
 * with the node's `first` edges, then its pruned edges not among them, and the protected
 * prefix is max(first count, ⌊degree / 2⌋), as in cuVS's kern_merge_graph.
 *
 * @example
 * const graph = mergeReverseEdges(pruned, reverseGraph(pruned));
 */
export function mergeReverseEdges(
  pruned: Graph,
  reverse: ReverseGraph,
  into: Uint32Array = new Uint32Array(pruned.neighbors.length),
  first?: ConnectivityEdges,
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
  if (first !== undefined && (first.size !== size || first.degree !== degree)) {
    throw new RangeError(
      `mergeReverseEdges: the protected edges are [${first.size}, ${first.degree}], but the pruned graph is [${size}, ${degree}]; pass connectivityEdges(knn, ${degree}).`,
    );
  }
  const half = degree >>> 1;
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
    const keep = first === undefined ? half : putFirst(first, node, row, size);
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

/**
 * Rewrites `row` (a pruned row of distinct ids) as node's protected edges followed by its
 * pruned edges not among them, cut at the degree; returns how many lead the row and are kept:
 * max(protected count, ⌊degree / 2⌋).
 */
function putFirst(first: ConnectivityEdges, node: number, row: Uint32Array, size: number): number {
  const degree = row.length;
  const count = first.counts[node]!;
  const base = node * degree;
  const lead = first.neighbors.subarray(base, base + count);
  const rest = row.filter((v) => v >= size || !lead.includes(v));
  row.set(lead);
  row.set(rest.subarray(0, degree - count), count);
  return Math.max(count, degree >>> 1);
}
