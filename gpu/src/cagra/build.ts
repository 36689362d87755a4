import { assertFinite, type Matrix } from "../common/matrix.js";
import type { Backend, BackendKind } from "../device/backend.js";
import { bruteForceKnn } from "./knn/brute-force.js";
import { nnDescent } from "./knn/nn-descent.js";
import { bruteForceKnnWebGpu } from "./knn/webgpu/brute-force.js";
import { MAX_TOPK } from "./knn/webgpu/topk.js";
import { optimize } from "./optimize/index.js";
import {
  bruteForceMaxRows,
  DEFAULT_INDEX_PARAMS,
  type GraphBuildAlgo,
  type IndexParams,
} from "./params.js";
import { METRICS, type CagraIndex, type DType, type KnnGraph, type Progress } from "./types.js";

/** Options of build() that are not index parameters. */
export interface BuildOptions {
  /** Stops the build between steps and tiles; rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as the kNN graph and the optimization progress (stages "knn"/"nn-descent", "optimize"). */
  onProgress?: (progress: Progress) => void;
  /** Where a one-line notice goes when a parameter is adjusted (default console.warn). */
  notice?: (line: string) => void;
  /** How the dataset is stored and serialized (its values must be exact in that dtype). Default f32. */
  dtype?: DType;
}

/** Index parameters after defaults and cuVS's adjustments for small datasets. */
export interface ResolvedIndexParams extends IndexParams {
  buildAlgo: Exclude<GraphBuildAlgo, "auto">;
}

/**
 * Builds a CAGRA index over `dataset` (one vector per row): the kNN graph of
 * `intermediateGraphDegree` (exact in tiles, or NN-descent for large N), then CAGRA's
 * optimization to `graphDegree` (rank-based detour pruning, reverse edges, merge).
 * On WebGPU the exact kNN runs on the device; NN-descent and the optimization run on the CPU,
 * as in the paper's setup.
 *
 * @example
 * const backend = await selectBackend();
 * const index = await build(backend, dataset, { graphDegree: 32, intermediateGraphDegree: 64 });
 * const { neighbors } = await search(backend, index, queries, 10);
 */
export async function build(
  backend: Backend,
  dataset: Matrix,
  params: Partial<IndexParams> = {},
  options: BuildOptions = {},
): Promise<CagraIndex> {
  const p = resolveIndexParams(dataset, params, options.notice, backend.kind);
  assertFinite(dataset, "build: dataset");
  const { signal, onProgress } = options;
  const threads = backend.kind === "cpu" ? backend.threads : 1;
  signal?.throwIfAborted();
  const knn = await knnGraph(backend, dataset, p, threads, options);
  signal?.throwIfAborted();
  const graph = await optimize(knn, p.graphDegree, {
    signal,
    onProgress,
    threads,
    guaranteeConnectivity: p.guaranteeConnectivity,
  });
  return {
    metric: p.metric,
    dtype: options.dtype ?? "f32",
    dataset: p.attachDatasetOnBuild ? dataset : undefined,
    graph,
  };
}

function knnGraph(
  backend: Backend,
  dataset: Matrix,
  p: ResolvedIndexParams,
  threads: number,
  { signal, onProgress }: BuildOptions,
): Promise<KnnGraph> {
  const k = p.intermediateGraphDegree;
  if (p.buildAlgo === "nn_descent") {
    return nnDescent(dataset, k, p.metric, {
      maxIterations: p.nnDescentNiter,
      terminationThreshold: p.nnDescentTerminationThreshold,
      seed: p.seed,
      threads,
      signal,
      onProgress,
    });
  }
  if (backend.kind === "webgpu" && k <= MAX_TOPK) {
    return bruteForceKnnWebGpu(backend, dataset, dataset, k, p.metric, {
      excludeSelf: true,
      signal,
      onProgress,
    });
  }
  return bruteForceKnn(dataset, dataset, k, p.metric, {
    excludeSelf: true,
    threads,
    signal,
    onProgress,
  });
}

/**
 * `params` over cuVS's defaults, checked, with cuVS's adjustments: an intermediate degree of N
 * or more becomes N − 1, and a graph degree above what N − 1 allows becomes N − 1 (with a
 * notice). A graph degree above the intermediate degree the caller asked for is an error.
 */
export function resolveIndexParams(
  dataset: Matrix,
  params: Partial<IndexParams>,
  notice: (line: string) => void = (line) => console.warn(line),
  backend: BackendKind = "cpu",
): ResolvedIndexParams {
  const p = { ...DEFAULT_INDEX_PARAMS, ...params };
  if (!METRICS.includes(p.metric)) {
    throw new RangeError(`build: metric must be one of ${METRICS.join(", ")}; got "${p.metric}".`);
  }
  for (const name of ["intermediateGraphDegree", "graphDegree", "nnDescentNiter"] as const) {
    if (!Number.isSafeInteger(p[name]) || p[name] < 1) {
      throw new RangeError(`build: ${name} must be a positive integer, got ${p[name]}.`);
    }
  }
  if (p.graphDegree > p.intermediateGraphDegree) {
    throw new RangeError(
      `build: graphDegree (${p.graphDegree}) cannot exceed intermediateGraphDegree ` +
        `(${p.intermediateGraphDegree}): the graph is pruned from the kNN graph. Raise ` +
        "intermediateGraphDegree (cuVS advises 1.5–2 × graphDegree) or lower graphDegree.",
    );
  }
  const n = dataset.rows;
  if (n < 2 || dataset.cols < 1) {
    throw new RangeError(
      `build: the dataset has ${n} rows of ${dataset.cols} values; a graph needs at least 2 ` +
        "rows of at least 1 value.",
    );
  }
  const intermediateGraphDegree = Math.min(p.intermediateGraphDegree, n - 1);
  let graphDegree = p.graphDegree;
  if (graphDegree > intermediateGraphDegree) {
    notice(
      `Tessera: graphDegree ${graphDegree} lowered to ${intermediateGraphDegree}: ` +
        `the dataset has only ${n} rows.`,
    );
    graphDegree = intermediateGraphDegree;
  }
  const buildAlgo =
    p.buildAlgo === "auto"
      ? n <= bruteForceMaxRows(backend, intermediateGraphDegree)
        ? "brute_force"
        : "nn_descent"
      : p.buildAlgo;
  if (buildAlgo !== "brute_force" && buildAlgo !== "nn_descent") {
    throw new RangeError(
      `build: buildAlgo must be "auto", "brute_force" or "nn_descent"; got "${String(buildAlgo)}".`,
    );
  }
  return { ...p, intermediateGraphDegree, graphDegree, buildAlgo };
}
