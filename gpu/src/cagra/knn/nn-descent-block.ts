import type { Metric } from "../types.js";
import { createDistanceTile, distanceTileBytes, paddedDim } from "./distance-tile.js";
import { reserveWithin, type KernelViews } from "./kernels.js";
import {
  applyEntries,
  createRowBuffer,
  createStamps,
  emitRows,
  listsAt,
  takeMarks,
  type Lists,
} from "./nn-descent-lists.js";
import { joinLeaf, leafEntries } from "./nn-descent-seed.js";
import type { Leaves } from "./rp-tree.js";
import {
  reserveSamples,
  sampleForward,
  sampleReverse,
  samplesAt,
  type Samples,
  type SamplesOffsets,
} from "./nn-descent-samples.js";

/*
 * One NN-descent iteration over a block of nodes in two phases (PyNNDescent's parallel
 * iteration), so that any number of threads computes the same lists:
 * 1. join: threads claim chunks of the block's nodes; each node's local join writes the
 *    entries (list, partner, distance) that would enter a list, as the list stands, to its
 *    chunk's part of the entry buffer. No list is written, so every thread sees the lists as
 *    they were when the block began.
 * 2. apply: threads claim stripes of list ids; each offers every entry of the block for a
 *    list of its stripe, chunk by chunk in emission order. Each list gets its offers in the
 *    same order whatever the number of threads, so it ends the same.
 * Seeding (a tree's leaves) and sampling (forward, then reverse) are split the same way.
 * The functions here run on the calling thread and on workers alike (nn-descent-task.ts),
 * over one memory; NnDescentLayout says where everything lies in it.
 */

/** Nodes whose joins share one view of the lists (PyNNDescent's block_size is 16384). */
export const BLOCK_NODES = 4096;
/** Nodes a thread claims at a time in the join phase. */
export const CHUNK_NODES = 64;
/** Nodes a thread claims at a time while sampling. */
const CHUNK_SAMPLED = 1024;
/** Leaves a thread claims at a time while seeding. */
const CHUNK_LEAVES = 8;
/** Lists of 2^STRIPE_SHIFT consecutive ids make one stripe of the apply phase. */
const STRIPE_SHIFT = 6;

/** Where NN-descent's state lies in kernel memory: plain data, posted to workers. */
export interface NnDescentLayout {
  readonly n: number;
  readonly dim: number;
  readonly metric: Metric;
  /** Entries per list. */
  readonly degree: number;
  /** Rows in a distance tile: the most that one join gathers. */
  readonly tileRows: number;
  /** The rows, paddedDim(dim) floats each. */
  readonly dataAt: number;
  readonly listsD: number;
  readonly listsI: number;
  readonly samples: number;
  readonly samplesAt: SamplesOffsets;
  /** Each node's starting slot for this iteration's forward samples (drawSampleStarts). */
  readonly sampleStartsAt: number;
  /** A tree's leaves while seeding: n row ids, then up to n + 1 leaf starts. */
  readonly leavesAt: number;
  readonly startsAt: number;
  /** Two i32 counters: the next chunk of the join phase, the next stripe of the apply phase. */
  readonly claimsAt: number;
  /** Entries each chunk of the block wrote (u32 per chunk). */
  readonly countsAt: number;
  /**
   * The entry buffer: chunk c's entries from byte entriesAt + c·CHUNK_NODES·maxEntries·12; while
   * seeding, thread t's from entriesAt + t·leafEntries(degree + 1)·12.
   */
  readonly entriesAt: number;
  /** The most entries one node's join writes. */
  readonly maxEntries: number;
  /** Each thread's scratch (a tile, a row buffer and stamps) at slots[t], slotBytes long. */
  readonly slots: readonly number[];
  readonly slotBytes: number;
}

/** The most entries a join of `samples` new and as many old candidates writes (both ways). */
function maxEntriesPerNode(samples: number): number {
  return samples * (samples - 1) + 2 * samples * samples;
}

/** What reserveLayout lays out. */
export interface LayoutParams {
  readonly n: number;
  readonly dim: number;
  readonly metric: Metric;
  readonly degree: number;
  readonly samples: number;
  readonly tileRows: number;
  readonly threads: number;
}

/**
 * Reserves NN-descent's state through `reserve` (a Kernels' reserve, or a counter to size the
 * memory first) and returns where it lies.
 */
