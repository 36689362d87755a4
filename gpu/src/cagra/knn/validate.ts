import { assertFinite, type Matrix } from "../../common/matrix.js";
import { METRICS, type Metric } from "../types.js";

/** Throws a TypeError unless `metric` is one of METRICS. */
export function assertMetric(metric: Metric, where: string): void {
  if (!METRICS.includes(metric)) {
    throw new TypeError(
      `${where}: metric must be one of ${METRICS.join(", ")}; got ${String(metric)}.`,
    );
  }
}

/** Throws a RangeError unless `value` is an integer ≥ `min`. */
export function assertInteger(value: number, name: string, min: number, where: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}; got ${value}.`);
  }
}

/** Throws unless `dataset` has rows and only finite values. */
export function assertDataset(dataset: Matrix, where: string): void {
  if (dataset.rows === 0 || dataset.cols === 0) {
    throw new RangeError(
      `${where}: dataset is empty (${dataset.rows} × ${dataset.cols}); pass at least one row ` +
        `of at least one column.`,
    );
  }
  assertFinite(dataset, `${where}: dataset`);
}

/**
 * Throws a RangeError unless `k` neighbours exist for every row: 1 ≤ k ≤ available, where
 * available is the dataset's row count, less one when each row's own id is excluded.
 */
export function assertK(k: number, datasetRows: number, excludeSelf: boolean, where: string): void {
  assertInteger(k, "k", 1, where);
  const available = excludeSelf ? datasetRows - 1 : datasetRows;
  if (k > available) {
    throw new RangeError(
      `${where}: k = ${k} exceeds the ${available} candidate rows ` +
        `(${datasetRows} dataset rows${excludeSelf ? ", less the row itself" : ""}); ` +
        `use k ≤ ${available} or a larger dataset.`,
    );
  }
}

/** All checks of an exact k-NN of `queries` against `dataset`. */
export function assertKnnInput(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  excludeSelf: boolean,
  where: string,
): void {
  assertMetric(metric, where);
  assertDataset(dataset, where);
  if (queries.cols !== dataset.cols) {
    throw new RangeError(
      `${where}: queries have ${queries.cols} columns but the dataset has ${dataset.cols}; ` +
        `both must have the same dimension.`,
    );
  }
  if (excludeSelf && queries.rows !== dataset.rows) {
    throw new RangeError(
      `${where}: excludeSelf pairs query i with dataset row i, so queries must have the ` +
        `dataset's ${dataset.rows} rows; got ${queries.rows}.`,
    );
  }
  if (queries !== dataset) assertFinite(queries, `${where}: queries`);
  assertK(k, dataset.rows, excludeSelf, where);
}
