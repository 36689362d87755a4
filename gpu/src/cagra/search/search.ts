import type { Matrix } from "../../common/matrix.js";
import type { Backend } from "../../device/backend.js";
import { prepareForMetric } from "../distance.js";
import { DEFAULT_SEARCH_PARAMS, type SearchParams } from "../params.js";
import type { CagraIndex, SearchResult } from "../types.js";
import { searchCpu } from "./cpu.js";
import { searchCpuParallel } from "./cpu-parallel.js";
import { coarseHelps } from "./seeds/coarse-helps.js";
import { buildCoarseLevel, levelQueries, type CoarseLevel } from "./seeds/coarse-level.js";
import {
  COARSE_SEEDS,
  coarseSearchParams,
  coarseSeeds,
  resolveEntryPoints,
} from "./seeds/coarse-seeds.js";
import type { SearchPlan } from "./plan.js";
import { defaultStorage, type StorageKind } from "../storage/vector-storage.js";
import type { SearchTrace } from "./trace.js";
import type { SearchIndex } from "./validate.js";
import { releaseWith } from "./webgpu/index-buffers.js";
import { searchWebGpu } from "./webgpu/search.js";

/** Options of search() beyond cuVS's search parameters. */
export interface SearchOptions {
  /** Bitset over the index rows (⌈N/32⌉ words), 1 = may be returned; see bitsetFilter. */
  filter?: Uint32Array;
  /** Checked between query batches; an abort rejects with its reason. */
  signal?: AbortSignal;
  /** Queries whose search is recorded step by step (CPU backend). */
  traceQueries?: readonly number[];
}

/** A search result with the plan that ran, iterations per query and any traces. */
export interface CagraSearchResult extends SearchResult {
  readonly iterations: Uint32Array;
  readonly plan: SearchPlan;
  readonly traces: readonly SearchTrace[];
  /** How the rows the search read were held: the index's storage, else defaultStorage's. */
  readonly storage: StorageKind;
}

// The search works on the dataset as the metric wants it (unit rows for cosine), read through the
// index's storage or, where it sets none, defaultStorage's exact int8: prepared once.
const prepared = new WeakMap<CagraIndex, SearchIndex>();

function searchIndex(index: CagraIndex): SearchIndex {
  let s = prepared.get(index);
  if (!s) {
    if (!index.dataset) {
      throw new RangeError(
        "search: this index holds no dataset (built with attachDatasetOnBuild: false, or " +
          "loaded from a graph-only file); build it with the dataset attached or load one that has it.",
      );
    }
    const dataset = prepareForMetric(index.dataset, index.metric);
    const storage = index.storage ?? defaultStorage(dataset, index.metric);
    s = {
      dataset,
      graph: index.graph,
      metric: index.metric,
      ...(storage === undefined ? {} : { storage }),
    };
    prepared.set(index, s);
  }
  return s;
}

/**
 * The `k` nearest rows of `index` for every row of `queries`, by CAGRA's beam search: on
 * WebGPU one workgroup per query (or several for small batches, as cuVS chooses), on the CPU
 * query by query. Ids [queries, k] and distances as cuVS reports them (squared L2, +dot for
 * inner product, 1 − cos). An index without storage of its own (compressIndex) whose vectors
 * are small integers, as SIFT's bytes, is read as exact int8 under squared L2: the same results,
 * a quarter of the bytes (defaultStorage).
 *
 * @example
 * const { neighbors, distances } = await search(backend, index, queries, 10, { itopkSize: 64 });
 */
export async function search(
  backend: Backend,
  index: CagraIndex,
  queries: Matrix,
  k: number,
  params: Partial<SearchParams> = {},
  options: SearchOptions = {},
): Promise<CagraSearchResult> {
  const s = searchIndex(index);
  const r = await searchPrepared(backend, index, s, queries, k, params, options);
  return { ...r, storage: s.storage?.kind ?? "f32" };
}

