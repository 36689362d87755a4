import type { Metric } from "./types.js";

/**
 * How to build the kNN graph that CAGRA optimizes.
 * - `brute_force`: exact, in tiles; O(N²·D): tens of thousands of rows on a CPU, a few hundred
 *   thousand on a GPU.
 * - `nn_descent`: approximate (NN-descent), for large N.
 * - `auto`: brute force up to `bruteForceMaxRows(backend, intermediateGraphDegree)` rows,
 *   NN-descent above.
 */
export type GraphBuildAlgo = "auto" | "brute_force" | "nn_descent";

/**
 * Rows up to which `auto` builds the kNN graph exactly, per backend: on one CPU thread exact
 * O(N²) work overtakes NN-descent at about 35k rows (Gaussian mixtures, k 128: 30k 11.5 vs
 * 15.1 s, 40k 22.7 vs 20.2 s); a GPU's tiled distances keep it cheaper far longer.
 */
export const BRUTE_FORCE_MAX_ROWS: Readonly<Record<"cpu" | "webgpu", number>> = Object.freeze({
  cpu: 35_000,
  webgpu: 200_000,
});

const BRUTE_FORCE_MIN_ROWS = 10_000;

/**
 * Rows up to which `auto` builds a kNN graph of degree `k` exactly. Brute force costs the same
 * for any k, NN-descent less for smaller k (about k^0.75: 1.51 against 2.53 s of CPU at k 32 and
 * 64 on a 20k-row mixture), so on the CPU the k-128 crossover is scaled by (k / 128)^0.75:
 * 12.4k rows at k 32, 20.8k at k 64. On a 20k-row mixture at k 32 NN-descent's build took
 * 2.5 s of CPU against brute force's 5.1, with recall@10 at itopk 32 (coarse entry points)
 * 0.998 against 1.000. Never below 10,000 rows.
 *
 * @example
 * bruteForceMaxRows("cpu", 32); // 12,374: a 20k-row dataset at graphDegree 16 uses NN-descent
 */
export function bruteForceMaxRows(backend: "cpu" | "webgpu", k: number): number {
  const rows = BRUTE_FORCE_MAX_ROWS[backend];
  if (backend !== "cpu" || k >= 128) return rows;
  // Not below 10k rows: NN-descent's lists are least accurate at the smallest degrees.
  return Math.max(BRUTE_FORCE_MIN_ROWS, Math.floor(rows * (k / 128) ** 0.75));
}

/** Build parameters, with cuVS's names (camelCase) and defaults. */
export interface IndexParams {
  /** Distance metric. Default `sqeuclidean`. */
  metric: Metric;
  /** Degree of the kNN graph before optimization (cuVS: 128). Clamped to N − 1. */
  intermediateGraphDegree: number;
  /** Degree of the final graph (cuVS: 64). Clamped to intermediateGraphDegree. */
  graphDegree: number;
  /** How the kNN graph is built. Default `auto`. */
  buildAlgo: GraphBuildAlgo;
  /** NN-descent iterations (cuVS: 20). */
  nnDescentNiter: number;
  /**
   * NN-descent stops when fewer than this fraction of edges change in an iteration (cuVS: 1e-4).
   * Default 1e-2: the iterations past it cost a third of the CPU build and lower recall at
   * short searches (synthetic-100k, G 16: it stops after 5 of 15 iterations; recall@10 at
   * itopk 32 with 8 iterations 0.8423 → 0.8485, automatic count 0.9948 → 0.9937).
   */
  nnDescentTerminationThreshold: number;
  /** Keep the dataset in the index (cuVS attach_dataset_on_build: true). */
  attachDatasetOnBuild: boolean;
  /**
   * Link all nodes by an approximate spanning tree of the kNN graph whose edges lead every
   * list and survive the merge, so every node reaches every other (cuVS
   * guarantee_connectivity, false there). Default true: on clustered data the plain graph
   * falls apart into one component per cluster (200 on a 20k-row mixture) and random entry
   * points miss most clusters; with it, recall@10 at equal itopk rises (0.22 → 0.37 at G 16,
   * itopk 32) for about twice the optimize time (a tenth of the build). See docs/cagra.md.
   */
  guaranteeConnectivity: boolean;
  /** Seed for every random choice of the build. */
  seed: number;
}

/**
 * cuVS's defaults, except guaranteeConnectivity and nnDescentTerminationThreshold (measured;
 * see their notes).
 */
export const DEFAULT_INDEX_PARAMS: Readonly<IndexParams> = Object.freeze({
  metric: "sqeuclidean",
  intermediateGraphDegree: 128,
  graphDegree: 64,
  buildAlgo: "auto",
  nnDescentNiter: 20,
  nnDescentTerminationThreshold: 1e-2,
  attachDatasetOnBuild: true,
  guaranteeConnectivity: true,
  seed: 0,
});

/**
 * Search algorithm, as cuVS names it: one workgroup per query (`single_cta`), several
 * workgroups per query (`multi_cta`, for small batches), one dispatch per step
 * (`multi_kernel`), or `auto` (cuVS's rule).
 */
export type SearchAlgo = "auto" | "single_cta" | "multi_cta" | "multi_kernel";

/**
 * Where each query's search starts.
 * - `random`: cuVS's random entry points (the same nodes for every query).
 * - `coarse`: the query's 16 nearest rows of a coarse level (a small CAGRA graph over one row
 *   in 16, built on first use and searched first) take the first slots; the rest stay random.
 *   Computed on the CPU.
 * - `auto`: on the CPU backend, `coarse` where the coarse seeds find more neighbours than
 *   random entry points given as much work in extra iterations (coarseHelps, decided on an
 *   index's first search), else `random`; `random` on WebGPU, whose kernels read one seed list
 *   for all queries.
 */
export type EntryPoints = "auto" | "random" | "coarse";

/** Search parameters, with cuVS's names (camelCase) and defaults; 0 means "choose for me". */
export interface SearchParams {
  /** Size of the internal top-k list, "the main knob" (cuVS: 64); rounded up to a multiple of 32. */
  itopkSize: number;
  /** Parents expanded per iteration (cuVS: 1). */
  searchWidth: number;
  /** Upper bound on iterations; 0 = auto (cuVS's rule). */
  maxIterations: number;
  /** Iterations done even after convergence (cuVS: 0). */
  minIterations: number;
  /** Random tries per initial slot; the best is kept (cuVS: 1). */
  numRandomSamplings: number;
  /** XOR mask of the random seeds (cuVS: 0x128394). */
  randXorMask: number;
  /** Search algorithm (cuVS: auto). */
  algo: SearchAlgo;
  /** Queries per batch; 0 = all (cuVS max_queries). */
  maxQueries: number;
  /** Where searches start (not in cuVS, whose behaviour is `random`). Default `auto`. */
  entryPoints: EntryPoints;
}

/** cuVS's defaults. */
export const DEFAULT_SEARCH_PARAMS: Readonly<SearchParams> = Object.freeze({
  itopkSize: 64,
  searchWidth: 1,
  maxIterations: 0,
  minIterations: 0,
  numRandomSamplings: 1,
  randXorMask: 0x128394,
  algo: "auto",
  maxQueries: 0,
  entryPoints: "auto",
});
