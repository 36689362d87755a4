/*
 * CAGRA's single-CTA beam search (cuVS search_single_cta_kernel-inl.cuh, search_core) on the
 * CPU, one query after another. Per query:
 *   0. random init: every slot of the result buffer (M + p·G) takes the best of its
 *      numRandomSamplings seeds; a node already visited is dropped;
 *   1. merge into the sorted top-M list;
 *   2. stop after maxIterations;
 *   3. parents = the first p entries not yet expanded (flagged with the id's MSB, as cuVS);
 *   4. none left: converged, stop once minIterations are done;
 *   5. expand: children already visited are skipped, the rest get a distance;
 *   6. a filtered parent leaves the list once its children are out; at the end every filtered
 *      entry goes and the top k are returned.
 *
 * Like the GPU, this merges each expansion's candidates into the sorted list at once (the
 * random init inserts seed by seed, which keeps the same best-M set: nothing reads the list
 * before cuVS's merge). Ties: an entry already in the list stays ahead of a
 * newcomer at an equal distance, and newcomers enter in slot / child order; a GPU's bitonic
 * network may order equal distances differently, so ids can differ only where distances tie.
 * Duplicates in the random init keep the lowest slot (on a GPU, whichever thread wins).
 *
 * Visited sets. cuVS's SMALL table is emptied every few iterations and refilled with the top-M
 * ids only, so a node seen earlier can pass it again and be recomputed. Such a node is always
 * refused: it left (or never entered) a full list whose worst entry was no better than it, and
 * without a filter that worst entry only improves. With a filter the plan uses a HASH table,
 * never reset and never more than half full. So a per-node stamp ("exact") gives the same
 * lists and iterations as the planned table ("hash"), with fewer distances; the hash still
 * runs for traced queries, whose candidate lists then match the GPU's.
 */
import type { Matrix } from "../../common/matrix.js";
import { prepareForMetric, reportedDistance } from "../distance.js";
import type { SearchParams } from "../params.js";
import type { Metric, SearchResult } from "../types.js";
import { bitsetKeeps, filteringRate } from "./filter.js";
import { planSearch, type HashmapMode, type SearchPlan } from "./plan.js";
import { initialSeedIds } from "./random-seeds.js";
import { createTraceRecorder, type SearchTrace, type TraceRecorder } from "./trace.js";
import { seedCount, validateSearchInputs, type SearchIndex } from "./validate.js";
import { insertSorted, mergeSorted } from "./sorted-insert.js";
import { visitedStamps, type VisitedStamps } from "./visited-stamps.js";
import { rowDistances, type RowDistances } from "./wasm-distance.js";
import { encodeVectors, type VectorStorage } from "../storage/vector-storage.js";
import { searchWasm } from "./wasm-search.js";
import {
  createVisitedHash,
  visitedClear,
  visitedInsert,
  type VisitedHash,
} from "./visited-hash.js";

/** Options of a CPU search beyond cuVS's search parameters. */
export interface CpuSearchOptions {
  /** Bitset over the index rows, 1 = may be returned (see bitsetFilter). */
  readonly filter?: Uint32Array;
  /** Checked between queries; an abort throws its reason. */
  readonly signal?: AbortSignal;
  /** Rows of `queries` whose search is recorded step by step. */
  readonly traceQueries?: readonly number[];
  /** cuVS hashmap_mode (default "auto"). */
  readonly hashmapMode?: HashmapMode;
  /**
   * How visited nodes are recognised: "exact" (default, one stamp per node) or "hash" (the
   * plan's table, as the GPU does). Both give the same results; see the note atop cpu.ts.
   */
  readonly visited?: "exact" | "hash";
  /**
   * Entry points per query, [queries, s] row-major (cuVS seed_ptr with num_seeds = s): they
   * take the first s slots of the random init; an INVALID_ID entry keeps its random node.
   */
  readonly seeds?: Uint32Array;
  /** The random init takes the given `seeds` only (SearchPlan.seedsOnly). Default false. */
  readonly seedsOnly?: boolean;
  /**
   * Where the loop runs: "wasm" (default; wasm-search.ts) or "js", the reference in this file,
   * which traced queries and "hash" visited sets always take. Both give the same results.
   */
  readonly loop?: "wasm" | "js";
}

