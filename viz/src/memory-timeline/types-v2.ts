import type { LiveRef } from "../widget/live-messages.js";
import type { PredictedPoint } from "./types.js";

/** The versioned MIME type of a v2 memory timeline (DESIGN.md, the MIME contract). */
export const MIME_MEMORY_TIMELINE_V2 = "application/vnd.tessera.memory-timeline.v2+json";

/**
 * Payload bounds. v2 packs events as binary columns (about 30 bytes an event before base64),
 * so 1,000,000 events per run is about 40 MB of payload: the bound where a notebook output is
 * still saveable and the renderer's replay stays under a second. A longer log is summarised
 * by its producer (a window of it, or coarser allocations) before sending.
 */
export const MEMORY_TIMELINE_V2_LIMITS = {
  runs: 4,
  /** Events per run. */
  events: 1_000_000,
  /** Distinct strings per run (labels, ops, nodes, stack traces): one per event at most. */
  strings: 1_000_000,
  /** Characters in all of a run's strings together. */
  stringCharacters: 50_000_000,
  predictedPoints: 10_000,
  /** Characters in the title, a run's name, a label, an op or a node name. */
  text: 200,
  /** Characters in one detail string (a stack trace). */
  detail: 4_000,
} as const;

/**
 * A run's events as columns of a little-endian typed array each, base64-encoded, so a
 * million events travel as about 40 MB of text instead of a JSON list of objects. Event `k`
 * is `kind[k]`, `allocation[k]`, … Strings are indexes into `strings`.
 *
 * Build one with `packMemoryEvents(events)`; read one with `unpackMemoryEvents(packed)`.
 */
export interface PackedMemoryEvents {
  /** Number of events; every column holds this many values. */
  count: number;
  /** Uint8: 0 = alloc, 1 = free. */
  kind: string;
  /** Uint32: the allocation an event belongs to; an alloc and its free share it. */
  allocation: string;
  /** Float64: bytes of the allocation (a free repeats its alloc's size). */
  bytes: string;
  /** Float64: milliseconds since the producer's clock started; non-decreasing. */
  timeMs: string;
  /** Float64: the producer's event index, strictly increasing; absent = 0, 1, 2, … */
  index?: string;
  /** Uint32 into `strings`: the buffer's name. */
  label: string;
  /** Uint32 into `strings`: the operation that owns it (a kernel, "matmul", "user"). */
  op: string;
  /**
   * Uint32 into `strings`: the graph node it belongs to, by which runs are aligned and the
   * chunk-plan widget links nodes; absent = the label.
   */
  node?: string;
  /** Uint32 into `strings`, 0xffffffff = none: more to show on hover (a stack trace). */
  detail?: string;
  /** The strings the index columns point into. */
  strings: string[];
}

/** One run: a named event log, optionally with the live bytes a model predicted for it. */
export interface MemoryRunV2 {
  /** Names the run in the legend and the hover ("unchunked", "chunked"). */
  name: string;
  events: PackedMemoryEvents;
  /** A predicted live-bytes step curve on this run's x axis (event index or ms); x ascending. */
  predicted?: PredictedPoint[];
}

/**
 * `application/vnd.tessera.memory-timeline.v2+json`: one or more runs of allocations and
 * frees, each stacked by allocation over event index or time, drawn on a canvas with zoom,
 * hover and search. Two or more runs are compared one above the other on one x axis; with
 * `align: "node"` (the default for several runs on an index axis) the later runs' x is
 * warped so that the same graph node (the `node` column) sits at the same x as in the first.
 *
 * Events are self-contained per run, as in v1: every free follows the alloc of its
 * allocation; allocations never freed are live at the end.
 */
export interface MemoryTimelineV2Payload {
  version: 2;
  title?: string;
  /** What the x axis measures; default "index". */
  xAxis?: "index" | "time";
  /** How runs share the x axis: by graph node (default with several runs) or not at all. */
  align?: "node" | "none";
  /** A memory budget in bytes, drawn as a horizontal line in every run. */
  budgetBytes?: number;
  runs: MemoryRunV2[];
  /** The kernel-side widget, when there is one (none yet: a reserved, optional link). */
  live?: LiveRef;
}

/** A run's events decoded: typed arrays, one value per event, and the string table. */
export interface MemoryEventColumns {
  count: number;
  kind: Uint8Array;
  allocation: Uint32Array;
  bytes: Float64Array;
  timeMs: Float64Array;
  index: Float64Array;
  label: Uint32Array;
  op: Uint32Array;
  node: Uint32Array;
  /** `NO_DETAIL` where an event has none. */
  detail: Uint32Array;
  strings: readonly string[];
}

/** The `detail` value of an event without one. */
export const NO_DETAIL = 0xffffffff;
