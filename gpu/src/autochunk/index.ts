// AutoChunk: a tensor-graph IR with per-op rules, a CPU executor with tracked memory and a
// liveness memory estimator (see README.md here). This file only re-exports.
export type { DType, TensorData, TensorType, TypedArrayOf } from "./ir/dtype.js";
export { DTYPES, bytesPerElement, dtypeOfData, tensorBytes, typedArray } from "./ir/dtype.js";
export type { Shape } from "./ir/shape.js";
export {
  broadcastShapes,
  formatShape,
  isContiguousSlice,
  normalizeDim,
  numel,
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
  Op,
  OpAttrs,
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
  OPS,
  REDUCE_OPS,
  SOURCE_OPS,
  SPATIAL_OPS,
  UNARY_OPS,
  VIEW_OPS,
  isOp,
} from "./ir/op.js";
export type { ParamInit, ParamInitSpec } from "./ir/param-init.js";
export { materializeParam, seedFromName } from "./ir/param-init.js";
export type { Graph, Node, NodeOf } from "./ir/graph.js";
export { loopOutputTypes, nodeOutputs, users } from "./ir/graph.js";
export type { Conv2dOptions, LayerNormOptions } from "./ir/builder.js";
export { GraphBuilder } from "./ir/builder.js";
export { GraphValidationError, validate } from "./ir/validate.js";
export { describeNode, formatAttrs, formatGraph, formatType } from "./ir/format.js";
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
export { planEinsum } from "./ops/einsum-spec.js";
export { reshapeFlow } from "./ops/layout.js";
export { reducedShape } from "./ops/reduce.js";
export type { ConvGeometry } from "./ops/spatial.js";
export { convGeometry } from "./ops/spatial.js";
export { chunkShape, loopSliceBytes } from "./ops/control.js";
export type { Tensor } from "./executor/tensor.js";
export { tensor } from "./executor/tensor.js";
export type { Kernel, KernelContext, SubgraphResult } from "./executor/kernels/kernel.js";
export type { KernelOp } from "./executor/kernels/table.js";
export { cpuKernels } from "./executor/kernels/table.js";
export { erf, gelu } from "./executor/kernels/elementwise.js";
export { gemm } from "./executor/kernels/gemm.js";
export type { ExecuteOptions, ExecuteResult, Feeds } from "./executor/execute.js";
export type { ExecutorBackend, NodeRun } from "./executor/walk.js";
export { walkGraph } from "./executor/walk.js";
export type { ResidentGauge, ResidentPeak } from "./executor/resident.js";
export { execute } from "./executor/execute.js";
export type { Storage, StoragePlan } from "./estimate/storage.js";
export { planStorage } from "./estimate/storage.js";
export type { MemoryEstimate, NodeMemory } from "./estimate/estimate.js";
export { estimateMemory } from "./estimate/estimate.js";
export * from "./executor/webgpu/index.js";
// Chunk search, selection, codegen and the user-facing API (search/, select/, codegen/, api.ts).
export type { EndTrace, ChunkedValue, Illegal, RegionTrace, TraceResult } from "./search/trace.js";
export { completeTrace, traceEnd, traceRegion } from "./search/trace.js";
export type { SearchContext } from "./search/context.js";
export { searchContext } from "./search/context.js";
export type { LegalityRule } from "./search/legality.js";
export { LEGALITY_RULES } from "./search/legality.js";
export type { Span } from "./search/window.js";
export { MAX_REGION_WINDOW, maxRegion, peakRegion, searchBounds } from "./search/window.js";
export { regionCandidates } from "./search/candidates.js";
export type { SearchMode, SearchOptions, SearchOutcome, SearchStage } from "./search/search.js";
export { searchRegions } from "./search/search.js";
export type { CostTable, RatePoint } from "./select/cost-table.js";
export { graphSeconds, nodeSeconds, rateAt } from "./select/cost-table.js";
export { cachedCostTable, measureCostTable } from "./select/calibrate.js";
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
export { formatPseudocode } from "./codegen/pseudocode.js";
export type {
  AutochunkOptions,
  MaxSequenceOptions,
  MaxSequenceResult,
  Plan,
  PlanNodeMemory,
  PlanRegion,
  PlanStep,
  PlanValue,
} from "./api.js";
export { BudgetError, autochunk, maxSequenceLength } from "./api.js";
export * from "./models/index.js";
export * from "./onnx/index.js";
