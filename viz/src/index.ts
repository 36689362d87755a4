export { MIME_MEMORY_TIMELINE, MEMORY_TIMELINE_LIMITS } from "./memory-timeline/types.js";
export type {
  MemoryEvent,
  MemoryEventKind,
  MemoryTimelinePayload,
  PredictedPoint,
} from "./memory-timeline/types.js";
export { memoryTimelineSchema } from "./memory-timeline/schema.js";
export { validateMemoryTimeline } from "./memory-timeline/validate.js";
export { memoryTimelineLayout } from "./memory-timeline/layout.js";
export type {
  LayoutOptions,
  MemoryTimelineLayout,
  TimelineBand,
} from "./memory-timeline/layout.js";
export { memoryTimelineSvg } from "./memory-timeline/svg.js";
export type { MemoryTimelineSvgOptions } from "./memory-timeline/svg.js";
export {
  MIME_MEMORY_TIMELINE_V2,
  MEMORY_TIMELINE_V2_LIMITS,
  NO_DETAIL,
} from "./memory-timeline/types-v2.js";
export type {
  MemoryEventColumns,
  MemoryRunV2,
  MemoryTimelineV2Payload,
  PackedMemoryEvents,
} from "./memory-timeline/types-v2.js";
export { memoryTimelineV2Schema } from "./memory-timeline/schema-v2.js";
export { validateMemoryTimelineV2 } from "./memory-timeline/validate-v2.js";
export { packMemoryEvents, unpackMemoryEvents, memoryEventsOf } from "./memory-timeline/pack.js";
export type { PackableEvent } from "./memory-timeline/pack.js";
export { memoryTimelineV2Svg } from "./memory-timeline/svg-v2.js";
export { readTorchSnapshot } from "./torch-snapshot/snapshot.js";
export type { TorchOom, TorchSnapshot, TorchSnapshotOptions } from "./torch-snapshot/snapshot.js";
export { readPickle, PickleError } from "./torch-snapshot/pickle.js";
export type { PickledObject, PickleValue } from "./torch-snapshot/pickle.js";
export type { Validation } from "./common/problems.js";
export { formatBytes } from "./common/bytes.js";
export { escapeXml } from "./common/xml.js";
export { LIVE_TARGET } from "./widget/live-messages.js";
export type { LiveOpen, LiveRef, LiveRequest, LiveResponse } from "./widget/live-messages.js";
export { pack, unpack, encodeBase64, decodeBase64, packedLength } from "./common/packed.js";
export type { PackedArray, PackedArrays, PackedDType } from "./common/packed.js";
export {
  MIME_PROXIMITY_GRAPH,
  PROXIMITY_GRAPH_LIMITS,
  PROXIMITY_GRAPH_METHODS,
} from "./proximity-graph/types.js";
export type {
  GraphLayer,
  ProximityGraphPayload,
  SearchTracePayload,
  TraceStep,
} from "./proximity-graph/types.js";
export { proximityGraphSchema } from "./proximity-graph/schema.js";
export { validateProximityGraph } from "./proximity-graph/validate.js";
export { decodeProximityGraph } from "./proximity-graph/decode.js";
export type { ExplorerData, GraphData, TraceData } from "./proximity-graph/decode.js";
export { proximityGraphSvg } from "./proximity-graph/svg.js";
export type { ProximityGraphSvgOptions } from "./proximity-graph/svg.js";
export { MIME_CHUNK_PLAN, CHUNK_PLAN_LIMITS } from "./chunk-plan/types.js";
export type {
  ChunkPlanNodes,
  ChunkPlanPayload,
  ChunkPlanRegion,
  ChunkPlanReply,
} from "./chunk-plan/types.js";
export { chunkPlanSchema } from "./chunk-plan/schema.js";
export { validateChunkPlan } from "./chunk-plan/validate.js";
export { decodeChunkPlan } from "./chunk-plan/decode.js";
export type { ChunkPlan } from "./chunk-plan/decode.js";
export { planBlocks, defaultCollapsed } from "./chunk-plan/blocks.js";
export type { Block } from "./chunk-plan/blocks.js";
export { chunkPlanLayout, stripRows } from "./chunk-plan/layout.js";
export type { ChunkPlanLayout, LayoutItem, LayoutGroup } from "./chunk-plan/layout.js";
export { chunkPlanSvg } from "./chunk-plan/svg.js";
export { MIME_PLOTLY, PLOTLY_LIMITS } from "./plotly/types.js";
export type { PlotlyFigure, PlotlyTrace } from "./plotly/types.js";
export { validatePlotly } from "./plotly/validate.js";
export { plotlySvg } from "./plotly/svg.js";
export type { PlotlySvgOptions } from "./plotly/svg.js";
