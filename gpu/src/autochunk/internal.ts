// AutoChunk's internals, for its tests and benchmarks: everything index.ts exports, plus the
// op registry, the executors' walk and kernels, the storage plan, the chunk search, selection
// and codegen. Users import index.ts (the `autochunk` namespace). This file only re-exports.
export * from "./index.js";
export type { TypedArrayOf } from "./ir/dtype.js";
export { DTYPES, bytesPerElement, dtypeOfData, typedArray } from "./ir/dtype.js";
export {
  broadcastShapes,
  isContiguousSlice,
  normalizeDim,
  sameShape,
  stridesOf,
} from "./ir/shape.js";
export type {
  BinaryOp,
  ChunkLoopAttrs,
  ContractionOp,
  ControlOp,
  LayoutOp,
  NormOp,
  ReduceAttrs,
  ReduceOp,
  SourceOp,
  SpatialOp,
  UnaryOp,
  ViewOp,
} from "./ir/op.js";
export {
  BINARY_OPS,
  CONTRACTION_OPS,
  CONTROL_OPS,
  LAYOUT_OPS,
  NORM_OPS,
  REDUCE_OPS,
  SOURCE_OPS,
  SPATIAL_OPS,
  UNARY_OPS,
  isOp,
} from "./ir/op.js";
export { materializeParam, seedFromName } from "./ir/param-init.js";
export { loopOutputTypes, nodeOutputs, users } from "./ir/graph.js";
export { formatAttrs } from "./ir/format.js";
export type { Alias, DimFlow, OpRule, OutDimFlow, Rules } from "./ops/rule.js";
export {
  aliasOf,
  dimFlowOf,
  flopsOf,
  graphFlops,
  inferOutputs,
  opRules,
  ruleOf,
  workspaceBytesOf,
} from "./ops/registry.js";
export type { EinsumPlan } from "./ops/einsum-spec.js";
export { batchIsUnitStride, planEinsum } from "./ops/einsum-spec.js";
export { reshapeFlow } from "./ops/layout.js";
export { reducedShape } from "./ops/reduce.js";
export type { ConvGeometry } from "./ops/spatial.js";
export { convGeometry } from "./ops/spatial.js";
export { chunkShape, loopSliceBytes } from "./ops/control.js";
export type { ExecutorBackend, NodeRun, SubgraphResult } from "./executor/walk.js";
export { walkGraph } from "./executor/walk.js";
export type { ResidentGauge } from "./executor/resident.js";
export { cpuExecutor } from "./executor/execute.js";
export type { Kernel, KernelContext } from "./executor/kernels/kernel.js";
export type { KernelOp } from "./executor/kernels/table.js";
export { cpuKernels } from "./executor/kernels/table.js";
export { erf, gelu } from "./executor/kernels/elementwise.js";
export { gemm } from "./executor/kernels/gemm.js";
export type { GpuTensor } from "./executor/webgpu/tensor.js";
export type { GpuKernel, GpuKernelContext, GpuSubgraphResult } from "./executor/webgpu/kernel.js";
export { webgpuKernels } from "./executor/webgpu/table.js";
export type { Storage, StoragePlan } from "./estimate/storage.js";
export { planStorage } from "./estimate/storage.js";
export type { EndTrace, ChunkedValue, Illegal, RegionTrace, TraceResult } from "./search/trace.js";
export { completeTrace, traceEnd, traceRegion } from "./search/trace.js";
export type { SearchContext } from "./search/context.js";
export { searchContext } from "./search/context.js";
export type { LegalityRule } from "./search/legality.js";
export { LEGALITY_RULES } from "./search/legality.js";
export type { Span } from "./search/window.js";
export { MAX_REGION_WINDOW, maxRegion, peakRegion, searchBounds } from "./search/window.js";
export { regionCandidates } from "./search/candidates.js";
export type { SearchMode, SearchOptions, SearchOutcome } from "./search/search.js";
export { searchRegions } from "./search/search.js";
export type { RatePoint } from "./select/cost-table.js";
export { graphSeconds, nodeSeconds, rateAt } from "./select/cost-table.js";
export { measureCostTable } from "./select/calibrate.js";
export type { RegionMemory } from "./select/region-memory.js";
export { regionMemory, spanGraph } from "./select/region-memory.js";
export type { RegionSeconds } from "./select/region-cost.js";
export { regionSeconds } from "./select/region-cost.js";
export { balancedChunkSize, largestChunkSize } from "./select/chunk-size.js";
export type { Candidate, RegionChoice } from "./select/select.js";
export {
  choose,
  chunkSizeFor,
  selectForBudget,
  selectForMinimum,
  withMemory,
} from "./select/select.js";
export { GraphEmitter } from "./codegen/emitter.js";
export { buildBody } from "./codegen/body.js";
export type { EmittedRegion } from "./codegen/region.js";
export { emitRegion } from "./codegen/region.js";
export type { ChunkChoice, ChunkedGraph } from "./codegen/chunk-graph.js";
export { chunkGraph } from "./codegen/chunk-graph.js";