/** A search result with the plan it ran and cuVS's per-query iteration counts. */
export interface CpuSearchResult extends SearchResult {
  /** Iterations each query ran (cuVS num_executed_iterations). */
  readonly iterations: Uint32Array;
  readonly plan: SearchPlan;
  /** One trace per entry of options.traceQueries, in that order. */
  readonly traces: SearchTrace[];
}

/** Id of a result slot the search could not fill. */
export const INVALID_ID = 0xffffffff;
// cuVS's "no distance" (FLT_MAX), kept rather than Infinity so that a WGSL kernel can match it.
const FLT_MAX = 3.4028234663852886e38;
const FLAG = 0x80000000;
const ID_MASK = 0x7fffffff;

/**
 * Batched k-NN search of `queries` over a CAGRA graph, one query at a time on this thread.
 * `index.dataset` must already be prepared for the metric (prepareForMetric); queries are
 * prepared here. Results are [queries, k] row-major, closest first, with reported distances
 * (+dot for inner product); a slot the search could not fill holds INVALID_ID.
 * `params.algo` may be "auto" or "single_cta": the CPU runs single-CTA's algorithm.
 *
 * @example
 * const res = searchCpu({ dataset, graph, metric: "sqeuclidean" }, queries, 10, { itopkSize: 64 });
 * res.neighbors.subarray(0, 10); // the 10 neighbours of query 0
 */
export function searchCpu(
  index: SearchIndex,
  queries: Matrix,
  k: number,
  params: Partial<SearchParams> = {},
  options: CpuSearchOptions = {},
): CpuSearchResult {
  const { filter, signal, traceQueries = [], visited = "exact", seeds, loop = "wasm" } = options;
  validateSearchInputs(index, queries, k, filter);
  for (const q of traceQueries) {
    if (!Number.isInteger(q) || q < 0 || q >= queries.rows) {
      throw new RangeError(`traceQueries: ${q} is not a query row in [0, ${queries.rows}).`);
    }
  }
  const plan = planCpuSearch(index, queries.rows, k, params, options);
  const { metric } = index;

  const prepared = prepareForMetric(queries, metric);
  const vectors = searchedVectors(index);
  const randomSeeds = initialSeedIds(
    index.dataset.rows,
    plan.resultBufferSize,
    plan.numRandomSamplings,
    plan.randXorMask,
  );
  if (loop !== "wasm" && loop !== "js") {
    throw new RangeError(`loop must be "wasm" or "js", got ${String(loop)}.`);
  }
  if (loop === "wasm" && traceQueries.length === 0 && visited === "exact") {
    const found = searchWasm(vectors, index.graph, {
      plan,
      metric,
      queries: prepared,
      seeds: randomSeeds,
      givenSeeds: seeds,
      filter,
      signal,
    });
    if (metric === "inner_product") {
      found.distances.forEach((d, i) => (found.distances[i] = reportedDistance(metric, d)));
    }
    return { ...found, queries: queries.rows, k, plan, traces: [] };
  }
  const ws = createWorkspace(index, vectors, plan, randomSeeds, filter, visited);
  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  const wanted = new Set(traceQueries);
  const traced = new Map<number, SearchTrace>();
  for (let q = 0; q < queries.rows; q++) {
    signal?.throwIfAborted();
    const recorder = wanted.has(q) ? createTraceRecorder(q, metric) : undefined;
    ws.distances.setQuery(prepared, q);
    if (seeds !== undefined) placeSeeds(ws, seeds, q);
    iterations[q] = searchQuery(ws, recorder);
    if (filter !== undefined) dropFiltered(ws, filter);
    writeTopK(ws, k, metric, neighbors, distances, q * k);
    if (recorder !== undefined) traced.set(q, recorder.finish());
  }
  const traces = traceQueries.map((q) => traced.get(q)!);
  return { neighbors, distances, queries: queries.rows, k, iterations, plan, traces };
}

