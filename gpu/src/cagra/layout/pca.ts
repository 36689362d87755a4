import type { Matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";

/** A 2-D principal-component projection: subtract `mean`, then dot with the two axes. */
export interface Pca2 {
  /** [dim]: the mean row of the fitted data. */
  readonly mean: Float32Array;
  /** [2 · dim]: the first and second principal axes, unit length, row-major. */
  readonly axes: Float32Array;
  /** Variance along each axis. */
  readonly variance: readonly [number, number];
}

/** Options of fitPca2(). */
export interface PcaOptions {
  /** Fit on at most this many rows, drawn evenly (default 20,000): a million rows add nothing. */
  sample?: number;
  /** Seed of the power iteration's start vectors (default 0). */
  seed?: number;
  /** Power iterations per axis (default 100; it stops earlier once the axis settles). */
  iterations?: number;
}

/**
 * The two principal axes of `data`, by power iteration with deflation on the covariance
 * of a sample of rows: O(sample · dim²) to form it, O(iterations · dim²) to solve.
 * Deterministic for a seed; an axis's sign is fixed so that its largest coordinate is
 * positive, so the picture does not flip between runs.
 *
 * @example
 * const pca = fitPca2(base);
 * const xy = projectPca2(pca, base); // [rows · 2]
 */
export function fitPca2(data: Matrix, options: PcaOptions = {}): Pca2 {
  const { sample = 20_000, seed = 0, iterations = 100 } = options;
  const { rows, cols: dim } = data;
  if (rows === 0 || dim === 0) {
    throw new RangeError(`fitPca2: the data is empty (${rows} × ${dim}).`);
  }
  const stride = Math.max(1, Math.ceil(rows / sample));
  const mean = new Float64Array(dim);
  let n = 0;
  for (let r = 0; r < rows; r += stride, n++) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) mean[j]! += data.data[o + j]!;
  }
  for (let j = 0; j < dim; j++) mean[j]! /= n;
  // Covariance, upper triangle then mirrored.
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < rows; r += stride) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) centred[j] = data.data[o + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b]! += ca * centred[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b]! / Math.max(1, n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  const rand = seededRandom(seed);
  const axes = new Float32Array(2 * dim);
  const variance: [number, number] = [0, 0];
  for (let k = 0; k < 2; k++) {
    const [axis, lambda] = powerIteration(cov, dim, rand, iterations);
    variance[k] = lambda;
    axes.set(axis, k * dim);
    // Deflate: remove this axis's share so the next iteration finds the next one.
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) cov[a * dim + b]! -= lambda * axis[a]! * axis[b]!;
    }
  }
  return { mean: Float32Array.from(mean), axes, variance };
}

/**
 * Positions [rows · 2] of `data`'s rows on a fitted projection (the index's rows, or
 * queries placed in the same picture).
 */
export function projectPca2(pca: Pca2, data: Matrix): Float32Array {
  const dim = pca.mean.length;
  if (data.cols !== dim) {
    throw new RangeError(
      `projectPca2: the projection was fitted on ${dim} columns, the data has ${data.cols}.`,
    );
  }
  const out = new Float32Array(data.rows * 2);
  const { mean, axes } = pca;
  for (let r = 0; r < data.rows; r++) {
    const o = r * dim;
    let x = 0;
    let y = 0;
    for (let j = 0; j < dim; j++) {
      const c = data.data[o + j]! - mean[j]!;
      x += c * axes[j]!;
      y += c * axes[dim + j]!;
    }
    out[2 * r] = x;
    out[2 * r + 1] = y;
  }
  return out;
}

function powerIteration(
  cov: Float64Array,
  dim: number,
  rand: () => number,
  iterations: number,
): [Float64Array, number] {
  let v: Float64Array = Float64Array.from({ length: dim }, () => rand() - 0.5);
  normalise(v);
  let lambda = 0;
  const next = new Float64Array(dim);
  for (let it = 0; it < iterations; it++) {
    for (let a = 0; a < dim; a++) {
      let s = 0;
      const row = a * dim;
      for (let b = 0; b < dim; b++) s += cov[row + b]! * v[b]!;
      next[a] = s;
    }
    lambda = normalise(next);
    let change = 0;
    for (let a = 0; a < dim; a++) change += Math.abs(next[a]! - v[a]!);
    v = Float64Array.from(next);
    if (lambda === 0 || change < 1e-9) break;
  }
  // Sign convention: the largest coordinate is positive.
  let big = 0;
  for (let a = 1; a < dim; a++) if (Math.abs(v[a]!) > Math.abs(v[big]!)) big = a;
  if (v[big]! < 0) for (let a = 0; a < dim; a++) v[a] = -v[a]!;
  return [v, lambda];
}

function normalise(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return norm;
}
