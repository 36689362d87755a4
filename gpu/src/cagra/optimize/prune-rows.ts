import type { Graph } from "../types.js";
import { countRowDetours, SCRATCH_SLOTS } from "./detour-count.js";
import { createPruneScratch, pruneRow, type PruneScratch } from "./prune.js";
import { createRowLookup, loadRow, unloadRow, type RowLookup } from "./row-lookup.js";

/** Rows between progress reports and abort checks: tens of milliseconds at degree 128. */
export const PRUNE_BATCH_ROWS = 1024;

/** The per-thread buffers of detour counting and pruning, reused across rows. */
export interface PruneWorkspace {
  readonly lookup: RowLookup;
  readonly counts: Int32Array;
  readonly scratch: PruneScratch;
}

/** A workspace for rows of `knn`: O(size + degree) memory. */
export function createPruneWorkspace(knn: Graph): PruneWorkspace {
  return {
    lookup: createRowLookup(knn),
    counts: new Int32Array(knn.degree + SCRATCH_SLOTS),
    scratch: createPruneScratch(knn.degree),
  };
}

/**
 * Steps 1 and 2 of optimize() fused, like cuVS's `kern_fused_prune`, for rows
 * first .. first + count − 1: counts the detours of each row and writes its `graphDegree` kept
 * neighbours into `out` [count, graphDegree], so no [size, degree] count array is ever stored.
 */
export function pruneRows(
  knn: Graph,
  graphDegree: number,
  first: number,
  count: number,
  workspace: PruneWorkspace,
  out: Uint32Array,
): void {
  const { lookup, counts, scratch } = workspace;
  for (let i = 0; i < count; i++) {
    const node = first + i;
    loadRow(lookup, knn, node);
    countRowDetours(knn, node, lookup, counts);
    pruneRow(knn, node, counts, lookup, graphDegree, scratch, out, i * graphDegree);
    unloadRow(lookup, knn, node);
  }
}
