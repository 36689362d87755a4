import type { WidgetSpec } from "../widget/mount.js";
import { renderMemoryTimeline } from "./render-v2.js";
import { MIME_MEMORY_TIMELINE_V2, type MemoryTimelineV2Payload } from "./types-v2.js";
import { validateMemoryTimelineV2 } from "./validate-v2.js";

/** The v2 memory timeline: canvas, zoom, hover, search, runs compared (render-v2.ts). */
export const memoryTimelineV2Widget: WidgetSpec<MemoryTimelineV2Payload> = {
  mimeType: MIME_MEMORY_TIMELINE_V2,
  name: "memory timeline",
  validate: validateMemoryTimelineV2,
  render: renderMemoryTimeline,
  liveId: (payload) => payload.live?.id,
};
