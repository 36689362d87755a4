/**
 * `@tessera/viz/dom`: the renderers (DOM, Canvas, WebGL) and the widget contract. The
 * package's main entry stays DOM-free, so the kernel can import schemas, validators and the
 * static SVG writers in Node.
 *
 * @example
 * import { WIDGETS, mountWidget } from "@tessera/viz/dom";
 * const spec = WIDGETS.find((w) => w.mimeType === mimeType)!;
 * const handle = mountWidget(element, spec, payload, { live });
 */
export { WIDGETS } from "./widgets.js";
export { mountWidget } from "./widget/mount.js";
export type { WidgetSpec } from "./widget/mount.js";
export { errorBox } from "./widget/error-box.js";
export { liveStatus } from "./widget/live-status.js";
export { themeColors, luminance, parseColor } from "./widget/theme.js";
export type { ThemeColors } from "./widget/theme.js";
export type {
  LiveChannel,
  LiveReply,
  LiveState,
  Renderer,
  WidgetHandle,
  WidgetOptions,
} from "./widget/types.js";
export { LIVE_TARGET } from "./widget/live-messages.js";
export type { LiveOpen, LiveRef, LiveRequest, LiveResponse } from "./widget/live-messages.js";
export { renderMemoryTimeline } from "./memory-timeline/render-v2.js";
export type { MemoryTimelineHandle, MemoryTimelineOptions } from "./memory-timeline/render-v2.js";
export { MIME_MEMORY_TIMELINE_V2 } from "./memory-timeline/types-v2.js";
export type { MemoryTimelineV2Payload } from "./memory-timeline/types-v2.js";
export { chunkPlanWidget } from "./chunk-plan/widget.js";
export { budgetScale, requestPlans } from "./chunk-plan/slider.js";
export { forgetLayouts } from "./chunk-plan/layout.js";
export { decodeProximityGraph } from "./proximity-graph/decode.js";
