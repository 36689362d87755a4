import type { KnnGraph } from "../types.js";
import type { DistanceTile } from "./distance-tile.js";
import type { KernelViews, Kernels } from "./kernels.js";

/*
 * NN-descent's state in kernel memory: every node's candidate list, the stamps that mark
 * which ids a list holds, and the buffer of rows gathered for one join; and the join's two
 * steps, which run in WebAssembly (nn-descent-kernel.ts).
 */

/** Flag bit of a candidate not yet joined; node ids stay below it. */
export const NEW = 0x80000000;
/** Mask of the id bits. */
export const ID = 0x7fffffff;

/**
 * Every node's candidate list in kernel memory: `k` (distance, id) pairs at byte offsets
 * dAt/iAt + node·k·4, sorted ascending by distance, the "new" flag in bit 31 of the id.
 * Unfilled slots hold (+∞, n): n is the empty id.
 */
export interface Lists {
  readonly k: number;
  readonly dAt: number;
  readonly iAt: number;
  readonly distances: Float32Array;
  readonly ids: Uint32Array;
}

/**
 * The n lists of `degree` entries at byte offsets dAt and iAt, seen from any thread's
 * instance (empty lists are filled with emptyLists).
 */
export function listsAt(
  kernels: KernelViews,
  n: number,
  degree: number,
  dAt: number,
  iAt: number,
): Lists {
  return {
    k: degree,
    dAt,
    iAt,
    distances: kernels.f32.subarray(dAt / 4, dAt / 4 + n * degree),
    ids: kernels.u32.subarray(iAt / 4, iAt / 4 + n * degree),
  };
}

/** Ids of the rows gathered into the tile for one join, in kernel memory at `at`. */
export interface RowBuffer {
  readonly ids: Uint32Array;
  readonly at: number;
}

/** Makes every list empty: (+∞, n) in every slot. */
export function emptyLists(lists: Lists): void {
  lists.distances.fill(Infinity);
  lists.ids.fill(lists.ids.length / lists.k);
}

export function createRowBuffer(kernels: Kernels, capacity: number): RowBuffer {
  const at = kernels.reserve(capacity * 4);
  return { ids: kernels.u32.subarray(at / 4, at / 4 + capacity), at };
}

/**
 * Marks in kernel memory, one slot per id and one for the empty id n: `marks[id] === m`
 * means id was seen under mark m. Marks only grow, so old ones never match.
 */
export interface Stamps {
  readonly marks: Uint32Array;
  readonly at: number;
  next: number;
}

export function createStamps(kernels: Kernels, n: number): Stamps {
  const at = kernels.reserve((n + 1) * 4);
  return { marks: kernels.u32.subarray(at / 4, at / 4 + n + 1), at, next: 1 };
}

/** Reserves `count` fresh marks and returns the first (zero is never a mark). */
export function takeMarks(stamps: Stamps, count: number): number {
  if (stamps.next + count > 0xffffffff) {
    stamps.marks.fill(0);
    stamps.next = 1;
  }
  const first = stamps.next;
  stamps.next += count;
  return first;
}

/**
 * Writes at byte `out` an entry (a, b, d) for each pair of rows[0 .. count) with one in
 * rows[0 .. nNew) that would enter the list of a (emit in nn-descent-kernel.ts); returns
 * how many. applyEntries offers them to the lists.
 */
export function emitRows(
  tile: DistanceTile,
  rows: RowBuffer,
  nNew: number,
  count: number,
  lists: Lists,
  stamps: Stamps,
  kernels: KernelViews,
  out: number,
): number {
  const mark = takeMarks(stamps, count);
  const { dAt, iAt, k } = lists;
  return kernels.run.emit(
    tile.distancesAt,
    tile.stride,
    rows.at,
    nNew,
    count,
    dAt,
    iAt,
    k,
    stamps.at,
    mark,
    out,
  );
}

/** The lists of ids with ((id >> shift) & mask) === index: a thread's share of the lists. */
export interface Stripe {
  readonly shift: number;
  readonly mask: number;
  readonly index: number;
}

/** The stripe of every list. */
export const ALL_LISTS: Stripe = { shift: 0, mask: 0, index: 0 };

/**
 * Offers the `count` entries at byte `entries` to the lists of the stripe (see apply in
 * nn-descent-kernel.ts). Returns the list entries changed.
 */
export function applyEntries(
  entries: number,
  count: number,
  lists: Lists,
  kernels: KernelViews,
  stripe: Stripe = ALL_LISTS,
): number {
  const { dAt, iAt, k } = lists;
  return kernels.run.apply(entries, count, stripe.shift, stripe.mask, stripe.index, dAt, iAt, k);
}

/** Clears the new flag of every entry. */
export function markOld(ids: Uint32Array): void {
  for (let s = 0; s < ids.length; s++) ids[s] = ids[s]! & ID;
}

/**
 * The first k entries of every list, flags cleared, sorted by (distance, id), in the
 * dataset's numbering (node v is row order[v]). Lists are sorted by distance already, so
 * only runs of equal distances move.
 */
export function sortedRows(lists: Lists, order: Uint32Array, k: number): KnnGraph {
  const n = order.length;
  const degree = lists.k;
  const { ids, distances } = lists;
  const neighbors = new Uint32Array(n * k);
  const rowDistances = new Float32Array(n * k);
  for (let v = 0; v < n; v++) {
    const at = v * degree;
    for (let i = at; i < at + k; i++) {
      const d = distances[i]!;
      const id = order[ids[i]! & ID]!;
      let j = i;
      while (j > at && distances[j - 1] === d && ids[j - 1]! > id) {
        ids[j] = ids[j - 1]!;
        j--;
      }
      ids[j] = id;
    }
    const row = order[v]!;
    neighbors.set(ids.subarray(at, at + k), row * k);
    rowDistances.set(distances.subarray(at, at + k), row * k);
  }
  return { neighbors, distances: rowDistances, size: n, degree: k };
}
