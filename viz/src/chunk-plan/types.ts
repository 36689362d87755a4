import type { PackedArray } from "../common/packed.js";
import type { MemoryTimelineV2Payload } from "../memory-timeline/types-v2.js";
import type { LiveRef } from "../widget/live-messages.js";

/** The versioned MIME type of a chunk plan (DESIGN.md, the MIME contract). */
export const MIME_CHUNK_PLAN = "application/vnd.tessera.chunk-plan.v1+json";

/**
 * Payload bounds: a renderer's work is bounded whatever it is sent. A 20,000-node program is
 * far beyond the models here (GPT-2 with 70 layers is 2,000 nodes).
 */
export const CHUNK_PLAN_LIMITS = {
  nodes: 20_000,
  edges: 80_000,
  regions: 1_000,
  /** Characters in a name, an op, a type, a reason or the title. */
  text: 400,
  /** Characters of the pseudocode. */
  pseudocode: 4_000_000,
} as const;

/** One chunked region: a loop of the chunked program over a span of the graph's nodes. */
export interface ChunkPlanRegion {
  /** Its loop's name in the pseudocode ("chunk0"). */
  loop: string;
  /** First and last node (indexes into the payload's nodes), in program order. */
  start: number;
  end: number;
  /** The chunk dim of the region's last node, and the extent along it. */
  dim: number;
  length: number;
  /** Indices per iteration and iterations (ceil(length / chunkSize)). */
  chunkSize: number;
  iterations: number;
  /** Nodes run once per chunk, and nodes computed whole before the loop. */
  bodyNodes: number;
  hoistedNodes: number;
  /** Predicted peak over the region, unchunked and chunked. */
  peakBytes: { before: number; after: number };
  /** Predicted seconds of the region, unchunked and chunked. */
  seconds: { before: number; after: number };
}

/**
 * Per-node columns. Texts are JSON string arrays; numbers are packed typed arrays of
 * `nodes.name.length` elements.
 */
export interface ChunkPlanNodes {
  name: string[];
  op: string[];
  /** The value's type as the pseudocode prints it: "f32[1,1024,768]". */
  type: string[];
  /** Why the node is, or is not, in a region: the legality reason the search recorded. */
  reason: string[];
  /** f32: bytes of its output (0 for views and inputs). */
  outputBytes: PackedArray;
  /** f32: the most activation bytes live while it runs, before and after chunking. */
  beforeBytes: PackedArray;
  afterBytes: PackedArray;
  /** u16: 1 + the index of its region in `regions`, 0 when in none. */
  region: PackedArray;
  /** u32: its line in `pseudocode` (1-based), 0 when it has none. */
  line: PackedArray;
}

/**
 * `application/vnd.tessera.chunk-plan.v1+json`: an AutoChunk plan as a directed acyclic graph
 * of the program's activations (parameters are left out), each node's predicted memory before
 * and after chunking, the chunked regions, and the chunked program as pseudocode. With `live`,
 * the widget re-plans at another budget through the kernel (method `plan`).
 */
export interface ChunkPlanPayload {
  version: 1;
  title?: string;
  /** The activation budget the plan fits, in bytes. */
  budgetBytes: number;
  /** The lowest peak the search can reach: a budget below it cannot be met. */
  minimumBytes?: number;
  /** Predicted activation peak of the program before and after chunking. */
  peakBytes: { before: number; after: number };
  /** The nodes where those peaks are (indexes into `nodes`). */
  peakNode: { before: number; after: number };
  nodes: ChunkPlanNodes;
  /** u32 pairs [from, to, from, to, …]: node `to` reads node `from`; from < to. */
  edges: PackedArray;
  regions: ChunkPlanRegion[];
  /** The chunked program, one statement per line. */
  pseudocode: string;
  /** Shown instead of a new plan when a re-plan failed (an impossible budget). */
  message?: string;
  /**
   * Measured memory timelines of runs of the program (unchunked, chunked), drawn under the
   * plan and linked to it by node name (the runs' `node` column): hovering an allocation lights
   * its node, hovering a node lights its allocations. They belong to the plan they came with.
   */
  timelines?: MemoryTimelineV2Payload;
  live?: LiveRef;
}

/** What the kernel's `plan` method answers: a new payload, or why there is none. */
export type ChunkPlanReply =
  | { ok: true; payload: ChunkPlanPayload }
  | { ok: false; budgetBytes: number; minimumBytes?: number; message: string };
