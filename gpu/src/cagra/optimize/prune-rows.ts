import type { Graph } from "../types.js";
import { createDetourCounter, type DetourCounter } from "./detour-count.js";
import { createPruneScratch, pruneRow, type PruneScratch } from "./prune.js";

/** Rows between progress reports and abort checks: about 20 ms at degree 128. */
export const PRUNE_BATCH_ROWS = 1024;

/** The per-thread state of detour counting and pruning, reused across rows. */
export interface PruneWorkspace {
  readonly order: Uint32Array;
  readonly counter: DetourCounter;
  readonly scratch: PruneScratch;
}

/**
 * A workspace for the rows of `knn`, visited in `order` (localityOrder(knn)): the kNN graph
 * is copied once into the detour kernel's memory.
 */
export function createPruneWorkspace(knn: Graph, order: Uint32Array): PruneWorkspace {
  return { order, counter: createDetourCounter(knn, order), scratch: createPruneScratch(knn) };
}

/**
 * Steps 1 and 2 of optimize() fused, like cuVS's `kern_fused_prune`, for the rows at positions
 * first .. first + count − 1 of the workspace's order: counts the detours of each row and
 * writes its `graphDegree` kept neighbours into its row of `out` [size, graphDegree], so no
 * [size, degree] count array is ever stored.
 */
export function pruneRows(
  knn: Graph,
  graphDegree: number,
  first: number,
  count: number,
  workspace: PruneWorkspace,
  out: Uint32Array,
): void {
  const { order, counter, scratch } = workspace;
  for (let position = first; position < first + count; position++) {
    const node = order[position]!;
    counter.count(position);
    pruneRow(knn, node, counter.counts, graphDegree, scratch, out, node * graphDegree);
  }
}