async function searchPrepared(
  backend: Backend,
  index: CagraIndex,
  s: SearchIndex,
  queries: Matrix,
  k: number,
  params: Partial<SearchParams>,
  options: SearchOptions,
): Promise<Omit<CagraSearchResult, "storage">> {
  const entryPoints = resolveEntryPoints(params.entryPoints, backend.kind);
  const automatic = (params.entryPoints ?? DEFAULT_SEARCH_PARAMS.entryPoints) === "auto";
  // A one-row index has no coarse level to build, and nothing to choose between.
  const coarse =
    entryPoints === "coarse" && s.dataset.rows >= 2
      ? await coarseOf(s, automatic, backend.kind === "cpu" ? backend.threads : 1)
      : undefined;
  if (backend.kind === "webgpu") {
    // The kernels take per-query seeds: found by the same kernels over the coarse level.
    const { filter, signal } = options;
    let seeds: Uint32Array | undefined;
    if (coarse !== undefined) {
      const { level, count } = coarse;
      const found = await searchWebGpu(
        backend,
        level.index,
        levelQueries(level, queries),
        count,
        coarseSearchParams(count, level.ids.length),
        { signal },
      );
      seeds = found.neighbors.map((r) => level.ids[r]!);
      releaseWith(s, level.index); // the caller releases the index, and the level with it
    }
    const r = await searchWebGpu(backend, s, queries, k, params, {
      filter,
      signal,
      seeds,
      seedsOnly: seeds !== undefined,
    });
    // The caller releases the index as it holds it: without the int8 rows read in its place
    // (defaultStorage) and, for cosine, with its rows as given rather than as normalized.
    const read = s.storage?.data ?? s.dataset.data;
    if (read !== (index.storage?.data ?? index.dataset!.data)) {
      const { dataset, graph, metric, storage } = index;
      releaseWith(
        { dataset: dataset!, graph, metric, ...(storage === undefined ? {} : { storage }) },
        s,
      );
    }
    return { ...r, traces: [] };
  }
  // Several threads split the batch (same results); traced queries run on this thread.
  const { traceQueries = [], ...untraced } = options;
  const threads = traceQueries.length === 0 ? backend.threads : 1;
  if (threads > 1)
    return searchCpuParallel(s, queries, k, params, { ...untraced, threads, coarse });
  const seeds = coarse && coarseSeeds(coarse.level, queries, coarse.count);
  return searchCpu(s, queries, k, params, { ...options, seeds, seedsOnly: seeds !== undefined });
}

/**
 * The coarse level of `s` (built on first use, on `threads`) and the seeds to take from it per query; for
 * `automatic` entry points, undefined where the seeds are not worth their search on `s`
 * (coarseHelps, decided on the first such search and kept with the level).
 */
async function coarseOf(
  s: SearchIndex,
  automatic: boolean,
  threads: number,
): Promise<{ level: CoarseLevel; count: number } | undefined> {
  const level = await coarseLevelOf(s, threads);
  const count = Math.min(COARSE_SEEDS, level.ids.length);
  if (automatic && !helpsOf(s, level, count)) return undefined;
  return { level, count };
}

// Whether the coarse seeds help each prepared index, decided on its first "auto" search.
const coarseHelpsFor = new WeakMap<SearchIndex, boolean>();

function helpsOf(s: SearchIndex, level: CoarseLevel, count: number): boolean {
  let helps = coarseHelpsFor.get(s);
  if (helps === undefined) {
    helps = coarseHelps(s, level, count);
    coarseHelpsFor.set(s, helps);
  }
  return helps;
}

// The coarse level of each prepared index, built on its first "coarse" search.
const coarseLevels = new WeakMap<SearchIndex, Promise<CoarseLevel>>();

function coarseLevelOf(s: SearchIndex, threads: number): Promise<CoarseLevel> {
  let level = coarseLevels.get(s);
  if (level === undefined) {
    level = buildCoarseLevel(s, { threads });
    coarseLevels.set(s, level);
  }
  return level;
}