/**
 * The vectors a search of `index` reads: its storage, else its dataset as f32 (no copy).
 *
 * @example
 * searchedVectors({ dataset, graph, metric: "sqeuclidean" }).kind; // "f32"
 */
export function searchedVectors(index: SearchIndex): VectorStorage {
  return index.storage ?? encodeVectors(index.dataset, "f32");
}

/**
 * The plan searchCpu runs for `numQueries` queries (options' filter, seeds, hashmapMode and
 * visited checked, the index not): shared with the multi-threaded search, whose workers each
 * plan a slice of the batch.
 *
 * @example
 * planCpuSearch(index, 1000, 10, { itopkSize: 64 }).maxIterations;
 */
export function planCpuSearch(
  index: SearchIndex,
  numQueries: number,
  k: number,
  params: Partial<SearchParams>,
  options: CpuSearchOptions = {},
): SearchPlan {
  const { filter, visited = "exact", seeds } = options;
  const seedsPerQuery = seeds === undefined ? 0 : seedCount(seeds, numQueries, index.dataset.rows);
  const algo = params.algo ?? "auto";
  if (algo !== "auto" && algo !== "single_cta") {
    throw new RangeError(
      `searchCpu runs the single_cta algorithm; algo must be "auto" or "single_cta", got "${algo}".`,
    );
  }
  if (visited !== "exact" && visited !== "hash") {
    throw new RangeError(`visited must be "exact" or "hash", got ${String(visited)}.`);
  }
  const { dataset, graph } = index;
  return planSearch(
    {
      datasetSize: dataset.rows,
      graphDegree: graph.degree,
      k,
      numQueries,
      filtered: filter !== undefined,
      filteringRate: filter === undefined ? 0 : filteringRate(filter, dataset.rows),
      ...(options.hashmapMode === undefined ? {} : { hashmapMode: options.hashmapMode }),
      seedsPerQuery,
      seedsOnly: options.seedsOnly === true,
    },
    { ...params, algo: "single_cta" },
  );
}

/** Buffers reused by every query of a call, so the hot loop allocates nothing. */
interface Workspace {
  readonly plan: SearchPlan;
  readonly n: number;
  readonly degree: number;
  readonly neighbors: Uint32Array;
  /** Distances from the current query. */
  readonly distances: RowDistances;
  readonly filter: Uint32Array | undefined;
  readonly seeds: Uint32Array;
  /** The random seeds of the slots that given seeds replace (restored for INVALID_ID). */
  readonly randomSeeds: Uint32Array;
  readonly seedDist: Float32Array;
  readonly hash: VisitedHash;
  /** The "exact" visited set, or undefined when the plan's table is used for every query. */
  readonly stamps: VisitedStamps | undefined;
  /** The sorted top-M list; `length` entries are valid. */
  readonly topIds: Uint32Array;
  readonly topDist: Float32Array;
  length: number;
  readonly parentPos: Int32Array;
  readonly parentIds: Uint32Array;
  /** Children computed in the last expansion (cuVS's candidate area). */
  readonly candIds: Uint32Array;
  readonly candDist: Float32Array;
  candCount: number;
  /** Scratch of the merge: the candidates sorted, and its [length, first new position]. */
  readonly sortIds: Uint32Array;
  readonly sortDist: Float32Array;
  readonly merged: Int32Array;
}

