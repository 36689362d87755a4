import { matrix, type Matrix } from "../../../common/matrix.js";
import { bruteForceKnn } from "../../knn/brute-force.js";
import { optimize } from "../../optimize/optimize.js";
import type { SearchIndex } from "../validate.js";

/**
 * A small CAGRA index over a sample of an index's rows, searched first to find where each
 * query should start (see coarseSeeds). `ids[r]` is the index row of sample row r.
 */
export interface CoarseLevel {
  readonly index: SearchIndex;
  readonly ids: Uint32Array;
}

/** Options of buildCoarseLevel(). */
export interface CoarseLevelOptions {
  /** Rows in the sample; default coarseLevelSize(N) (4·√N, at least 64, at most N). */
  readonly size?: number;
  /** Out-degree of the sample's graph (default 16; at most size − 1). */
  readonly graphDegree?: number;
}

/**
 * The default sample size: 4·√N rows (1,265 of 100k, 4,000 of 1M), at least 64, at most N.
 * A search over it costs a few hundred distances, a fraction of the main search's thousands.
 */
export function coarseLevelSize(n: number): number {
  return Math.min(n, Math.max(64, Math.round(4 * Math.sqrt(n))));
}

/**
 * Builds the coarse level of `index`: every (N / size)-th row (so a dataset stored cluster by
 * cluster is still covered evenly), an exact kNN graph over them of twice `graphDegree`, and
 * CAGRA's optimization. The sample's vectors are copied from `index.dataset`, already prepared
 * for the metric.
 *
 * @example
 * const level = await buildCoarseLevel({ dataset, graph, metric: "sqeuclidean" });
 * level.ids.length; // 4·√N
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
  const knn = await bruteForceKnn(sample, sample, Math.min(2 * graphDegree, size - 1), metric, {
    excludeSelf: true,
  });
  const graph = await optimize(knn, graphDegree, { guaranteeConnectivity: true });
  return { index: { dataset: sample, graph, metric }, ids };
}

function sampleRows(m: Matrix, ids: Uint32Array): Matrix {
  const out = new Float32Array(ids.length * m.cols);
  ids.forEach((id, r) => out.set(m.data.subarray(id * m.cols, (id + 1) * m.cols), r * m.cols));
  return matrix(out, ids.length, m.cols);
}
