import type { Kernels } from "./kernels.js";

/*
 * Sorted top-k lists in kernel memory, fed straight from a distance tile by the `offer`
 * kernel (top-k-kernel.ts). Rows are k rounded up to 4 slots apart; padding stays +∞.
 */

/** The id of a slot that holds no candidate yet, and of "skip no id". */
export const NO_ID = 0xffffffff;

/** Top-k lists for the rows of a distance tile. */
export interface TopKRows {
  readonly k: number;
  /** The ids of the tile's x rows, set before each `offer`. */
  readonly xIds: Uint32Array;
  /** The id each list must not take (its own row), or NO_ID. */
  readonly skipIds: Uint32Array;
  /** Empties lists 0 .. count − 1. */
  clear(count: number): void;
  /** Offers tile distances `tile[r · stride + x]` (byte offset `tileAt`), x < nx, to lists r < nq. */
  offer(tileAt: number, stride: number, nx: number, nq: number): void;
  /** Copies lists 0 .. count − 1, sorted by (distance, id), to row `to` on of [·, k] arrays. */
  copyTo(count: number, ids: Uint32Array, distances: Float32Array, to: number): void;
}

const paddedK = (k: number) => Math.ceil(k / 4) * 4;
const bytes16 = (floats: number) => Math.ceil((floats * 4) / 16) * 16;

/** Kernel memory for `rows` lists of k, fed by tiles of up to `xCapacity` columns. */
export function topKRowsBytes(rows: number, k: number, xCapacity: number): number {
  return 2 * bytes16(rows * paddedK(k)) + bytes16(xCapacity) + bytes16(rows);
}

/**
 * Creates `rows` lists of capacity `k`.
 *
 * @example
 * const top = createTopKRows(kernels, 64, 128, 256);
 * top.clear(64);
 * top.xIds.set(idsOfTheTileRows);
 * top.skipIds.fill(NO_ID);
 * top.offer(tile.distancesAt, tile.stride, 256, 64);
 * top.copyTo(64, neighbors, distances, 0);
 */
export function createTopKRows(
  kernels: Kernels,
  rows: number,
  k: number,
  xCapacity: number,
): TopKRows {
  const kp = paddedK(k);
  const dAt = kernels.reserve(rows * kp * 4);
  const iAt = kernels.reserve(rows * kp * 4);
  const xIdsAt = kernels.reserve(xCapacity * 4);
  const skipAt = kernels.reserve(rows * 4);
  const listDistances = kernels.f32.subarray(dAt / 4, dAt / 4 + rows * kp);
  const listIds = kernels.u32.subarray(iAt / 4, iAt / 4 + rows * kp);
  const { offer } = kernels.run;
  return {
    k,
    xIds: kernels.u32.subarray(xIdsAt / 4, xIdsAt / 4 + xCapacity),
    skipIds: kernels.u32.subarray(skipAt / 4, skipAt / 4 + rows),
    clear(count) {
      listDistances.fill(Infinity, 0, count * kp);
      listIds.fill(NO_ID, 0, count * kp);
    },
    offer: (tileAt, stride, nx, nq) =>
      offer(tileAt, stride, nx, nq, dAt, iAt, kp, k, xIdsAt, skipAt),
    copyTo(count, ids, distances, to) {
      for (let r = 0; r < count; r++) {
        ids.set(listIds.subarray(r * kp, r * kp + k), (to + r) * k);
        distances.set(listDistances.subarray(r * kp, r * kp + k), (to + r) * k);
      }
    },
  };
}
