import type { Matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";
import { createCheckpoint } from "../../cpu/next-task.js";
import { prepareForMetric } from "../distance.js";
import type { KnnGraph, Metric, Progress } from "../types.js";
import { createBruteForceScan, QUERY_BLOCK, type BruteForceProblem } from "./brute-force-scan.js";
import type { BruteForceTaskInput, BruteForceTaskOutput } from "./brute-force-task.js";
import { permuteRows, randomProjectionLeaves } from "./rp-tree.js";
import { assertInteger, assertKnnInput } from "./validate.js";

/** Options of bruteForceKnn(). */
export interface BruteForceOptions {
  /** Query i skips dataset row i: the k-NN graph of a dataset against itself. Default false. */
  excludeSelf?: boolean;
  /** Worker threads; 1 (the default) computes in this thread and starts no worker. */
  threads?: number;
  /** Stops the computation (terminating any workers) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as query rows complete: stage "knn", done/total in query rows. */
  onProgress?: (progress: Progress) => void;
}

/**
 * The exact k nearest dataset rows of every query row, by tiles of 64 queries × a block of
 * dataset rows through a WebAssembly SIMD distance kernel (about 25 GFLOP/s on one core at
 * 128 dimensions). Result rows are sorted by internal distance (prepareForMetric /
 * internalDistance conventions: smaller is closer), ties to the smaller id, whatever the
 * number of threads; `size` is the number of queries. Squared L2 comes from
 * ‖q‖² + ‖x‖² − 2q·x, as in cuVS, clamped at 0. When `queries` is `dataset` itself (the kNN
 * graph case), rows are visited in random-projection-tree order, which fills the top-k lists
 * with near candidates early; the result does not depend on it.
 *
 * @example
 * const knn = await bruteForceKnn(dataset, dataset, 64, "sqeuclidean", { excludeSelf: true });
 * knn.neighbors.subarray(0, 64); // the 64 nearest other rows of row 0, closest first
 */
export async function bruteForceKnn(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  options: BruteForceOptions = {},
): Promise<KnnGraph> {
  const { excludeSelf = false, threads = 1, signal, onProgress } = options;
  const where = "bruteForceKnn";
  assertKnnInput(dataset, queries, k, metric, excludeSelf, where);
  assertInteger(threads, "threads", 1, where);
  signal?.throwIfAborted();
  const workers = Math.min(threads, Math.ceil(queries.rows / QUERY_BLOCK));
  const problem: BruteForceProblem = {
    ...prepared(dataset, queries, metric, workers > 1),
    datasetRows: dataset.rows,
    dim: dataset.cols,
    k,
    metric,
    excludeSelf,
  };
  const total = queries.rows;
  const report = (done: number) => onProgress?.({ stage: "knn", done, total });
  const rows =
    workers > 1
      ? await scanInWorkers(problem, total, workers, signal, report)
      : await scanHere(problem, total, signal, report);
  const result = problem.order === undefined ? rows : unpermuteRows(rows, problem.order, k);
  return { ...result, size: total, degree: k };
}

/**
 * The vectors prepared for `metric`, in SharedArrayBuffers when workers will read them. A
 * dataset searched against itself is stored in random-projection-tree leaf order (see
 * BruteForceProblem.order).
 */
function prepared(
  dataset: Matrix,
  queries: Matrix,
  metric: Metric,
  shared: boolean,
): Pick<BruteForceProblem, "dataset" | "queries" | "order"> {
  const data = prepareForMetric(dataset, metric).data;
  if (queries === dataset) {
    const { rows, cols } = dataset;
    const { order } = randomProjectionLeaves(data, rows, cols, QUERY_BLOCK, seededRandom(1));
    const out = shared
      ? new Float32Array(new SharedArrayBuffer(data.byteLength))
      : new Float32Array(data.length);
    const local = permuteRows(data, order, cols, out);
    return { dataset: local, queries: local, order: shared ? toShared(order) : order };
  }
  const place = (d: Float32Array) => (shared ? toShared(d) : d);
  return { dataset: place(data), queries: place(prepareForMetric(queries, metric).data) };
}

/** Rows of `rows` moved to their ids: row p holds the results of id order[p]. */
function unpermuteRows(rows: KnnRows, order: Uint32Array, k: number): KnnRows {
  const neighbors = new Uint32Array(rows.neighbors.length);
  const distances = new Float32Array(rows.distances.length);
  for (let p = 0; p < order.length; p++) {
    neighbors.set(rows.neighbors.subarray(p * k, (p + 1) * k), order[p]! * k);
    distances.set(rows.distances.subarray(p * k, (p + 1) * k), order[p]! * k);
  }
  return { neighbors, distances };
}

/** `a` if it lives in a SharedArrayBuffer already, else a copy in one. */
function toShared<T extends Float32Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(a.byteLength),
  );
  copy.set(a);
  return copy;
}

interface KnnRows {
  neighbors: Uint32Array;
  distances: Float32Array;
}

async function scanHere(
  problem: BruteForceProblem,
  total: number,
  signal: AbortSignal | undefined,
  report: (done: number) => void,
): Promise<KnnRows> {
  const { k } = problem;
  const scan = createBruteForceScan(problem);
  const neighbors = new Uint32Array(total * k);
  const distances = new Float32Array(total * k);
  const checkpoint = createCheckpoint(signal);
  for (let first = 0; first < total; first += QUERY_BLOCK) {
    const count = Math.min(QUERY_BLOCK, total - first);
    scan(first, count, neighbors.subarray(first * k), distances.subarray(first * k));
    report(first + count);
    await checkpoint();
  }
  return { neighbors, distances };
}

async function scanInWorkers(
  problem: BruteForceProblem,
  total: number,
  workers: number,
  signal: AbortSignal | undefined,
  report: (done: number) => void,
): Promise<KnnRows> {
  // Imported here so that single-threaded use (and browsers) never load node:worker_threads.
  // A specifier bundlers do not follow: node:worker_threads must stay out of browser bundles.
  const pool: string = "../../cpu/worker-pool.js";
  const { runInWorkers } = (await import(pool)) as typeof import("../../cpu/worker-pool.js");
  const inputs: BruteForceTaskInput[] = [];
  for (let w = 0; w < workers; w++) {
    const first = Math.round((w * total) / workers);
    const count = Math.round(((w + 1) * total) / workers) - first;
    inputs.push({ ...problem, first, count });
  }
  const done = new Array<number>(workers).fill(0);
  const outputs = await runInWorkers<BruteForceTaskInput, BruteForceTaskOutput>(
    new URL("./brute-force-task.js", import.meta.url),
    inputs,
    {
      signal,
      onProgress: (w, rows) => {
        done[w] = rows;
        report(done.reduce((a, b) => a + b, 0));
      },
    },
  );
  const k = problem.k;
  const neighbors = new Uint32Array(total * k);
  const distances = new Float32Array(total * k);
  outputs.forEach((out, w) => {
    neighbors.set(out.neighbors, inputs[w]!.first * k);
    distances.set(out.distances, inputs[w]!.first * k);
  });
  return { neighbors, distances };
}
