import type { WidgetSpec } from "../widget/mount.js";
import { memoryTimelineSvg } from "./svg.js";
import { MIME_MEMORY_TIMELINE, type MemoryTimelinePayload } from "./types.js";
import { validateMemoryTimeline } from "./validate.js";

/**
 * The v1 memory timeline: the static SVG (one band per allocation, native tooltips), kept so
 * notebooks saved with v1 outputs still render. The SVG scales to the output's width.
 */
export const memoryTimelineV1Widget: WidgetSpec<MemoryTimelinePayload> = {
  mimeType: MIME_MEMORY_TIMELINE,
  name: "memory timeline",
  validate: validateMemoryTimeline,
  render(element, payload) {
    const show = (p: MemoryTimelinePayload): void => {
      // Safe as markup: the SVG writer escapes every text it writes.
      element.innerHTML = memoryTimelineSvg(p);
      element.classList.add("tessera-memory-timeline-v1");
    };
    show(payload);
    return {
      update: show,
      redraw: () => {},
      dispose: () => element.replaceChildren(),
    };
  },
};
