// AutoChunk's public API (the `autochunk` namespace): build or import a model, estimate its
// activation memory, find where to chunk it under a budget, and run it on the CPU or WebGPU
// (README.md here). Internals (op rules, the executors' walk and kernels, the search) are in
// internal.ts, for tests and benchmarks. This file only re-exports.

// Models: the four evaluation models, and ONNX import for one's own.
export * from "./models/index.js";
export * from "./onnx/index.js";

// Graphs: building, checking and printing them.
export type { DType, TensorData, TensorType } from "./ir/dtype.js";
export { tensorBytes } from "./ir/dtype.js";
export type { Shape } from "./ir/shape.js";
export { formatShape, numel } from "./ir/shape.js";
export type { Op, OpAttrs } from "./ir/op.js";
export { OPS, VIEW_OPS } from "./ir/op.js";
export type { ParamInit, ParamInitSpec } from "./ir/param-init.js";
export type { Graph, Node, NodeOf } from "./ir/graph.js";
export type { Conv2dOptions, LayerNormOptions } from "./ir/builder.js";
export { GraphBuilder } from "./ir/builder.js";
export { GraphValidationError, validate } from "./ir/validate.js";
export { describeNode, formatGraph, formatType } from "./ir/format.js";

// Memory: the prediction, per executor.
export type { ExecutorKind } from "./ops/rule.js";
export type { MemoryEstimate, NodeMemory } from "./estimate/estimate.js";
export { estimateMemory } from "./estimate/estimate.js";

// Running a graph or a chunked program.
export type { Tensor } from "./executor/tensor.js";
export { tensor } from "./executor/tensor.js";
export type { ExecuteOptions, ExecuteResult, Feeds } from "./executor/execute.js";
export { execute } from "./executor/execute.js";
export { executeWebGpu } from "./executor/webgpu/execute.js";
export type { ResidentPeak } from "./executor/resident.js";

// Chunking: plans, their errors, and the longest sequence under a budget.
export type {
  AutochunkOptions,
  LowestPeakOptions,
  MaxSequenceOptions,
  MaxSequenceResult,
  Plan,
  PlanNodeMemory,
  PlanRegion,
  PlanRunOptions,
  PlanStep,
  PlanValue,
} from "./api.js";
export { BudgetError, autochunk, lowestPeak, maxSequenceLength } from "./api.js";
export type { SearchStage } from "./search/search.js";
export type { CostTable } from "./select/cost-table.js";
export { cachedCostTable } from "./select/calibrate.js";
export { formatPseudocode } from "./codegen/pseudocode.js";
