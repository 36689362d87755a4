import {
  formatBytes,
  MIME_MEMORY_TIMELINE,
  memoryTimelineSvg,
  validateMemoryTimeline,
  type MemoryEvent,
  type MemoryTimelinePayload,
  type PredictedPoint,
} from "@tessera/viz";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";

export interface MemoryTimelineOptions {
  title?: string;
  /** Plot over event index (default) or over time. */
  xAxis?: "index" | "time";
  /** A predicted live-bytes curve to compare with the measured one. */
  predicted?: PredictedPoint[];
  /** A memory budget, drawn as a line. */
  budgetBytes?: number;
}

/** A displayable memory timeline; `payload` is the plain data the widget gets. */
export interface MemoryTimeline extends Displayable {
  readonly payload: MemoryTimelinePayload;
}

/**
 * The memory timeline of a tracker (anything with `events`, such as gpu's MemoryTracker)
 * or of an event list. As a cell's last value it renders as an interactive timeline in
 * JupyterLab, and as SVG or text elsewhere.
 *
 * @example
 * const mem = new MemoryTracker();
 * const a = mem.alloc(1 << 20, "activations", "matmul");
 * mem.free(a);
 * memoryTimeline(mem, { title: "one matmul" });
 */
export function memoryTimeline(
  source: { readonly events: readonly MemoryEvent[] } | readonly MemoryEvent[],
  options: MemoryTimelineOptions = {},
): MemoryTimeline {
  const events = Array.isArray(source)
    ? source
    : (source as { events: readonly MemoryEvent[] }).events;
  if (!Array.isArray(events)) {
    throw new TypeError(
      "memoryTimeline() takes a MemoryTracker (or anything with `events`) or an array of memory events.",
    );
  }
  const payload: MemoryTimelinePayload = {
    version: 1,
    events: events.map((e) => ({ ...e })),
    ...options,
  };
  const checked = validateMemoryTimeline(payload);
  if (!checked.ok) {
    throw new TypeError(
      `memoryTimeline(): the events do not form a valid timeline:\n  ${checked.errors.join("\n  ")}`,
    );
  }
  return {
    payload,
    [JUPYTER_DISPLAY]: (): MimeBundle => ({
      [MIME_MEMORY_TIMELINE]: payload,
      "image/svg+xml": memoryTimelineSvg(payload),
      "text/plain": summary(payload),
    }),
  };
}

function summary(p: MemoryTimelinePayload): string {
  let live = 0;
  let peak = 0;
  let peakAt = -1;
  for (const e of p.events) {
    live += e.kind === "alloc" ? e.bytes : -e.bytes;
    if (live > peak) [peak, peakAt] = [live, e.index];
  }
  const title = p.title ? `${p.title}: ` : "";
  return `${title}memory timeline of ${p.events.length} events, peak ${formatBytes(peak)}${peakAt >= 0 ? ` at event ${peakAt}` : ""}, ${formatBytes(live)} live at the end`;
}
