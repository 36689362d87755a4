import { createCheckpoint } from "../../cpu/next-task.js";
import type { Graph, Progress } from "../types.js";
import { connectivityEdges } from "./connectivity.js";
import { mergeReverseEdges } from "./merge.js";
import { createPruneWorkspace, pruneRows, PRUNE_BATCH_ROWS } from "./prune-rows.js";
import { localityOrder } from "./locality-order.js";
import type { PruneTaskInput } from "./prune-task.js";
import { reverseGraph } from "./reverse-graph.js";
import { assertOptimizable } from "./validate.js";

/** Options of optimize(). */
export interface OptimizeOptions {
  /** Stops the run (terminating any workers) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as rows are pruned: stage "optimize", done/total in rows. */
  onProgress?: (progress: Progress) => void;
  /**
   * Worker threads for detour counting and pruning (Node only); 1, the default, computes in
   * this thread and starts no worker. The result is the same for any count.
   */
  threads?: number;
  /**
   * cuVS guarantee_connectivity: link the nodes by connectivityEdges(knn) and keep those edges
   * at the front of every list, so that every node reaches every other (default false).
   */
  guaranteeConnectivity?: boolean;
}

/**
 * CAGRA's graph optimization as cuVS's `cagra::optimize` does it: (1) count 2-hop detours on
 * ranks, (2) keep the `graphDegree` edges with the fewest detours, (3) build the reverse graph,
 * (4) replace the second half of each list with reverse edges. With guaranteeConnectivity, an
 * approximate spanning tree of the kNN graph (connectivityEdges) leads every list in step 4 and
 * is never replaced. `knn` [N, I] must have its rows sorted by distance
 * (column = rank); ids ≥ N other than 0xFFFFFFFF (no neighbour) are rejected. Returns the graph
 * [N, graphDegree]. Deterministic: reverseGraph() fixes the one order cuVS leaves to chance.
 * Rows are counted in localityOrder(knn), which changes nothing in the result but keeps the
 * lists the detour count reads in cache.
 *
 * @example
 * const graph = await optimize(knn, 64); // knn: [N, 128], rows sorted by distance
 * graph.degree; // 64
 */
export async function optimize(
  knn: Graph,
  graphDegree: number,
  options: OptimizeOptions = {},
): Promise<Graph> {
  const { signal, onProgress, threads = 1, guaranteeConnectivity = false } = options;
  assertOptimizable(knn, graphDegree);
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`optimize: threads must be an integer ≥ 1, got ${threads}.`);
  }
  signal?.throwIfAborted();
  const total = knn.size;
  const report = (done: number): void => onProgress?.({ stage: "optimize", done, total });
  const workers = Math.min(threads, Math.ceil(total / PRUNE_BATCH_ROWS));
  const order = localityOrder(knn);
  const neighbors =
    workers > 1
      ? await pruneInWorkers(knn, order, graphDegree, workers, signal, report)
      : await pruneHere(knn, order, graphDegree, signal, report);
  const pruned: Graph = { neighbors, size: total, degree: graphDegree };
  const first = guaranteeConnectivity ? connectivityEdges(knn, graphDegree) : undefined;
  return mergeReverseEdges(pruned, reverseGraph(pruned), neighbors, first);
}

async function pruneHere(
  knn: Graph,
  order: Uint32Array,
  graphDegree: number,
  signal: AbortSignal | undefined,
  report: (done: number) => void,
): Promise<Uint32Array> {
  const pruned = new Uint32Array(knn.size * graphDegree);
  const workspace = createPruneWorkspace(knn, order);
  const checkpoint = createCheckpoint(signal);
  for (let first = 0; first < knn.size; first += PRUNE_BATCH_ROWS) {
    const count = Math.min(PRUNE_BATCH_ROWS, knn.size - first);
    pruneRows(knn, graphDegree, first, count, workspace, pruned);
    report(first + count);
    await checkpoint();
  }
  return pruned;
}

async function pruneInWorkers(
  knn: Graph,
  order: Uint32Array,
  graphDegree: number,
  workers: number,
  signal: AbortSignal | undefined,
  report: (done: number) => void,
): Promise<Uint32Array> {
  // Imported here so that single-threaded use (and browsers) never load node:worker_threads.
  // A specifier bundlers do not follow: node:worker_threads must stay out of browser bundles.
  const pool: string = "../../cpu/worker-pool.js";
  const { runInWorkers } = (await import(pool)) as typeof import("../../cpu/worker-pool.js");
  const shared = sharedGraph(knn);
  const sharedOrder = sharedCopy(order);
  const out = sharedCopy(new Uint32Array(knn.size * graphDegree));
  const inputs: PruneTaskInput[] = [];
  for (let w = 0; w < workers; w++) {
    const first = Math.round((w * knn.size) / workers);
    const count = Math.round(((w + 1) * knn.size) / workers) - first;
    inputs.push({ knn: shared, order: sharedOrder, graphDegree, first, count, out });
  }
  const done = new Array<number>(workers).fill(0);
  await runInWorkers<PruneTaskInput, void>(new URL("./prune-task.js", import.meta.url), inputs, {
    signal,
    onProgress: (w, rows) => {
      done[w] = rows;
      report(done.reduce((a, b) => a + b, 0));
    },
  });
  // A copy in an ordinary ArrayBuffer, like the graph of one thread.
  return out.slice();
}

/** `graph` itself if its ids already live in a SharedArrayBuffer, else one shared copy. */
function sharedGraph(graph: Graph): Graph {
  if (graph.neighbors.buffer instanceof SharedArrayBuffer) return graph;
  return { neighbors: sharedCopy(graph.neighbors), size: graph.size, degree: graph.degree };
}

/** A copy of `array` in a SharedArrayBuffer. */
function sharedCopy(array: Uint32Array): Uint32Array {
  const copy = new Uint32Array(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}