export function reserveLayout(
  reserve: (bytes: number) => number,
  params: LayoutParams,
): NnDescentLayout {
  const { n, dim, degree, samples, tileRows, threads } = params;
  const maxEntries = maxEntriesPerNode(samples);
  const scratchBytes =
    distanceTileBytes(dim, tileRows, tileRows) + tileRows * 4 + (n + 1) * 4 + 3 * 16;
  return {
    n,
    dim,
    metric: params.metric,
    degree,
    tileRows,
    dataAt: reserve(n * paddedDim(dim) * 4),
    listsD: reserve(n * degree * 4),
    listsI: reserve(n * degree * 4),
    samples,
    samplesAt: reserveSamples(reserve, n, samples),
    sampleStartsAt: reserve(n * 4),
    leavesAt: reserve(n * 4),
    startsAt: reserve((n + 1) * 4),
    claimsAt: reserve(2 * 4),
    countsAt: reserve((BLOCK_NODES / CHUNK_NODES) * 4),
    // Room for a block's joins, and for the join of one leaf of degree + 1 rows when seeding.
    entriesAt: reserve(Math.max(BLOCK_NODES * maxEntries, threads * leafEntries(degree + 1)) * 12),
    maxEntries,
    slots: Array.from({ length: threads }, () => reserve(scratchBytes)),
    slotBytes: scratchBytes,
  };
}

/** A thread's view of the state in `layout`. */
export interface BlockState {
  readonly kernels: KernelViews;
  readonly layout: NnDescentLayout;
  readonly lists: Lists;
  readonly samples: Samples;
  readonly sampleStarts: Uint32Array;
  readonly claims: Int32Array;
  readonly counts: Uint32Array;
  /** The tree being seeded from. */
  readonly leaves: Leaves;
}

export function blockState(kernels: KernelViews, layout: NnDescentLayout): BlockState {
  const { n, degree, listsD, listsI, samples, samplesAt: at, claimsAt, countsAt } = layout;
  return {
    kernels,
    layout,
    lists: listsAt(kernels, n, degree, listsD, listsI),
    samples: samplesAt(kernels, n, samples, at),
    sampleStarts: kernels.u32.subarray(layout.sampleStartsAt / 4, layout.sampleStartsAt / 4 + n),
    claims: new Int32Array(kernels.u32.buffer, claimsAt, 2),
    counts: kernels.u32.subarray(countsAt / 4, countsAt / 4 + BLOCK_NODES / CHUNK_NODES),
    leaves: {
      order: kernels.u32.subarray(layout.leavesAt / 4, layout.leavesAt / 4 + n),
      starts: kernels.u32.subarray(layout.startsAt / 4, layout.startsAt / 4 + n + 1),
    },
  };
}

/** Thread `slot`'s tile, row buffer and stamps, laid out afresh in its part of the memory. */
export function slotScratch(state: BlockState, slot: number) {
  const { kernels, layout } = state;
  const { n, dim, metric, tileRows, slots } = layout;
  const own = reserveWithin(kernels, slots[slot]!, layout.slotBytes);
  const tile = createDistanceTile(own, metric, dim, tileRows, tileRows);
  const rows = createRowBuffer(own, tileRows);
  const stamps = createStamps(own, n);
  // Marks left by an earlier call (maybe of another thread) must not match new ones.
  stamps.marks.fill(0);
  return { kernels: own, tile, rows, stamps };
}

export type Scratch = ReturnType<typeof slotScratch>;

/** Which counter of `claims` a phase claims its work from. */
export const JOIN = 0;
export const APPLY = 1;

/**
 * Seeding from the tree in state.leaves, leaves first .. end − 1: claims chunks of leaves
 * until none is left and joins each leaf (lists of one leaf are touched by its join only).
 */
export function seedBlock(
  state: BlockState,
  scratch: Scratch,
  slot: number,
  first: number,
  end: number,
): void {
  const { claims, layout, lists, leaves } = state;
  const { tile, rows, stamps, kernels } = scratch;
  const entriesAt = layout.entriesAt + slot * leafEntries(layout.degree + 1) * 12;
  for (;;) {
    const from = first + Atomics.add(claims, JOIN, 1) * CHUNK_LEAVES;
    if (from >= end) return;
    for (let leaf = from; leaf < Math.min(end, from + CHUNK_LEAVES); leaf++) {
      joinLeaf(layout.dataAt, leaves, leaf, lists, tile, rows, stamps, kernels, entriesAt);
    }
  }
}

