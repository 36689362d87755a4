import { matrix, type Matrix } from "../common/matrix.js";
import type { Metric } from "./types.js";

/*
 * Every metric is searched as an "internal" distance where smaller is closer, as cuVS does:
 * squared L2 as is, inner product as −dot, cosine as 1 − dot over unit vectors. Cosine
 * normalizes the dataset and queries once (`prepareForMetric`), so that all three reduce to
 * a dot product or a squared difference in the hot loops.
 */

/**
 * The vectors as the hot loops want them: unit rows for `cosine` (a copy; zero rows stay
 * zero), the same matrix otherwise.
 */
export function prepareForMetric(m: Matrix, metric: Metric): Matrix {
  if (metric !== "cosine") return m;
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const o = r * m.cols;
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += m.data[o + c]! * m.data[o + c]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < m.cols; c++) out[o + c] = m.data[o + c]! * inv;
  }
  return matrix(out, m.rows, m.cols);
}

/** Internal distance between row `i` of `a` and row `j` of `b` (both prepared for `metric`). */
export type DistanceFn = (
  a: Float32Array,
  i: number,
  b: Float32Array,
  j: number,
  dim: number,
) => number;

function sqeuclidean(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  const ao = i * dim;
  const bo = j * dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  // Four accumulators break the add dependency chain (about 2× on V8).
  for (; c + 3 < dim; c += 4) {
    const d0 = a[ao + c]! - b[bo + c]!;
    const d1 = a[ao + c + 1]! - b[bo + c + 1]!;
    const d2 = a[ao + c + 2]! - b[bo + c + 2]!;
    const d3 = a[ao + c + 3]! - b[bo + c + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; c < dim; c++) {
    const d = a[ao + c]! - b[bo + c]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

function dot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  const ao = i * dim;
  const bo = j * dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < dim; c += 4) {
    s0 += a[ao + c]! * b[bo + c]!;
    s1 += a[ao + c + 1]! * b[bo + c + 1]!;
    s2 += a[ao + c + 2]! * b[bo + c + 2]!;
    s3 += a[ao + c + 3]! * b[bo + c + 3]!;
  }
  for (; c < dim; c++) s0 += a[ao + c]! * b[bo + c]!;
  return s0 + s1 + s2 + s3;
}

const negativeDot: DistanceFn = (a, i, b, j, dim) => -dot(a, i, b, j, dim);
const oneMinusDot: DistanceFn = (a, i, b, j, dim) => 1 - dot(a, i, b, j, dim);

/** The internal distance function of `metric` (smaller is closer). */
export function internalDistance(metric: Metric): DistanceFn {
  switch (metric) {
    case "sqeuclidean":
      return sqeuclidean;
    case "inner_product":
      return negativeDot;
    case "cosine":
      return oneMinusDot;
  }
}

/** The distance reported to users: cuVS reports +dot for inner product, the rest as searched. */
export function reportedDistance(metric: Metric, internal: number): number {
  return metric === "inner_product" ? -internal : internal;
}
