/*
 * recall@k, two ways. ann-benchmarks (plotting/metrics.py) counts a returned neighbour as a hit
 * when its distance is within epsilon of the true k-th distance, so ties with the k-th
 * neighbour count; the id version counts returned ids that are among the true k ids.
 */

/** Row-major [queries, k] distances, as SearchResult and ground truth hold them. */
export interface KnnDistances {
  readonly distances: ArrayLike<number>;
  readonly queries: number;
  readonly k: number;
}

/** Row-major [queries, k] neighbour ids, as SearchResult and ground truth hold them. */
export interface KnnIds {
  readonly neighbors: ArrayLike<number>;
  readonly queries: number;
  readonly k: number;
}

/** ann-benchmarks' tolerance on the k-th distance. */
export const ANN_BENCHMARKS_EPSILON = 1e-3;

function checkShapes(
  what: string,
  result: KnnDistances | KnnIds,
  truth: KnnDistances | KnnIds,
  k: number,
) {
  if (!Number.isSafeInteger(k) || k < 1)
    throw new RangeError(`${what}: k must be an integer ≥ 1, got ${k}.`);
  if (result.queries !== truth.queries) {
    throw new RangeError(
      `${what}: the result has ${result.queries} queries but the ground truth ${truth.queries}.`,
    );
  }
  if (result.k < k || truth.k < k) {
    throw new RangeError(
      `${what}: recall@${k} needs ≥ ${k} columns, but the result has ${result.k} and the ground truth ${truth.k}.`,
    );
  }
}

/**
 * recall@k as ann-benchmarks defines it: a result is a hit when its distance ≤ the true k-th
 * distance + epsilon (1e-3); recall is the mean number of hits over queries, divided by k.
 *
 * Distances must be "smaller is closer" and in one convention on both sides: ann-benchmarks
 * stores true L2 (√ of Tessera's sqeuclidean; see `euclideanFromSquared`) and 1 − cos for
 * angular (Tessera's cosine). Negate inner-product scores first. Missing results (Infinity)
 * are never hits, and an id the result lists twice in a row's first k counts once: the
 * result's ids are read for that alone (ann-benchmarks assumes distinct ids).
 *
 * @example
 * const r = distanceRecall(
 *   { neighbors: result.neighbors, distances: euclideanFromSquared(result.distances), queries: result.queries, k: result.k },
 *   { distances: ds.distances.data, queries: ds.distances.rows, k: ds.distances.cols },
 *   { k: 10 },
 * );
 */
export function distanceRecall(
  result: KnnDistances & KnnIds,
  truth: KnnDistances,
  options: { k?: number; epsilon?: number } = {},
): number {
  const { k = result.k, epsilon = ANN_BENCHMARKS_EPSILON } = options;
  checkShapes("distanceRecall", result, truth, k);
  if (result.queries === 0) return 1;
  let hits = 0;
  const counted = new Set<number>();
  for (let q = 0; q < result.queries; q++) {
    const threshold = truth.distances[q * truth.k + k - 1]! + epsilon;
    counted.clear();
    for (let j = 0; j < k; j++) {
      const at = q * result.k + j;
      if (result.distances[at]! > threshold) continue;
      const id = result.neighbors[at]!;
      if (counted.has(id)) continue;
      counted.add(id);
      hits++;
    }
  }
  return hits / (result.queries * k);
}

/**
 * recall@k by ids: the mean over queries of |returned k ids ∩ true k ids| / k. Unlike
 * `distanceRecall`, a neighbour tied with the k-th true one but not listed is a miss.
 *
 * @example
 * idRecall(result, { neighbors: gt.data, queries: gt.rows, k: gt.cols }, { k: 10 });
 */
export function idRecall(result: KnnIds, truth: KnnIds, options: { k?: number } = {}): number {
  const { k = result.k } = options;
  checkShapes("idRecall", result, truth, k);
  if (result.queries === 0) return 1;
  let hits = 0;
  const trueIds = new Set<number>();
  for (let q = 0; q < result.queries; q++) {
    trueIds.clear();
    for (let j = 0; j < k; j++) trueIds.add(truth.neighbors[q * truth.k + j]!);
    // Deleting on a hit counts an id returned twice once.
    for (let j = 0; j < k; j++) if (trueIds.delete(result.neighbors[q * result.k + j]!)) hits++;
  }
  return hits / (result.queries * k);
}

/**
 * True L2 distances from squared ones (what ann-benchmarks stores for "euclidean"); tiny
 * negative values from rounding become 0.
 *
 * @example
 * euclideanFromSquared(new Float32Array([4, 9])); // Float32Array [2, 3]
 */
export function euclideanFromSquared(squared: ArrayLike<number>): Float32Array {
  const out = new Float32Array(squared.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(Math.max(0, squared[i]!));
  return out;
}
