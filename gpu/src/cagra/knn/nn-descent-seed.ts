import type { Random } from "../../common/random.js";
import type { DistanceTile } from "./distance-tile.js";
import type { KernelViews, Kernels } from "./kernels.js";
import {
  applyEntries,
  emitRows,
  ID,
  takeMarks,
  type Lists,
  type RowBuffer,
  type Stamps,
} from "./nn-descent-lists.js";
import type { Leaves } from "./rp-tree.js";

/*
 * Seeding NN-descent's lists: every pair of rows that share a random-projection-tree leaf is
 * joined, and lists the leaves left short are completed with random rows.
 */

/**
 * Joins every pair of rows of leaf `leaf`: writes their entries at byte `entriesAt` (room for
 * leafEntries(rows in a leaf)) and applies them at once. Within one tree a list is offered
 * pairs of its own leaf only, so threads can join different leaves together.
 */
export function joinLeaf(
  dataAt: number,
  leaves: Leaves,
  leaf: number,
  lists: Lists,
  tile: DistanceTile,
  rows: RowBuffer,
  stamps: Stamps,
  kernels: KernelViews,
  entriesAt: number,
): void {
  const { order, starts } = leaves;
  const count = starts[leaf + 1]! - starts[leaf]!;
  if (count < 2) return;
  rows.ids.set(order.subarray(starts[leaf]!, starts[leaf + 1]!));
  tile.gatherX(dataAt, rows.at, count);
  tile.compute(count, count, true);
  const entries = emitRows(tile, rows, count, count, lists, stamps, kernels, entriesAt);
  applyEntries(entriesAt, entries, lists, kernels);
}

/**
 * Completes lists that leaves left short with random distinct rows (rare: tiny leaves). The
 * distances come from the tile, as every other pair's do, so a later offer of the same pair
 * has the same bits and `update` finds it listed.
 */
export function fillRandomly(
  dataAt: number,
  lists: Lists,
  tile: DistanceTile,
  rows: RowBuffer,
  kernels: Kernels,
  stamps: Stamps,
  rand: Random,
): void {
  const { k: degree, ids, dAt, iAt } = lists;
  const n = ids.length / degree;
  const marks = stamps.marks;
  const gathered = rows.ids;
  for (let v = 0; v < n; v++) {
    const at = v * degree;
    if (ids[at + degree - 1] !== n) continue;
    const mark = takeMarks(stamps, 1);
    marks[v] = mark;
    let size = 0;
    for (; size < degree && ids[at + size] !== n; size++) marks[ids[at + size]! & ID] = mark;
    gathered[0] = v;
    let count = 1;
    for (; size < degree; size++) {
      let b = Math.floor(rand() * n);
      while (marks[b] === mark) b = Math.floor(rand() * n);
      marks[b] = mark;
      gathered[count++] = b;
    }
    tile.gatherX(dataAt, rows.at, count);
    tile.compute(count, 1, true);
    for (let x = 1; x < count; x++) {
      kernels.run.update(dAt + at * 4, iAt + at * 4, degree, tile.distances[x]!, gathered[x]!);
    }
  }
}

/** The most entries the join of a leaf of `rows` rows writes: one per ordered pair. */
export function leafEntries(rows: number): number {
  return rows * (rows - 1);
}

/** The leaves' order when rows are numbered in leaf order already: 0, 1, …, n − 1. */
export function identity(n: number): Uint32Array {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  return ids;
}
