import type { Matrix } from "../../../common/matrix.js";
import type { BackendKind } from "../../../device/backend.js";
import { DEFAULT_SEARCH_PARAMS, type EntryPoints, type SearchParams } from "../../params.js";
import { searchCpu } from "../cpu.js";
import { levelQueries, type CoarseLevel } from "./coarse-level.js";

/**
 * Entry points taken from the coarse level per query. On 20k-row Gaussian mixtures (200
 * clusters) 16 seeds lift recall@10 at itopk 32 from 0.22–0.49 to 0.97 (docs/cagra.md).
 */
export const COARSE_SEEDS = 16;

/**
 * `auto` resolved for a backend: `coarse` on the CPU (which search() then keeps only where
 * coarseHelps finds the seeds worth their search), `random` on WebGPU; others checked.
 */
export function resolveEntryPoints(
  entryPoints: EntryPoints = DEFAULT_SEARCH_PARAMS.entryPoints,
  backend: BackendKind,
): Exclude<EntryPoints, "auto"> {
  switch (entryPoints) {
    case "random":
    case "coarse":
      return entryPoints;
    case "auto":
      return backend === "cpu" ? "coarse" : "random";
    default:
      throw new RangeError(
        `entryPoints must be "auto", "random" or "coarse", got ${String(entryPoints)}.`,
      );
  }
}

/**
 * Width and iterations of the coarse search. Two parents per iteration for 14 iterations give
 * the main search the same recall@10 as cuVS's automatic count at width 1 did (37 iterations at
 * 6,250 rows, 35 at 281), with 13 expansions per query instead of 34 (synthetic-100k) or 32
 * (SIFT-5k) and fewer distances: 350 against 421 per query, 189 against 196 (docs/cagra.md,
 * "The coarse search").
 */
const SMALL = { itopkSize: 32, searchWidth: 2, maxIterations: 14 };
/**
 * Levels over SMALL_LEVEL_ROWS (indexes over 100k rows) get a wider search: on the 1M-row
 * mixture (a 62,500-row level, 10,000 clusters) SMALL left 268 of 1,000 queries with no true
 * neighbour (recall@10 0.72 at main itopk 64, 0.76 at 256); this one leaves 12 (0.982), for
 * about 62 µs a query on one thread on the integer grid (docs/cagra.md, "The coarse search at
 * 1M rows").
 */
const LARGE = { itopkSize: 64, searchWidth: 8, maxIterations: 20 };
const SMALL_LEVEL_ROWS = 6_250;

/**
 * The search of a coarse level of `rows` rows that finds `count` seeds per query, on the CPU
 * (coarseSeeds) or on WebGPU (search() there), so both find the same seeds.
 *
 * @example
 * coarseSearchParams(16, 6_250); // { itopkSize: 32, searchWidth: 2, maxIterations: 14, algo: "single_cta" }
 */
export function coarseSearchParams(count: number, rows: number): Partial<SearchParams> {
  const { itopkSize, ...rest } = rows > SMALL_LEVEL_ROWS ? LARGE : SMALL;
  return { itopkSize: Math.max(itopkSize, count), ...rest, algo: "single_cta" };
}

/**
 * Entry points from a coarse level: for every query, the index rows of its `count` nearest
 * sample rows, found by a CAGRA search of the coarse level. Returns [queries, count] ids,
 * row-major, the layout search() takes as per-query seeds. A pure function of its inputs.
 *
 * @example
 * const seeds = coarseSeeds(await buildCoarseLevel(index), queries, 16); // 16 per query
 */
export function coarseSeeds(level: CoarseLevel, queries: Matrix, count: number): Uint32Array {
  const rows = level.ids.length;
  if (!Number.isSafeInteger(count) || count < 1 || count > rows) {
    throw new RangeError(
      `coarseSeeds: count must be an integer in [1, ${rows}] (the coarse level's rows), got ${count}.`,
    );
  }
  const found = searchCpu(
    level.index,
    levelQueries(level, queries),
    count,
    coarseSearchParams(count, rows),
  );
  return found.neighbors.map((r) => level.ids[r]!);
}
