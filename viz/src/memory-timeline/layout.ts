import type { MemoryEvent, MemoryTimelinePayload } from "./types.js";

/** One allocation drawn as its own band of the stack. */
export interface TimelineBand {
  allocation: number;
  bytes: number;
  label: string;
  op: string;
  /** Event index of the alloc, and of the free (undefined if still live at the end). */
  allocIndex: number;
  freeIndex: number | undefined;
  /** The steps it is live at: `start` up to, not including, `end` (positions in `xs`). */
  start: number;
  end: number;
  /** Bytes stacked below it at each of its steps: `offsets[s - start]` for step `s`. */
  offsets: number[];
}

/** A stacked memory timeline in data units (bytes, and x as the payload's axis measures it). */
export interface MemoryTimelineLayout {
  xAxis: "index" | "time";
  /**
   * Where each step starts, ascending. A step is the state after one event, which holds
   * until the next step; the last one holds until `xEnd`.
   */
  xs: number[];
  xEnd: number;
  /** Live bytes at each step. */
  live: number[];
  /** Allocations with a band of their own, bottom to top in allocation order. */
  bands: TimelineBand[];
  /** Bytes of the bands at each step; the "other" band spans from here up to `live`. */
  banded: number[];
  /** How many allocations the "other" band summarises. */
  otherAllocations: number;
  /** The measured peak: its step, event index, x and bytes; undefined without events. */
  peak: { step: number; index: number; x: number; bytes: number } | undefined;
}

export interface LayoutOptions {
  /** Most steps to keep; a longer log keeps the highest step of each of this many x intervals. */
  maxSteps?: number;
  /** Most allocations with a band of their own; the largest win, the rest go to "other". */
  maxBands?: number;
}

/** An allocation's life in event positions: live after `from`, freed at `to` (n if never). */
interface Life {
  alloc: MemoryEvent;
  from: number;
  to: number;
  freeIndex: number | undefined;
}

/**
 * Stacks allocations over the event log, oldest at the bottom, as PyTorch's memory_viz
 * does: a free lets everything above it slide down. The measured peak and the outline of
 * the stack come from every event; only the drawing detail is bounded by the options.
 * The payload must be valid (`validateMemoryTimeline`).
 *
 * @example
 * const layout = memoryTimelineLayout(payload, { maxSteps: 600, maxBands: 100 });
 * layout.peak?.bytes; // the largest live total
 */
export function memoryTimelineLayout(
  payload: MemoryTimelinePayload,
  options: LayoutOptions = {},
): MemoryTimelineLayout {
  const { events } = payload;
  const xAxis = payload.xAxis ?? "index";
  const xOf = (e: MemoryEvent) => (xAxis === "time" ? e.timeMs : e.index);
  const { liveAfter, lives, peakAt } = replay(events);
  const steps = sampleSteps(events.map(xOf), liveAfter, Math.max(1, options.maxSteps ?? 1000));

  const candidates: { life: Life; start: number; end: number }[] = [];
  for (const life of lives) {
    const start = lowerBound(steps, life.from);
    const end = lowerBound(steps, life.to);
    if (start < end) candidates.push({ life, start, end });
  }
  const chosen = [...candidates]
    .sort((a, b) => b.life.alloc.bytes - a.life.alloc.bytes || a.life.from - b.life.from)
    .slice(0, Math.max(0, options.maxBands ?? 100))
    .sort((a, b) => a.life.from - b.life.from);

  const banded = new Array<number>(steps.length).fill(0);
  const bands = chosen.map(({ life, start, end }): TimelineBand => {
    const { allocation, bytes, label, op, index } = life.alloc;
    const offsets = banded.slice(start, end);
    for (let s = start; s < end; s++) banded[s] = (banded[s] ?? 0) + bytes;
    return {
      allocation,
      bytes,
      label,
      op,
      allocIndex: index,
      freeIndex: life.freeIndex,
      start,
      end,
      offsets,
    };
  });

  const last = events[events.length - 1];
  const peakEvent = events[peakAt];
  return {
    xAxis,
    // The first step starts at the first event even when sampling skipped it, so the
    // drawing covers the whole log.
    xs: steps.map((k, s) => xOf(events[s === 0 ? 0 : k] as MemoryEvent)),
    xEnd: last === undefined ? 0 : xAxis === "time" ? last.timeMs : last.index + 1,
    live: steps.map((k) => liveAfter[k] ?? 0),
    bands,
    banded,
    otherAllocations: candidates.length - bands.length,
    peak:
      peakEvent === undefined
        ? undefined
        : {
            step: lowerBound(steps, peakAt),
            index: peakEvent.index,
            x: xOf(peakEvent),
            bytes: liveAfter[peakAt] ?? 0,
          },
  };
}

/** Live bytes after each event, each allocation's life, and the first event at the peak. */
function replay(events: readonly MemoryEvent[]) {
  const liveAfter = new Float64Array(events.length);
  const lives = new Map<number, Life>();
  let live = 0;
  let peakAt = 0;
  events.forEach((e, k) => {
    if (e.kind === "alloc") {
      live += e.bytes;
      lives.set(e.allocation, { alloc: e, from: k, to: events.length, freeIndex: undefined });
    } else {
      live -= e.bytes;
      const life = lives.get(e.allocation);
      if (life) {
        life.to = k;
        life.freeIndex = e.index;
      }
    }
    liveAfter[k] = live;
    if (live > (liveAfter[peakAt] ?? 0)) peakAt = k;
  });
  return { liveAfter, lives: [...lives.values()], peakAt };
}

/**
 * Event positions to draw: all of them when few enough, else the highest (first on ties)
 * of each of `max` equal x intervals, so the peak is always kept and the outline is
 * exact at every kept step.
 */
export function sampleSteps(
  xs: readonly number[],
  values: ArrayLike<number>,
  max: number,
): number[] {
  const n = xs.length;
  if (n <= max) return Array.from({ length: n }, (_, k) => k);
  const x0 = xs[0] ?? 0;
  const span = (xs[n - 1] ?? 0) - x0;
  const bucketOf = (k: number) =>
    span > 0
      ? Math.min(max - 1, Math.floor((((xs[k] ?? 0) - x0) / span) * max))
      : Math.floor((k * max) / n);
  const kept: number[] = [];
  let bucket = -1;
  for (let k = 0; k < n; k++) {
    const b = bucketOf(k);
    const top = kept[kept.length - 1] ?? 0;
    if (b !== bucket) {
      kept.push(k);
      bucket = b;
    } else if ((values[k] ?? 0) > (values[top] ?? 0)) {
      kept[kept.length - 1] = k;
    }
  }
  return kept;
}

/** The first position in ascending `sorted` whose value is at least `v`. */
function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
