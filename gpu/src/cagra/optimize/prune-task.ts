/*
 * The worker side of a multi-threaded optimize(): detour counting and pruning for one
 * contiguous range of rows. The kNN graph arrives as a view of a SharedArrayBuffer, so no
 * worker copies it.
 */
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import type { Graph } from "../types.js";
import { createPruneWorkspace, pruneRows, PRUNE_BATCH_ROWS } from "./prune-rows.js";

/** Rows first .. first + count − 1 of `knn`, to prune to `graphDegree`. */
export interface PruneTaskInput {
  readonly knn: Graph;
  readonly graphDegree: number;
  readonly first: number;
  readonly count: number;
}

/** The pruned rows of the range, [count, graphDegree]. */
export interface PruneTaskOutput {
  readonly neighbors: Uint32Array;
}

/** Prunes the range batch by batch, reporting the rows done after each batch. */
export const run: WorkerTask<PruneTaskInput, PruneTaskOutput> = (input, report) => {
  const { knn, graphDegree, first, count } = input;
  const neighbors = new Uint32Array(count * graphDegree);
  const workspace = createPruneWorkspace(knn);
  for (let done = 0; done < count; done += PRUNE_BATCH_ROWS) {
    const n = Math.min(PRUNE_BATCH_ROWS, count - done);
    pruneRows(knn, graphDegree, first + done, n, workspace, neighbors.subarray(done * graphDegree));
    report(done + n);
  }
  return { neighbors };
};
