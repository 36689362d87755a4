/*
 * The worker side of a multi-threaded brute-force k-NN: one contiguous range of query rows.
 * The dataset and queries arrive as views of SharedArrayBuffers, so no worker copies them.
 */
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import { createBruteForceScan, QUERY_BLOCK, type BruteForceProblem } from "./brute-force-scan.js";

/** Query rows first .. first + count − 1 of `problem`. */
export interface BruteForceTaskInput extends BruteForceProblem {
  readonly first: number;
  readonly count: number;
}

/** [count, k] results of the range, rows sorted by (internal distance, id). */
export interface BruteForceTaskOutput {
  readonly neighbors: Uint32Array;
  readonly distances: Float32Array;
}

/** Scans the range block by block, reporting the query rows done after each block. */
export const run: WorkerTask<BruteForceTaskInput, BruteForceTaskOutput> = (input, report) => {
  const { first, count, k } = input;
  const scan = createBruteForceScan(input);
  const neighbors = new Uint32Array(count * k);
  const distances = new Float32Array(count * k);
  for (let done = 0; done < count; done += QUERY_BLOCK) {
    const n = Math.min(QUERY_BLOCK, count - done);
    scan(first + done, n, neighbors.subarray(done * k), distances.subarray(done * k));
    report(done + n);
  }
  return { neighbors, distances };
};
