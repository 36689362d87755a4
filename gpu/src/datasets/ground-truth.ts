import type { Matrix } from "../common/matrix.js";
import { bruteForceKnn, type BruteForceOptions } from "../cagra/knn/brute-force.js";
import { reportedDistance } from "../cagra/distance.js";
import type { Metric, SearchResult } from "../cagra/types.js";

/** Options of groundTruth(): those of bruteForceKnn (threads, signal, onProgress, excludeSelf). */
export type GroundTruthOptions = BruteForceOptions;

/**
 * The exact k nearest dataset rows of every query, as a search should return them: ids, and
 * distances as reported to users (reportedDistance: +dot for inner product, largest first;
 * squared L2 and 1 − cos smallest first). Ties go to the smaller id. Compare a search with
 * it through datasets/recall.ts.
 *
 * @example
 * const truth = await groundTruth(dataset, queries, 10, "sqeuclidean", { threads: 4 });
 * idRecall(result, truth, { k: 10 });
 */
export async function groundTruth(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  options: GroundTruthOptions = {},
): Promise<SearchResult> {
  const knn = await bruteForceKnn(dataset, queries, k, metric, options);
  const distances = knn.distances.map((d) => reportedDistance(metric, d));
  return { neighbors: knn.neighbors, distances, queries: queries.rows, k };
}
