import type { Random } from "../../common/random.js";
import { internalDistance } from "../distance.js";
import type { Metric } from "../types.js";
import type { DistanceTile } from "./distance-tile.js";
import type { Kernels } from "./kernels.js";
import {
  ID,
  joinRows,
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
 * Joins every pair of each leaf from `leaf` on, until at least `rowsBudget` rows were
 * covered; returns the index of the next leaf.
 */
export function joinLeaves(
  dataAt: number,
  leaves: Leaves,
  leaf: number,
  rowsBudget: number,
  lists: Lists,
  tile: DistanceTile,
  rows: RowBuffer,
  stamps: Stamps,
  kernels: Kernels,
): number {
  const { order, starts } = leaves;
  const until = starts[leaf]! + rowsBudget;
  for (; leaf + 1 < starts.length && starts[leaf]! < until; leaf++) {
    const count = starts[leaf + 1]! - starts[leaf]!;
    if (count < 2) continue;
    rows.ids.set(order.subarray(starts[leaf]!, starts[leaf + 1]!));
    tile.gatherX(dataAt, rows.at, count);
    tile.compute(count, count, true);
    joinRows(tile, rows, count, count, lists, stamps, kernels);
  }
  return leaf;
}

/** Completes lists that leaves left short with random distinct rows (rare: tiny leaves). */
export function fillRandomly(
  data: Float32Array,
  dim: number,
  metric: Metric,
  lists: Lists,
  kernels: Kernels,
  stamps: Stamps,
  rand: Random,
): void {
  const { k: degree, ids, dAt, iAt } = lists;
  const n = ids.length / degree;
  const marks = stamps.marks;
  const distance = internalDistance(metric);
  for (let v = 0; v < n; v++) {
    const at = v * degree;
    if (ids[at + degree - 1] !== n) continue;
    const mark = takeMarks(stamps, 1);
    marks[v] = mark;
    let size = 0;
    for (; size < degree && ids[at + size] !== n; size++) marks[ids[at + size]! & ID] = mark;
    for (; size < degree; size++) {
      let b = Math.floor(rand() * n);
      while (marks[b] === mark) b = Math.floor(rand() * n);
      marks[b] = mark;
      const d = distance(data, v, data, b, dim);
      kernels.run.update(dAt + at * 4, iAt + at * 4, degree, d, b);
    }
  }
}

/** The leaves' order when rows are numbered in leaf order already: 0, 1, …, n − 1. */
export function identity(n: number): Uint32Array {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  return ids;
}
