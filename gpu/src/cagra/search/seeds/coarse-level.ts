import { matrix, type Matrix } from "../../../common/matrix.js";
import { bruteForceKnn } from "../../knn/brute-force.js";
import { nnDescent } from "../../knn/nn-descent.js";
import { optimize } from "../../optimize/optimize.js";
import { bruteForceMaxRows } from "../../params.js";
import { encodeVectors } from "../../storage/vector-storage.js";
import type { SearchIndex } from "../validate.js";
import { integerGrid, onGrid, type IntegerGrid } from "./integer-grid.js";

/**
 * A small CAGRA index over a sample of an index's rows, searched first to find where each
 * query should start (see coarseSeeds). `ids[r]` is the index row of sample row r.
 */
export interface CoarseLevel {
  /** The sample, on `grid` when there is one (its rows then stored as exact int8). */
  readonly index: SearchIndex;
  readonly ids: Uint32Array;
  /** Squared L2 only: the integer grid of the sample; queries go onto it (levelQueries). */
  readonly grid?: IntegerGrid;
}

/** Options of buildCoarseLevel(). */
export interface CoarseLevelOptions {
  /** Rows in the sample; default coarseLevelSize(N) (N / 16, at least 64, at most N). */
  readonly size?: number;
  /** Out-degree of the sample's graph (default 16; at most size − 1). */
  readonly graphDegree?: number;
  /**
   * Threads of its kNN graph and optimization (Node only; default 1): the level is the same for
   * any count, and on the 100k benchmark set its exact kNN graph was about a second on one.
   */
  readonly threads?: number;
}

/**
 * The default sample size: one row in 16 (6,250 of 100k, 62,500 of 1M), at least 64, at most
 * N. The seeds can only lead to regions the sample covers: on the 100k benchmark mixture
 * (clusters of ~100 rows) 4·√N rows left a quarter of the clusters unsampled and recall@10 at
 * 0.76, N / 16 reached 0.997 (docs/cagra.md). Its search still costs a fraction of the main one.
 */
export function coarseLevelSize(n: number): number {
  return Math.min(n, Math.max(64, Math.round(n / 16)));
}

/**
 * Builds the coarse level of `index`: every (N / size)-th row (so a dataset stored cluster by
 * cluster is still covered evenly), a kNN graph over them of twice `graphDegree` (exact up to
 * bruteForceMaxRows("cpu", k) rows, NN-descent above, as build()'s "auto" chooses), and CAGRA's
 * optimization with connectivity. The sample's vectors are copied from `index.dataset`,
 * already prepared for the metric. Under squared L2 the graph is built on them, then the rows
 * move onto an integer grid (integer-grid.ts) and are stored as exact int8: the coarse search
 * reads a quarter of the bytes and sums in integers (2.2 times faster at 1M rows).
 *
 * @example
 * const level = await buildCoarseLevel({ dataset, graph, metric: "sqeuclidean" });
 * level.ids.length; // N / 16
 */
export async function buildCoarseLevel(
  index: SearchIndex,
  options: CoarseLevelOptions = {},
): Promise<CoarseLevel> {
  const { dataset, metric } = index;
  const n = dataset.rows;
  const size = options.size ?? coarseLevelSize(n);
  if (!Number.isSafeInteger(size) || size < 2 || size > n) {
    throw new RangeError(
      `coarse level: size must be an integer in [2, ${n}] (the index's rows), got ${size}.`,
    );
  }
  const graphDegree = Math.min(options.graphDegree ?? 16, size - 1);
  if (!Number.isSafeInteger(graphDegree) || graphDegree < 1) {
    throw new RangeError(`coarse level: graphDegree must be an integer ≥ 1, got ${graphDegree}.`);
  }
  const ids = Uint32Array.from({ length: size }, (_, r) => Math.floor((r * n) / size));
  const sample = sampleRows(dataset, ids);
  const k = Math.min(2 * graphDegree, size - 1);
  const threads = options.threads ?? 1;
  const knn =
    size <= bruteForceMaxRows("cpu", k)
      ? await bruteForceKnn(sample, sample, k, metric, { excludeSelf: true, threads })
      : await nnDescent(sample, k, metric, { threads });
  const graph = await optimize(knn, graphDegree, { guaranteeConnectivity: true, threads });
  if (metric !== "sqeuclidean") return { index: { dataset: sample, graph, metric }, ids };
  const grid = integerGrid(sample);
  const gridded = onGrid(sample, grid);
  const storage = encodeVectors(gridded, "int8");
  return { index: { dataset: gridded, graph, metric, storage }, ids, grid };
}

/**
 * `queries` where `level`'s rows are: on its integer grid, if it has one.
 *
 * @example
 * searchCpu(level.index, levelQueries(level, queries), 16, coarseSearchParams(16, size));
 */
export function levelQueries(level: CoarseLevel, queries: Matrix): Matrix {
  return level.grid === undefined ? queries : onGrid(queries, level.grid);
}

function sampleRows(m: Matrix, ids: Uint32Array): Matrix {
  const out = new Float32Array(ids.length * m.cols);
  ids.forEach((id, r) => out.set(m.data.subarray(id * m.cols, (id + 1) * m.cols), r * m.cols));
  return matrix(out, ids.length, m.cols);
}
