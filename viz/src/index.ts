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
export type { Validation } from "./common/problems.js";
export { formatBytes } from "./common/bytes.js";
export { escapeXml } from "./common/xml.js";
export { LIVE_TARGET } from "./widget/live-messages.js";
export type { LiveOpen, LiveRef, LiveRequest, LiveResponse } from "./widget/live-messages.js";