function createWorkspace(
  index: SearchIndex,
  vectors: VectorStorage,
  plan: SearchPlan,
  seeds: Uint32Array,
  filter: Uint32Array | undefined,
  visited: "exact" | "hash",
): Workspace {
  const { dataset, graph, metric } = index;
  return {
    plan,
    n: dataset.rows,
    degree: graph.degree,
    neighbors: graph.neighbors,
    distances: rowDistances(vectors, metric),
    filter,
    seeds,
    randomSeeds: seeds.slice(0, plan.numSeeds),
    seedDist: new Float32Array(seeds.length),
    hash: createVisitedHash(plan.hashBitlen),
    stamps: visited === "exact" ? visitedStamps(vectors.data, dataset.rows) : undefined,
    topIds: new Uint32Array(plan.itopkSize),
    topDist: new Float32Array(plan.itopkSize),
    length: 0,
    parentPos: new Int32Array(plan.searchWidth),
    parentIds: new Uint32Array(plan.searchWidth),
    candIds: new Uint32Array(plan.candidateCount),
    candDist: new Float32Array(plan.candidateCount),
    candCount: 0,
    sortIds: new Uint32Array(plan.candidateCount),
    sortDist: new Float32Array(plan.candidateCount),
    merged: new Int32Array(2),
  };
}

/**
 * Writes query q's given seeds over the first slots of the shared random seeds (cuVS reads
 * seed_ptr[gid] for gid < num_seeds). Every query overwrites the same slots, so nothing needs
 * restoring; an INVALID_ID entry takes that slot's random node again.
 */
function placeSeeds(ws: Workspace, seeds: Uint32Array, q: number): void {
  const s = ws.plan.numSeeds;
  for (let i = 0; i < s; i++) {
    const id = seeds[q * s + i]!;
    ws.seeds[i] = id === INVALID_ID ? ws.randomSeeds[i]! : id;
  }
}

/** Runs one query's search in `ws`, leaving its top list there; returns the iterations run. */
function searchQuery(ws: Workspace, recorder: TraceRecorder | undefined): number {
  const { plan, n, degree, neighbors, distances, filter, seeds, seedDist, hash } = ws;
  const { topIds, topDist, parentPos, parentIds, candIds, candDist, sortIds, sortDist, merged } =
    ws;
  const capacity = topIds.length;
  const slots = plan.resultBufferSize;
  const samplings = plan.numRandomSamplings;
  const width = plan.searchWidth;
  // Traced queries replay the GPU's table.
  const stamps = recorder === undefined ? ws.stamps : undefined;
  const stamp = stamps?.stamp;
  const resetting = stamp === undefined && plan.hashMode === "small";
  const interval = plan.hashResetInterval;
  let epoch = 0;
  if (stamps !== undefined) {
    if (stamps.epoch === 0xffffffff) {
      stamps.stamp.fill(0);
      stamps.epoch = 0;
    }
    epoch = ++stamps.epoch;
  } else {
    visitedClear(hash);
  }
  let length = 0;
  let visited = 0;
  ws.candCount = 0;
  // Every entry before firstOpen has been expanded, so the parent scan starts there.
  let firstOpen = 0;

  // 0. Random init (sampling 0 of the given seeds' slots only, with seedsOnly).
  const initSlots = plan.seedsOnly ? plan.numSeeds : slots;
  const initCount = plan.seedsOnly ? plan.numSeeds : seeds.length;
  const initSamplings = plan.seedsOnly ? 1 : samplings;
  distances.compute(seeds, initCount, seedDist);
  visited += initCount;
  for (let i = 0; i < initSlots; i++) {
    let best = FLT_MAX;
    let bestId = INVALID_ID;
    for (let j = 0; j < initSamplings; j++) {
      const d = seedDist[i + slots * j]!;
      if (d < best) {
        best = d;
        bestId = seeds[i + slots * j]!;
      }
    }
    if (bestId === INVALID_ID) continue;
    if (stamp !== undefined) {
      if (stamp[bestId] === epoch) continue;
      stamp[bestId] = epoch;
    } else if (!visitedInsert(hash, bestId)) {
      continue;
    }
    recorder?.seed(bestId, best);
    if (insertSorted(topIds, topDist, length, bestId, best) >= 0 && length < capacity) length++;
  }

  let iter = 0;
  for (;;) {
    const reset = resetting && (iter + 1) % interval === 0;
    if (reset) visitedClear(hash);
    // 1. The merge already happened, after the expansion.
    recorder?.top(iter, topIds, topDist, length, visited);
    // 2.
    if (iter + 1 === plan.maxIterations) break;
    // 3. Pick parents.
    let found = 0;
    let pos = firstOpen;
    for (; pos < length && found < width; pos++) {
      const v = topIds[pos]!;
      if ((v & FLAG) === 0) {
        parentPos[found] = pos;
        parentIds[found] = v;
        topIds[pos] = (v | FLAG) >>> 0;
        found++;
      }
    }
    firstOpen = pos;
    if (reset) for (let i = 0; i < length; i++) visitedInsert(hash, topIds[i]! & ID_MASK);
    // 4.
    if (found === 0 && iter >= plan.minIterations) break;
    // 6 (first half). A filtered parent leaves now; its children are still expanded below.
    if (filter !== undefined) {
      for (let f = found - 1; f >= 0; f--) {
        if (bitsetKeeps(filter, parentIds[f]!)) continue;
        const at = parentPos[f]!;
        topIds.copyWithin(at, at + 1, length);
        topDist.copyWithin(at, at + 1, length);
        length--;
        if (at < firstOpen) firstOpen--;
      }
    }
    // 5. Expand: gather the unvisited children, then their distances, then merge.
    let candCount = 0;
    for (let f = 0; f < found; f++) {
      const base = parentIds[f]! * degree;
      for (let e = 0; e < degree; e++) {
        const child = neighbors[base + e]!;
        if (child >= n) continue;
        if (stamp !== undefined) {
          if (stamp[child] === epoch) continue;
          stamp[child] = epoch;
        } else if (!visitedInsert(hash, child)) {
          continue;
        }
        candIds[candCount++] = child;
      }
    }
    distances.compute(candIds, candCount, candDist);
    visited += candCount;
    // One merge per expansion moves each list entry once; inserting one by one shifted the
    // tail per candidate, the largest share of a SIFT-5k search's profile (itopk 32).
    mergeSorted(topIds, topDist, length, candIds, candDist, candCount, sortIds, sortDist, merged);
    length = merged[0]!;
    if (merged[1]! >= 0 && merged[1]! < firstOpen) firstOpen = merged[1]!;
    ws.candCount = candCount;
    recorder?.expanded(parentIds, found, candIds, candDist, candCount, visited);
    iter++;
  }
  ws.length = length;
  return iter + 1;
}

