/**
 * The API of Tessera's kernel for notebook cells. `display`, `clearOutput`, `progress`,
 * `openComm`, `registerCommTarget`, `input` and `prompt` are also variables in every cell.
 *
 * @example
 * import { display, progress } from "@tessera/kernel";
 * for (const x of progress([1, 2, 3])) display(x * 2);
 */
export { display, clearOutput } from "./api/display.js";
export type { DisplayHandle, DisplayOptions } from "./api/display.js";
export { progress } from "./api/progress.js";
export type { ProgressBar, ProgressOptions } from "./api/progress.js";
export { openComm, registerCommTarget } from "./api/comms.js";
export { input, prompt } from "./api/input.js";
export type { InputOptions } from "./api/input.js";
export type { Comm, CommData, CommMessage, CommTargetHandler } from "./comms/manager.js";
export { JUPYTER_DISPLAY } from "./display/bundle.js";
export type { Displayable, MimeBundle } from "./display/bundle.js";
export { memoryTimeline, autochunkNode } from "./api/memory-timeline.js";
export type {
  MemoryEventSource,
  MemoryTimeline,
  MemoryTimelineOptions,
  NodePrediction,
  Prediction,
} from "./api/memory-timeline.js";
export { proximityGraph } from "./api/proximity-graph.js";
export type { ProximityGraph, ProximityGraphOptions } from "./api/proximity-graph.js";
export { chunkPlanView, chunkPlanPayload, lowestPeak } from "./api/chunk-plan.js";
export type { ChunkPlanView, ChunkPlanViewOptions } from "./api/chunk-plan.js";
export { figure, recallQpsFigure, barFigure } from "./api/figure.js";
export type { Figure, RecallSeries } from "./api/figure.js";
export { provenance, provenanceBundle } from "./api/provenance.js";
export type { Provenance, ProvenanceRecord } from "./api/provenance.js";
export * from "./api/peers/index.js";
