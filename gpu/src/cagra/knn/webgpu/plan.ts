import { DISTANCE_TILE } from "./distance-tile.js";

/*
 * How the brute force splits its work so every buffer fits the device: the dataset is uploaded
 * once, in slabs of rows that each fit one storage binding; queries go through in tiles, and
 * each query tile meets the dataset in column tiles (never crossing a slab) whose distance
 * tile is at most 64 MiB, so memory stays bounded whatever N and Q are.
 */

/** The device limits the plan respects (a subset of GPUSupportedLimits). */
export interface TileLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** Rows per slab, query tile and column tile. */
export interface TilePlan {
  /** Dataset rows per storage buffer. */
  readonly slabRows: number;
  /** Queries merged per pass (one top-k workgroup each). */
  readonly queryRows: number;
  /** Dataset rows per distance tile. */
  readonly columnRows: number;
}

/** Defaults: 1024 queries × 16384 rows is a 64 MiB distance tile and 4096 + 1024 workgroups. */
export const DEFAULT_QUERY_ROWS = 1024;
export const DEFAULT_COLUMN_ROWS = 16384;
const MAX_TILE_BYTES = 64 * 2 ** 20;

/**
 * The tiling for `n` dataset rows, `q` queries of `dim` floats and running lists of `kp`
 * entries; `requested` sizes (for tuning and tests) are clamped to what the limits allow.
 *
 * @example
 * planTiles(device.limits, 1_000_000, 1_000_000, 128, 64); // { slabRows: …, queryRows: 1024, … }
 */
export function planTiles(
  limits: TileLimits,
  n: number,
  q: number,
  dim: number,
  kp: number,
  requested: Partial<TilePlan> = {},
): TilePlan {
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const rowsPerBinding = Math.floor(binding / (dim * 4));
  if (rowsPerBinding < 1) {
    throw new RangeError(
      `bruteForceKnnWebGpu: one row of ${dim} floats (${dim * 4} bytes) exceeds this device's ` +
        `storage binding limit (${binding} bytes); reduce the dimension or use the CPU backend.`,
    );
  }
  const grid = limits.maxComputeWorkgroupsPerDimension;
  const slabRows = atLeastOne(Math.min(n, rowsPerBinding, requested.slabRows ?? Infinity));
  const queryRows = atLeastOne(
    Math.min(
      q,
      requested.queryRows ?? DEFAULT_QUERY_ROWS,
      rowsPerBinding,
      Math.floor(binding / (kp * 4)),
      grid,
    ),
  );
  const columnRows = atLeastOne(
    Math.min(
      slabRows,
      requested.columnRows ?? DEFAULT_COLUMN_ROWS,
      Math.floor(Math.min(binding, MAX_TILE_BYTES) / (queryRows * 4)),
      grid * DISTANCE_TILE,
    ),
  );
  return { slabRows, queryRows, columnRows };
}

const atLeastOne = (rows: number) => Math.max(1, Math.floor(rows));
