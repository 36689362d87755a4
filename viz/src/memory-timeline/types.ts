/** The versioned MIME type of a memory timeline (DESIGN.md, the MIME contract). */
export const MIME_MEMORY_TIMELINE = "application/vnd.tessera.memory-timeline.v1+json";

/**
 * Payload bounds. A producer with a longer log summarises it before sending (a window,
 * or coarser allocations); the validator rejects anything larger, so a renderer's work
 * is bounded whatever it is sent.
 */
export const MEMORY_TIMELINE_LIMITS = {
  events: 100_000,
  predictedPoints: 10_000,
  /** Characters in the title, a label or an op name. */
  text: 200,
} as const;

/** Whether an event allocates or frees a buffer. */
export type MemoryEventKind = "alloc" | "free";

/**
 * One allocation or release. The same shape as gpu's `MemoryEvent` (gpu/src/memory/tracker.ts),
 * copied rather than imported: this file is the contract, and viz depends on no other package.
 */
export interface MemoryEvent {
  /** Position in the producer's log; strictly increasing along `events`. */
  index: number;
  kind: MemoryEventKind;
  /** The allocation this event belongs to; its alloc and its free share it. */
  allocation: number;
  /** Size of the allocation, in bytes; a free repeats the size of its alloc. */
  bytes: number;
  label: string;
  /** The operation that owns the buffer (a kernel, a graph node, "user"). */
  op: string;
  /** Milliseconds since the producer's clock started; non-decreasing along `events`. */
  timeMs: number;
}

/** A point of a predicted live-bytes curve, a step function: `bytes` holds until the next `x`. */
export interface PredictedPoint {
  /** Position on the payload's x axis: an event index, or milliseconds for `xAxis: "time"`. */
  x: number;
  bytes: number;
}

/**
 * `application/vnd.tessera.memory-timeline.v1+json`: a log of allocations and frees that a
 * renderer stacks by allocation over event index or time, with the measured peak derived
 * from the events (never sent separately, so it cannot disagree with them).
 *
 * Events are self-contained: every free follows the alloc of the same allocation in the
 * payload; allocations never freed are live at the end.
 */
export interface MemoryTimelinePayload {
  version: 1;
  title?: string;
  /** What the x axis measures; default "index". */
  xAxis?: "index" | "time";
  events: MemoryEvent[];
  /** A predicted live-bytes curve (e.g. AutoChunk's estimate) to compare with the measured one; x ascending. */
  predicted?: PredictedPoint[];
  /** A memory budget in bytes, drawn as a horizontal line. */
  budgetBytes?: number;
}
