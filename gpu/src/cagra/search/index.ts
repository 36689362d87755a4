export { searchCpu, INVALID_ID } from "./cpu.js";
export type { CpuSearchOptions, CpuSearchResult } from "./cpu.js";
export { searchCpuParallel } from "./cpu-parallel.js";
export type { ParallelSearchOptions } from "./cpu-parallel.js";
export { planSearch } from "./plan.js";
export type { HashmapMode, SearchPlan, SearchPlanInput } from "./plan.js";
export { initialSeedIds, randomSeedId } from "./random-seeds.js";
export {
  createVisitedHash,
  visitedClear,
  visitedHas,
  visitedInsert,
  visitedSlot,
  HASH_EMPTY,
} from "./visited-hash.js";
export type { VisitedHash } from "./visited-hash.js";
export { assertBitset, bitsetFilter, bitsetKeeps, filteringRate } from "./filter.js";
export { createTraceRecorder } from "./trace.js";
export type { SearchTrace, SearchTraceStep, TraceRecorder } from "./trace.js";
export { validateSearchInputs } from "./validate.js";
export type { SearchIndex } from "./validate.js";
export { buildCoarseLevel, coarseLevelSize } from "./seeds/coarse-level.js";
export type { CoarseLevel, CoarseLevelOptions } from "./seeds/coarse-level.js";
export { coarseSeeds, COARSE_SEEDS } from "./seeds/coarse-seeds.js";
