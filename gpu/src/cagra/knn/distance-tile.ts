import type { Metric } from "../types.js";
import type { Kernels } from "./kernels.js";

/*
 * A tile of internal distances between up to `xCapacity` rows ("x") and up to `qCapacity`
 * rows ("q") in kernel memory, computed by distance-kernel.ts: every metric is
 * out = max(floor, ‖q‖² + ‖x‖² − scale·q·x) with the norms zero or one where the metric
 * needs none (sqeuclidean: scale 2, floor 0; inner product: −q·x; cosine: 1 − q·x over unit
 * rows). Rows are zero-padded to a multiple of 4 columns.
 */

/**
 * Scratch rows and a distance tile. Load rows into the x and q sides, then `compute` fills
 * `distances[q * stride + x]`.
 */
export interface DistanceTile {
  readonly dim: number;
  /** Row stride of `distances`: xCapacity rounded up to 4. */
  readonly stride: number;
  /** Byte offset of `distances` in kernel memory. */
  readonly distancesAt: number;
  /** [qCapacity, stride] internal distances, valid after `compute` for its nq × nx corner. */
  readonly distances: Float32Array;
  /** Copies rows first .. first + count − 1 of `src` (row-major, `dim` columns) to x rows 0 … */
  loadX(src: Float32Array, first: number, count: number): void;
  /**
   * Copies rows ids[0 .. count) of a dataset in kernel memory to x rows 0 …: the dataset's
   * rows are paddedDim(dim) floats from byte `datasetAt`, the ids u32 from byte `idsAt`.
   */
  gatherX(datasetAt: number, idsAt: number, count: number): void;
  /** As loadX, for the q side. */
  loadQ(src: Float32Array, first: number, count: number): void;
  /**
   * Distances of the first `nq` q rows (or, with `qFromX`, the first `nq` x rows) to the
   * first `nx` x rows. Entries past nx or nq hold stale values.
   */
  compute(nx: number, nq: number, qFromX?: boolean): void;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** The row length of tile rows: `dim` rounded up to 4 (padding zeros change no distance). */
export function paddedDim(dim: number): number {
  return roundUp(dim, 4);
}

/** Kernel memory a tile needs (pass the sum of all parts to createKernels). */
export function distanceTileBytes(dim: number, xCapacity: number, qCapacity: number): number {
  const dp = paddedDim(dim);
  const xRows = roundUp(xCapacity, 4);
  const qRows = roundUp(qCapacity, 4);
  const parts = [xRows * dp, qRows * dp, xRows, qRows, qRows * xRows];
  return parts.reduce((sum, floats) => sum + roundUp(floats * 4, 16), 0);
}

/**
 * Creates a tile for `metric` over `dim`-dimensional rows (prepared with prepareForMetric).
 *
 * @example
 * const kernels = createKernels(distanceTileBytes(128, 256, 64));
 * const tile = createDistanceTile(kernels, "sqeuclidean", 128, 256, 64);
 * tile.loadX(dataset.data, 0, 256);
 * tile.loadQ(queries.data, 0, 64);
 * tile.compute(256, 64);
 * tile.distances[3 * tile.stride + 5]; // ‖q3 − x5‖²
 */
export function createDistanceTile(
  kernels: Kernels,
  metric: Metric,
  dim: number,
  xCapacity: number,
  qCapacity: number,
): DistanceTile {
  const dp = paddedDim(dim);
  const stride = roundUp(xCapacity, 4);
  const qRows = roundUp(qCapacity, 4);
  const xAt = kernels.reserve(stride * dp * 4);
  const qAt = kernels.reserve(qRows * dp * 4);
  const xnAt = kernels.reserve(stride * 4);
  const qnAt = kernels.reserve(qRows * 4);
  const outAt = kernels.reserve(qRows * stride * 4);
  const heap = kernels.f32;
  const { tile, norms, gather } = kernels.run;
  const squared = metric === "sqeuclidean";
  // Cosine's 1 − dot rides on the q norms; inner product needs no norm at all.
  const qConstant = metric === "cosine" ? 1 : 0;
  heap.fill(0, xnAt / 4, xnAt / 4 + stride);
  heap.fill(qConstant, qnAt / 4, qnAt / 4 + qRows);
  const scale = squared ? 2 : 1;
  const floor = squared ? 0 : -Infinity;

  function copyRows(to: number, src: Float32Array, first: number, count: number) {
    if (dp === dim) {
      heap.set(src.subarray(first * dim, (first + count) * dim), to / 4);
      return;
    }
    for (let r = 0; r < count; r++) {
      const t = to / 4 + r * dp;
      heap.set(src.subarray((first + r) * dim, (first + r + 1) * dim), t);
      heap.fill(0, t + dim, t + dp);
    }
  }

  return {
    dim,
    stride,
    distancesAt: outAt,
    distances: heap.subarray(outAt / 4, outAt / 4 + qRows * stride),
    loadX: (src, first, count) => copyRows(xAt, src, first, count),
    gatherX: (datasetAt, idsAt, count) => gather(xAt, datasetAt, idsAt, count, dp * 4),
    loadQ: (src, first, count) => copyRows(qAt, src, first, count),
    compute(nx, nq, qFromX = false) {
      const x4 = roundUp(nx, 4);
      const q4 = roundUp(nq, 4);
      if (squared) {
        norms(xAt, x4, 0, 0, dp, xnAt, 0, 0, 0, 0, 0);
        if (!qFromX) norms(qAt, q4, 0, 0, dp, qnAt, 0, 0, 0, 0, 0);
      }
      // With qFromX the q rows are x rows, and so are their squared norms.
      const qn = qFromX && squared ? xnAt : qnAt;
      tile(xAt, x4, qFromX ? xAt : qAt, q4, dp, xnAt, qn, outAt, scale, floor, stride);
    },
  };
}