/**
 * cuVS's post-filter: drop filtered entries from the top list and, if fewer than k remain,
 * merge in the last expansion's kept children. cuVS re-merges that whole candidate area and
 * can repeat an id already in the list (raft #2234); ids already present are skipped here.
 */
function dropFiltered(ws: Workspace, filter: Uint32Array): void {
  const { topIds, topDist, candIds, candDist } = ws;
  let kept = 0;
  for (let i = 0; i < ws.length; i++) {
    if (!bitsetKeeps(filter, topIds[i]! & ID_MASK)) continue;
    topIds[kept] = topIds[i]!;
    topDist[kept] = topDist[i]!;
    kept++;
  }
  if (kept < ws.plan.k) {
    for (let c = 0; c < ws.candCount; c++) {
      const id = candIds[c]!;
      if (!bitsetKeeps(filter, id) || listed(topIds, kept, id)) continue;
      if (insertSorted(topIds, topDist, kept, id, candDist[c]!) >= 0 && kept < topIds.length) {
        kept++;
      }
    }
  }
  ws.length = kept;
}

function listed(ids: Uint32Array, length: number, id: number): boolean {
  for (let i = 0; i < length; i++) if ((ids[i]! & ID_MASK) === id) return true;
  return false;
}

/** Writes the first k entries of the top list, flags cleared, distances as reported. */
function writeTopK(
  ws: Workspace,
  k: number,
  metric: Metric,
  neighbors: Uint32Array,
  distances: Float32Array,
  offset: number,
): void {
  for (let i = 0; i < k; i++) {
    const valid = i < ws.length;
    neighbors[offset + i] = valid ? ws.topIds[i]! & ID_MASK : INVALID_ID;
    distances[offset + i] = reportedDistance(metric, valid ? ws.topDist[i]! : FLT_MAX);
  }
}
