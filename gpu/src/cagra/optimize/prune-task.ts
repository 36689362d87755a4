/*
 * The worker side of a multi-threaded optimize(): detour counting and pruning for one
 * contiguous range of positions in the locality order. The kNN graph, the order and the output
 * arrive as views of SharedArrayBuffers, so no worker copies them, and each worker writes its
 * own rows of the output.
 */
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import type { Graph } from "../types.js";
import { createPruneWorkspace, pruneRows, PRUNE_BATCH_ROWS } from "./prune-rows.js";

/** Positions first .. first + count − 1 of `order`, to prune to `graphDegree` into `out`. */
export interface PruneTaskInput {
  readonly knn: Graph;
  readonly order: Uint32Array;
  readonly graphDegree: number;
  readonly first: number;
  readonly count: number;
  /** The pruned graph [size, graphDegree], shared by all workers. */
  readonly out: Uint32Array;
}

/** Prunes the range batch by batch, reporting the rows done after each batch. */
export const run: WorkerTask<PruneTaskInput, void> = (input, report) => {
  const { knn, order, graphDegree, first, count, out } = input;
  const workspace = createPruneWorkspace(knn, order);
  for (let done = 0; done < count; done += PRUNE_BATCH_ROWS) {
    const n = Math.min(PRUNE_BATCH_ROWS, count - done);
    pruneRows(knn, graphDegree, first + done, n, workspace, out);
    report(done + n);
  }
};
