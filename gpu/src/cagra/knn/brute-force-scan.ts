import type { Metric } from "../types.js";
import { createDistanceTile, distanceTileBytes } from "./distance-tile.js";
import { createKernels } from "./kernels.js";
import { createTopKRows, NO_ID, topKRowsBytes } from "./top-k-rows.js";

/** Query rows per tile: each dataset tile is loaded once for this many queries. */
export const QUERY_BLOCK = 64;

/** Dataset rows per tile: about 64 KiB of rows, so a tile stays in the L2 cache. */
function datasetBlock(dim: number): number {
  return Math.max(16, Math.min(256, Math.floor(16384 / Math.ceil(dim / 4) / 4) * 4));
}

/** The exact k-NN problem a scan solves; vectors already prepared for the metric. */
export interface BruteForceProblem {
  /** [datasetRows, dim] row-major. */
  readonly dataset: Float32Array;
  readonly datasetRows: number;
  /** [queryRows, dim] row-major. */
  readonly queries: Float32Array;
  readonly dim: number;
  readonly k: number;
  readonly metric: Metric;
  /** Query i skips dataset id i (a dataset's graph against itself). */
  readonly excludeSelf: boolean;
  /**
   * Set when queries and dataset are the same rows stored in locality order: row p is id
   * order[p], and near rows sit near each other. Each query block then scans the dataset
   * blocks nearest to its own first, so that its lists fill with near candidates early and
   * later blocks rarely get past their thresholds. The result does not depend on it.
   */
  readonly order?: Uint32Array;
}

/**
 * Returns a function that writes the exact top-k of query rows first .. first + count − 1 to
 * rows 0 .. count − 1 of `neighbors` / `distances` ([count, k] at least), each row sorted by
 * (internal distance, id). Work buffers are allocated once and reused across calls.
 *
 * @example
 * const scan = createBruteForceScan(problem);
 * scan(0, 64, neighbors, distances); // the first 64 query rows
 */
export function createBruteForceScan(
  problem: BruteForceProblem,
): (first: number, count: number, neighbors: Uint32Array, distances: Float32Array) => void {
  const { dataset, datasetRows, queries, dim, k, metric, excludeSelf, order } = problem;
  const xBlock = datasetBlock(dim);
  const blocks = Math.ceil(datasetRows / xBlock);
  const kernels = createKernels(
    distanceTileBytes(dim, xBlock, QUERY_BLOCK) + topKRowsBytes(QUERY_BLOCK, k, xBlock),
  );
  const tile = createDistanceTile(kernels, metric, dim, xBlock, QUERY_BLOCK);
  const top = createTopKRows(kernels, QUERY_BLOCK, k, xBlock);
  const idOf = order === undefined ? (row: number) => row : (row: number) => order[row]!;

  return (first, count, neighbors, distances) => {
    for (let qb = 0; qb < count; qb += QUERY_BLOCK) {
      const nq = Math.min(QUERY_BLOCK, count - qb);
      tile.loadQ(queries, first + qb, nq);
      for (let r = 0; r < nq; r++) top.skipIds[r] = excludeSelf ? idOf(first + qb + r) : NO_ID;
      top.clear(nq);
      const home = order === undefined ? 0 : Math.floor((first + qb) / xBlock);
      for (const block of nearestFirst(home, blocks)) {
        const xb = block * xBlock;
        const nx = Math.min(xBlock, datasetRows - xb);
        for (let x = 0; x < nx; x++) top.xIds[x] = idOf(xb + x);
        tile.loadX(dataset, xb, nx);
        tile.compute(nx, nq);
        top.offer(tile.distancesAt, tile.stride, nx, nq);
      }
      top.copyTo(nq, neighbors, distances, qb);
    }
  };
}

/** Block indices 0 .. blocks − 1 by distance from `home`: home, home + 1, home − 1, … */
function* nearestFirst(home: number, blocks: number): Generator<number> {
  yield home;
  for (let d = 1; d < blocks; d++) {
    if (home + d < blocks) yield home + d;
    if (home - d >= 0) yield home - d;
  }
}