/** Forward samples of nodes first .. end − 1, in chunks claimed until none is left. */
export function sampleBlock(state: BlockState, first: number, end: number): void {
  const { claims, lists, samples, sampleStarts } = state;
  for (;;) {
    const from = first + Atomics.add(claims, JOIN, 1) * CHUNK_SAMPLED;
    if (from >= end) return;
    sampleForward(lists, samples, sampleStarts, from, Math.min(end, from + CHUNK_SAMPLED));
  }
}

/**
 * Reverse samples, visiting the nodes from `rotation` round: claims stripes (out of
 * `stripes`) until none is left and adds the reverse samples of the stripe's nodes.
 */
export function reverseBlock(state: BlockState, rotation: number, stripes: number): void {
  for (;;) {
    const index = Atomics.add(state.claims, APPLY, 1);
    if (index >= stripes) return;
    sampleReverse(state.samples, rotation, { shift: STRIPE_SHIFT, mask: stripes - 1, index });
  }
}

/**
 * Phase 1 for nodes first .. end − 1: claims chunks until none is left and writes each
 * chunk's entries and their count.
 */
export function joinBlock(state: BlockState, scratch: Scratch, first: number, end: number): void {
  const { claims, counts, layout } = state;
  const chunks = Math.ceil((end - first) / CHUNK_NODES);
  const chunkBytes = CHUNK_NODES * layout.maxEntries * 12;
  for (;;) {
    const c = Atomics.add(claims, JOIN, 1);
    if (c >= chunks) return;
    const from = first + c * CHUNK_NODES;
    const to = Math.min(end, from + CHUNK_NODES);
    let out = layout.entriesAt + c * chunkBytes;
    let entries = 0;
    for (let v = from; v < to; v++) {
      const written = localJoin(v, state, scratch, out);
      entries += written;
      out += written * 12;
    }
    counts[c] = entries;
  }
}

/**
 * Phase 2 for the entries of nodes first .. end − 1: claims stripes (out of `stripes`, a
 * power of two) until none is left and applies the block's entries to the stripe's lists. Returns the
 * list entries it changed.
 */
export function applyBlock(state: BlockState, first: number, end: number, stripes: number): number {
  const { claims, counts, layout, lists, kernels } = state;
  const chunks = Math.ceil((end - first) / CHUNK_NODES);
  const chunkBytes = CHUNK_NODES * layout.maxEntries * 12;
  let changed = 0;
  for (;;) {
    const index = Atomics.add(claims, APPLY, 1);
    if (index >= stripes) return changed;
    const stripe = { shift: STRIPE_SHIFT, mask: stripes - 1, index };
    for (let c = 0; c < chunks; c++) {
      changed += applyEntries(
        layout.entriesAt + c * chunkBytes,
        counts[c]!,
        lists,
        kernels,
        stripe,
      );
    }
  }
}

/** The stripes for `threads` threads: a power of two, so a stripe is a mask of the id. */
export function stripesFor(threads: number): number {
  let stripes = 1;
  while (stripes < threads) stripes *= 2;
  return stripes;
}

/**
 * The local join of node v: its new samples and old ones, each id once, gathered into the
 * tile; every new–new and new–old pair that would enter a list is written as an entry at byte
 * `out`. Returns the number of entries written.
 */
function localJoin(v: number, state: BlockState, scratch: Scratch, out: number): number {
  const { samples, newIds, newCounts, oldIds, oldCounts } = state.samples;
  const { tile, rows, stamps, kernels } = scratch;
  const mark = takeMarks(stamps, 1);
  const marks = stamps.marks;
  const gathered = rows.ids;
  let count = 0;
  const base = v * samples;
  for (let s = 0; s < newCounts[v]!; s++) {
    const id = newIds[base + s]!;
    if (marks[id] !== mark) {
      marks[id] = mark;
      gathered[count++] = id;
    }
  }
  const nNew = count;
  if (nNew === 0) return 0;
  for (let s = 0; s < oldCounts[v]!; s++) {
    const id = oldIds[base + s]!;
    if (marks[id] !== mark) {
      marks[id] = mark;
      gathered[count++] = id;
    }
  }
  if (count < 2) return 0;
  tile.gatherX(state.layout.dataAt, rows.at, count);
  tile.compute(count, nNew, true);
  return emitRows(tile, rows, nNew, count, state.lists, stamps, kernels, out);
}
