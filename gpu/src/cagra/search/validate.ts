import { assertFinite, type Matrix } from "../../common/matrix.js";
import type { VectorStorage } from "../storage/vector-storage.js";
import { METRICS, type Graph, type Metric } from "../types.js";
import { assertBitset } from "./filter.js";

/** What a search reads: the vectors (prepared for the metric), the graph and the metric. */
export interface SearchIndex {
  readonly dataset: Matrix;
  readonly graph: Graph;
  readonly metric: Metric;
  /** When set, the vectors the search reads instead of `dataset` (same rows, prepared too). */
  readonly storage?: VectorStorage;
}

/**
 * Checks a search call before any work, throwing a TypeError or RangeError that names the bad
 * argument: graph and dataset disagreeing, a query dimension that is not the dataset's, NaN or
 * ±Infinity in the queries, k outside [1, N], a filter of the wrong length.
 *
 * @example
 * validateSearchInputs(index, queries, 10, undefined); // throws on bad input, else nothing
 */
export function validateSearchInputs(
  index: SearchIndex,
  queries: Matrix,
  k: number,
  filter: Uint32Array | undefined,
): void {
  const { dataset, graph, metric } = index;
  if (!METRICS.includes(metric)) {
    throw new RangeError(`metric must be one of ${METRICS.join(", ")}, got ${String(metric)}.`);
  }
  if (dataset === undefined) {
    throw new TypeError(`the index has no dataset (graph only); attach the vectors to search it.`);
  }
  const n = dataset.rows;
  if (n < 1) throw new RangeError(`the index is empty; add vectors before searching.`);
  if (n > 0x7fffffff) {
    throw new RangeError(`the index has ${n} rows; CAGRA search supports at most 2^31 − 1.`);
  }
  if (graph.size !== n) {
    throw new RangeError(`graph.size (${graph.size}) differs from the dataset's ${n} rows.`);
  }
  if (!Number.isInteger(graph.degree) || graph.degree < 1) {
    throw new RangeError(`graph.degree must be an integer ≥ 1, got ${graph.degree}.`);
  }
  if (graph.neighbors.length !== graph.size * graph.degree) {
    throw new RangeError(
      `graph.neighbors holds ${graph.neighbors.length} ids, but ${graph.size} × ${graph.degree} are needed.`,
    );
  }
  if (index.storage !== undefined) {
    const { rows, cols } = index.storage;
    if (rows !== n || cols !== dataset.cols) {
      throw new RangeError(
        `storage is ${rows} × ${cols} but the dataset ${n} × ${dataset.cols}; encode the index's own vectors (compressIndex).`,
      );
    }
  }
  if (queries.cols !== dataset.cols) {
    throw new RangeError(
      `queries have dimension ${queries.cols}, but the dataset has ${dataset.cols}; pass vectors of the index's dimension.`,
    );
  }
  assertFinite(queries, "queries");
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`k must be an integer ≥ 1, got ${k}.`);
  }
  if (k > n) {
    throw new RangeError(`k (${k}) exceeds the ${n} rows in the index; ask for at most ${n}.`);
  }
  if (filter !== undefined) assertBitset(filter, n);
}

/**
 * Entry points per query of a [queries, s] seeds array, checked (shared by the CPU and WebGPU
 * searches): whole rows, ids below n or 0xFFFFFFFF (INVALID_ID, "keep the random node").
 *
 * @example
 * seedCount(new Uint32Array([3, 7, 1, 0xffffffff]), 2, 100); // 2
 */
export function seedCount(seeds: Uint32Array, queries: number, n: number): number {
  const perQuery = queries === 0 ? 0 : seeds.length / queries;
  if (!Number.isInteger(perQuery) || (queries === 0 && seeds.length !== 0)) {
    throw new RangeError(
      `seeds holds ${seeds.length} ids, not a whole number per query for ${queries} queries; pass [queries, s] row-major.`,
    );
  }
  const bad = seeds.findIndex((id) => id >= n && id !== 0xffffffff);
  if (bad >= 0) {
    throw new RangeError(`seeds[${bad}] is ${seeds[bad]}, but the index has ${n} rows.`);
  }
  return perQuery;
}
