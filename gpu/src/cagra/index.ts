// CAGRA: build, search, persistence and graph analysis (research/cagra.md).
export { build, resolveIndexParams } from "./build.js";
export type { BuildOptions, ResolvedIndexParams } from "./build.js";
export { search } from "./search/search.js";
export type { CagraSearchResult, SearchOptions } from "./search/search.js";
export { DEFAULT_INDEX_PARAMS, DEFAULT_SEARCH_PARAMS, BRUTE_FORCE_MAX_ROWS } from "./params.js";
export type {
  EntryPoints,
  GraphBuildAlgo,
  IndexParams,
  SearchAlgo,
  SearchParams,
} from "./params.js";
export { extend } from "./extend/index.js";
export type { ExtendOptions } from "./extend/index.js";
export { METRICS } from "./types.js";
export type {
  CagraIndex,
  DType,
  Graph,
  KnnGraph,
  Metric,
  Progress,
  SearchResult,
} from "./types.js";
export { prepareForMetric, internalDistance, reportedDistance } from "./distance.js";
export { bruteForceKnn } from "./knn/brute-force.js";
export type { BruteForceOptions } from "./knn/brute-force.js";
export { nnDescent } from "./knn/nn-descent.js";
export type { NnDescentOptions } from "./knn/nn-descent.js";
export { bruteForceKnnWebGpu } from "./knn/webgpu/brute-force.js";
export * from "./optimize/index.js";
export * from "./analysis/index.js";
export {
  searchCpu,
  searchCpuParallel,
  planSearch,
  bitsetFilter,
  filteringRate,
  initialSeedIds,
  INVALID_ID,
  buildCoarseLevel,
  coarseSeeds,
  COARSE_SEEDS,
} from "./search/index.js";
export type {
  CoarseLevel,
  CoarseLevelOptions,
  SearchPlan,
  SearchTrace,
  SearchTraceStep,
} from "./search/index.js";
export { searchWebGpu, releaseSearchBuffers } from "./search/webgpu/index.js";
export * from "./serialize/index.js";
export * from "./layout/index.js";
export * from "./storage/index.js";
export * from "./tune/index.js";
