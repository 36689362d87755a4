import { assertFinite, matrix, type Matrix } from "../../common/matrix.js";
import { prepareForMetric } from "../distance.js";
import { searchCpu } from "../search/cpu.js";
import type { SearchIndex } from "../search/validate.js";
import type { CagraIndex, Graph } from "../types.js";

/** Options of extend(). */
export interface ExtendOptions {
  /** Checked between chunks of new rows; an abort rejects with its reason. */
  signal?: AbortSignal;
}

// cuVS add_nodes.cuh: new rows are linked in chunks of this many.
const CHUNK_ROWS = 1024;

/**
 * Adds the rows of `additional` to a built index as cuVS's `cagra::extend` does
 * (detail/cagra/add_nodes.cuh), without rebuilding. In chunks of 1,024 new rows:
 *   1. each new row is searched in the old index for its 2G nearest rows (itopk max(4G, 256),
 *      random entry points, as cuVS's search);
 *   2. they are ranked by 2-hop detours in the graph as updated so far, fewest first (ties keep
 *      the search's order), and the first G become the row's list;
 *   3. for each of its first G/2 neighbours t, the edge in the second half of t's list that
 *      points to the node with the most incoming edges (counted in the old graph) is redirected
 *      to the new row, and that node becomes a reverse-edge candidate of the new row;
 *   4. the new row's list interleaves its ranked list with those candidates, skipping repeats.
 * The degree stays G; old rows keep their ids, new rows follow them. Returns a new index (the
 * input is not modified) whose dataset is the old one with `additional` appended.
 *
 * @example
 * const bigger = await extend(index, newRows);
 * bigger.graph.size; // index.graph.size + newRows.rows
 */
export async function extend(
  index: CagraIndex,
  additional: Matrix,
  options: ExtendOptions = {},
): Promise<CagraIndex> {
  const { dataset, graph, metric } = index;
  if (dataset === undefined) {
    throw new RangeError(
      "extend: this index holds no dataset (graph only); new rows are linked by searching the old ones, so attach the dataset first.",
    );
  }
  if (index.sourceIndices !== undefined) {
    throw new RangeError(
      "extend: the index covers a subset of rows (sourceIndices); the new rows would have no source index. Extend the index without them.",
    );
  }
  if (additional.cols !== dataset.cols) {
    throw new RangeError(
      `extend: the new rows have dimension ${additional.cols}, but the index has ${dataset.cols}.`,
    );
  }
  assertFinite(additional, "extend: additional");
  const g = graph.degree;
  const oldSize = graph.size;
  if (2 * g > oldSize) {
    throw new RangeError(
      `extend: linking a row searches for 2 × graphDegree = ${2 * g} neighbours, but the index has only ${oldSize} rows; rebuild instead.`,
    );
  }
  const newSize = oldSize + additional.rows;
  const neighbors = new Uint32Array(newSize * g);
  neighbors.set(graph.neighbors);
  const updated: Graph = { neighbors, size: newSize, degree: g };
  const incoming = incomingCounts(graph, newSize);
  const old: SearchIndex = { dataset: prepareForMetric(dataset, metric), graph, metric };
  const itopkSize = Math.max(4 * g, 256);
  for (let first = 0; first < additional.rows; first += CHUNK_ROWS) {
    options.signal?.throwIfAborted();
    const rows = Math.min(CHUNK_ROWS, additional.rows - first);
    const chunk = matrix(
      additional.data.subarray(first * additional.cols, (first + rows) * additional.cols),
      rows,
      additional.cols,
    );
    const found = searchCpu(old, chunk, 2 * g, { itopkSize, algo: "single_cta" });
    for (let r = 0; r < rows; r++) {
      const candidates = found.neighbors.subarray(r * 2 * g, (r + 1) * 2 * g);
      rankByDetours(updated, candidates, neighbors, (oldSize + first + r) * g);
    }
    for (let r = 0; r < rows; r++) linkBack(updated, incoming, oldSize + first + r);
    // cuVS yields between chunks; so does this, for cancellation and progress.
    await Promise.resolve();
  }
  const data = new Float32Array(newSize * dataset.cols);
  data.set(dataset.data);
  data.set(additional.data, dataset.data.length);
  return {
    metric,
    dtype: index.dtype,
    dataset: matrix(data, newSize, dataset.cols),
    graph: updated,
  };
}

/** Incoming edges of every node of `graph`, in an array of `size` (new nodes start at 0). */
function incomingCounts(graph: Graph, size: number): Uint32Array {
  const counts = new Uint32Array(size);
  for (const v of graph.neighbors) if (v < graph.size) counts[v] = counts[v]! + 1;
  return counts;
}

/**
 * Step 2: the first G of the 2G `candidates` by their 2-hop detours (how many closer candidates
 * list them in `graph`), stably, written to `out` at `offset`.
 */
function rankByDetours(
  graph: Graph,
  candidates: Uint32Array,
  out: Uint32Array,
  offset: number,
): void {
  const g = graph.degree;
  const detours = Array.from(candidates, (a, i) => {
    let count = 0;
    for (let j = 0; j < i; j++) {
      const b = candidates[j]!;
      if (graph.neighbors.subarray(b * g, (b + 1) * g).includes(a)) count++;
    }
    return { id: a, count };
  });
  detours.sort((x, y) => x.count - y.count);
  for (let i = 0; i < g; i++) out[offset + i] = detours[i]!.id;
}

/**
 * Steps 3 and 4 for new node `node`, whose ranked list is already in the graph: redirect one
 * edge of each of its first G/2 neighbours to it, then interleave its list with the nodes
 * those edges pointed to.
 */
function linkBack(graph: Graph, incoming: Uint32Array, node: number): void {
  const { neighbors, degree: g } = graph;
  const half = g >>> 1;
  const reverse: number[] = [];
  for (let i = 0; i < half; i++) {
    const target = neighbors[node * g + i]!;
    let replaced = -1;
    let most = 0;
    for (let j = g - 1; j >= half; j--) {
      const v = neighbors[target * g + j]!;
      if (incoming[v]! > most && !reverse.includes(v)) {
        most = incoming[v]!;
        replaced = j;
      }
    }
    // cuVS stops extending here (it reports an invalid reverse edge); t's list stays as it is.
    if (replaced < 0) continue;
    reverse.push(neighbors[target * g + replaced]!);
    neighbors[target * g + replaced] = node;
  }
  incoming[node] = half;
  // Alternate between the two lists, taking the next id not yet listed from each in turn.
  const lists = [Array.from(neighbors.subarray(node * g, (node + 1) * g)), reverse];
  const next = [0, 0];
  const list: number[] = [];
  for (let turn = 0; list.length < g; turn = 1 - turn) {
    const from = lists[turn]!;
    while (next[turn]! < from.length) {
      const id = from[next[turn]!++]!;
      if (list.includes(id)) continue;
      list.push(id);
      break;
    }
  }
  neighbors.set(list, node * g);
}
