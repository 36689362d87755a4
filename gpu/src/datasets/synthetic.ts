import { matrix, type Matrix } from "../common/matrix.js";
import { gaussian, seededRandom } from "../common/random.js";

/** Parameters of `gaussianMixture`. */
export interface GaussianMixtureParams {
  /** Number of vectors. */
  rows: number;
  /** Dimension of each vector. */
  dim: number;
  /** Number of clusters (default 16). Centres are drawn from N(0, 1) per coordinate. */
  clusters?: number;
  /** Standard deviation of each cluster around its centre (default 0.1). */
  spread?: number;
  /** Seed of every random draw (default 0). */
  seed?: number;
}

function positiveInteger(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`gaussianMixture: ${name} must be an integer ≥ 1, got ${v}.`);
  }
}

/**
 * Seeded synthetic vectors: `clusters` centres drawn from N(0, 1)^dim, and each row a
 * uniformly chosen centre plus N(0, spread²) noise per coordinate. The same parameters always
 * give the same matrix.
 *
 * @example
 * const m = gaussianMixture({ rows: 10_000, dim: 32, clusters: 20, spread: 0.2, seed: 1 });
 */
export function gaussianMixture(params: GaussianMixtureParams): Matrix {
  const { rows, dim, clusters = 16, spread = 0.1, seed = 0 } = params;
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new RangeError(`gaussianMixture: rows must be a non-negative integer, got ${rows}.`);
  }
  positiveInteger("dim", dim);
  positiveInteger("clusters", clusters);
  if (!Number.isFinite(spread) || spread < 0) {
    throw new RangeError(`gaussianMixture: spread must be a finite number ≥ 0, got ${spread}.`);
  }
  const rand = seededRandom(seed);
  const centres = new Float64Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(rand);
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(rand() * clusters);
    for (let d = 0; d < dim; d++)
      data[r * dim + d] = centres[c * dim + d]! + spread * gaussian(rand);
  }
  return matrix(data, rows, dim);
}
