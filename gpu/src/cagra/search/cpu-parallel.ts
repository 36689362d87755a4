/*
 * Multi-core batch search on the CPU. The calling thread and `threads − 1` pooled workers
 * (cpu/worker-pool.ts) claim chunks of the batch from a shared counter and search them with
 * searchCpu (cpu-search-task.ts), writing their rows of shared result arrays. Queries are
 * independent (each starts from a fresh visited set and the same plan), so the results are the
 * one-thread results, bit for bit. Coarse entry points are found chunk by chunk on the thread
 * that claims it, so that search is split too. The workers search this thread's WebAssembly
 * memory of the index in place (wasm-search.ts): one copy of the vectors for any number of
 * threads. Views of that memory stand for the graph and, where it holds the f32 rows unpadded,
 * the dataset; the other arrays (a stored index's, a coarse level's) are copied once per index
 * into SharedArrayBuffers, which every worker reads without a copy of its own.
 */
import { matrix } from "../../common/matrix.js";
import type { Matrix } from "../../common/matrix.js";
import type * as WorkerPool from "../../cpu/worker-pool.js";
import type { SearchParams } from "../params.js";
import type { VectorStorage } from "../storage/vector-storage.js";
import {
  planCpuSearch,
  searchCpu,
  searchedVectors,
  type CpuSearchOptions,
  type CpuSearchResult,
} from "./cpu.js";
import {
  searchClaimedChunks,
  type ChunkEntries,
  type ChunkedSearch,
  type KeyedIndex,
  type KeyedLevel,
  type SearchTaskInput,
} from "./cpu-search-task.js";
import type { CoarseLevel } from "./seeds/coarse-level.js";
import { coarseSeeds } from "./seeds/coarse-seeds.js";
import { validateSearchInputs, type SearchIndex } from "./validate.js";
import { sharedIndexMemory } from "./wasm-search.js";

// Imported by URL on the first call with workers, so that a browser bundle of search() holds
// no Node module (the pool needs node:worker_threads).
const WORKER_POOL = new URL("../../cpu/worker-pool.js", import.meta.url);
let pool: Promise<typeof WorkerPool> | undefined;

/** Options of searchCpuParallel: searchCpu's (traces excepted) and the thread count. */
export interface ParallelSearchOptions extends Omit<CpuSearchOptions, "traceQueries"> {
  /** Threads to use, ≥ 1: this one and `threads − 1` workers; 1 searches on this thread only. */
  readonly threads: number;
  /**
   * Fewest queries worth a thread (default 64): a worker's round trip costs about as much as
   * searching a few dozen queries, so a small batch uses fewer threads, or only this one.
   */
  readonly minQueriesPerThread?: number;
  /**
   * Entry points from a coarse level instead of `seeds`: each query's `count` nearest sample
   * rows (coarseSeeds), found by the thread that searches the query.
   */
  readonly coarse?: { readonly level: CoarseLevel; readonly count: number };
}

type Shareable = Float32Array | Uint32Array | Uint16Array | Int8Array;

// Shared memory for a batch's queries and results, kept for the next batch: fresh memory costs a
// page fault per 4 KiB when first written, which on one VM here was 1 ms of a 5 ms batch of 503
// SIFT queries on two threads. A buffer is taken by one call at a time.
const spareBuffers: SharedArrayBuffer[] = [];
const MAX_SPARE_BUFFERS = 8;

/** The smallest spare shared buffer of at least `bytes` (spares are kept smallest first), or a new one. */
function takeBuffer(bytes: number): SharedArrayBuffer {
  const at = spareBuffers.findIndex((b) => b.byteLength >= bytes);
  return at < 0 ? new SharedArrayBuffer(bytes) : spareBuffers.splice(at, 1)[0]!;
}

/** Buffers a finished call took, back to the spares; the largest MAX_SPARE_BUFFERS are kept. */
function giveBack(buffers: readonly SharedArrayBuffer[]): void {
  spareBuffers.push(...buffers);
  spareBuffers.sort((a, b) => a.byteLength - b.byteLength);
  spareBuffers.splice(0, Math.max(0, spareBuffers.length - MAX_SPARE_BUFFERS));
}

/** `a` itself when its memory is shared already, else a copy in a SharedArrayBuffer. */
function shared<T extends Shareable>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

function sharedStorage(s: VectorStorage): VectorStorage {
  switch (s.kind) {
    case "f32":
      return { ...s, data: shared(s.data) };
    case "f16":
      return { ...s, data: shared(s.data) };
    case "int8":
      return {
        ...s,
        data: shared(s.data),
        scale: shared(s.scale),
        offset: shared(s.offset),
      };
  }
}

interface SharedIndex extends KeyedIndex {
  /** The arrays it was copied from, to notice an index that reuses the dataset array. */
  readonly from: readonly unknown[];
}

// Keyed by the dataset array, which every search of one index passes again.
const sharedIndexes = new WeakMap<Float32Array, SharedIndex>();
let nextKey = 0;

function shareIndex(index: SearchIndex): SharedIndex {
  const from = [index.dataset.data, index.graph.neighbors, index.storage?.data];
  const known = sharedIndexes.get(index.dataset.data);
  if (known !== undefined && known.from.every((a, i) => a === from[i])) return known;
  const { dataset, graph, metric, storage } = index;
  // This thread's module memory of the index, loaded now if no search has: the workers search
  // it, and views of it stand for the rows (unless stored or padded otherwise) and the graph.
  const wasm = sharedIndexMemory(searchedVectors(index), graph);
  const { buffer } = wasm.memory;
  const rows =
    storage === undefined && wasm.paddedCols === dataset.cols
      ? new Float32Array(buffer, wasm.rowsAt, dataset.data.length)
      : shared(dataset.data);
  const entry: SharedIndex = {
    key: `index-${nextKey++}`,
    wasm,
    index: {
      dataset: matrix(rows, dataset.rows, dataset.cols),
      graph: { ...graph, neighbors: new Uint32Array(buffer, wasm.graphAt, graph.neighbors.length) },
      metric,
      ...(storage === undefined ? {} : { storage: sharedStorage(storage) }),
    },
    from,
  };
  sharedIndexes.set(dataset.data, entry);
  return entry;
}

const sharedLevels = new WeakMap<CoarseLevel, KeyedLevel>();

function shareLevel(level: CoarseLevel): KeyedLevel {
  let s = sharedLevels.get(level);
  if (s === undefined) {
    const { key, index, wasm } = shareIndex(level.index);
    const { grid } = level;
    s = {
      index: { key, index, wasm },
      ids: shared(level.ids),
      ...(grid === undefined ? {} : { grid: { ...grid, centre: shared(grid.centre) } }),
    };
    sharedLevels.set(level, s);
  }
  return s;
}

/**
 * What the workers get for `job` over `index`: the index's and the coarse level's shared
 * arrays under their keys, with this thread's WebAssembly memory of each, never the caller's
 * own arrays (a message copies those: 57.6 MB a
 * call at 100k × 128, which made two threads ten times slower than one).
 *
 * @example
 * runInWorkers(task, [searchTaskInput(index, job)]);
 */
export function searchTaskInput(index: SearchIndex, job: ChunkedSearch): SearchTaskInput {
  const { key, index: arrays, wasm } = shareIndex(index);
  return {
    index: { key, index: arrays, wasm },
    job: {
      ...job,
      entries:
        job.entries.kind === "coarse"
          ? { ...job.entries, level: shareLevel(job.entries.level) }
          : job.entries,
    },
  };
}

/**
 * Queries per claim: about eight claims per thread, so a thread slowed by other load leaves
 * little to wait for, while each claim's set-up (a plan, a workspace) stays a small share.
 */
function chunkSize(rows: number, threads: number): number {
  return Math.max(1, Math.ceil(rows / (8 * threads)));
}

/**
 * searchCpu over `threads` threads: the same results, neighbours, distances and iteration
 * counts included, in about 1/threads of the time for large batches. Each thread gets at least
 * `minQueriesPerThread` queries; a batch too small for two runs on this thread only.
 * An abort terminates the workers and rejects with the signal's reason.
 *
 * @example
 * const res = await searchCpuParallel(index, queries, 10, { itopkSize: 64 }, { threads: 4 });
 */
export async function searchCpuParallel(
  index: SearchIndex,
  queries: Matrix,
  k: number,
  params: Partial<SearchParams>,
  options: ParallelSearchOptions,
): Promise<CpuSearchResult> {
  const { threads, signal, minQueriesPerThread = 64, coarse, seeds, ...rest } = options;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be an integer ≥ 1, got ${threads}.`);
  }
  if (!Number.isSafeInteger(minQueriesPerThread) || minQueriesPerThread < 1) {
    throw new RangeError(`minQueriesPerThread must be an integer ≥ 1, got ${minQueriesPerThread}.`);
  }
  if ("traceQueries" in options) {
    throw new RangeError(`traceQueries needs the one-thread search (searchCpu); drop threads.`);
  }
  if (coarse !== undefined && seeds !== undefined) {
    throw new RangeError(`pass seeds or coarse entry points, not both.`);
  }
  validateSearchInputs(index, queries, k, rest.filter);
  const used = Math.min(threads, Math.floor(queries.rows / minQueriesPerThread));
  if (used <= 1) {
    const given = coarse === undefined ? seeds : coarseSeeds(coarse.level, queries, coarse.count);
    return searchCpu(index, queries, k, params, {
      ...rest,
      signal,
      seeds: given,
      ...(coarse === undefined ? {} : { seedsOnly: true }),
    });
  }
  signal?.throwIfAborted();
  const planned = planCpuSearch(index, queries.rows, k, params, {
    ...rest,
    seeds,
  });
  // The coarse seeds take the first slots as given seeds do, and are the only entry points.
  const plan =
    coarse === undefined ? planned : { ...planned, numSeeds: coarse.count, seedsOnly: true };

  const rows = queries.rows;
  const taken: SharedArrayBuffer[] = [];
  const view = <T extends Shareable | Int32Array>(
    Ctor: new (buffer: SharedArrayBuffer, offset: number, length: number) => T,
    length: number,
  ): T => {
    const buffer = takeBuffer(length * 4);
    taken.push(buffer);
    return new Ctor(buffer, 0, length);
  };
  const sharedQueries =
    queries.data.buffer instanceof SharedArrayBuffer
      ? queries.data
      : view(Float32Array, queries.data.length);
  if (sharedQueries !== queries.data) sharedQueries.set(queries.data);
  const next = view(Int32Array, 1);
  next[0] = 0;
  const job: ChunkedSearch = {
    queries: matrix(sharedQueries, rows, queries.cols),
    k,
    params,
    options: {
      ...rest,
      ...(rest.filter === undefined ? {} : { filter: shared(rest.filter) }),
    },
    entries: entriesOf(seeds, planned.numSeeds, coarse),
    chunk: chunkSize(rows, used),
    next,
    neighbors: view(Uint32Array, rows * k),
    distances: view(Float32Array, rows * k),
    iterations: view(Uint32Array, rows),
  };
  const input = searchTaskInput(index, job);
  const { runInWorkers } = await (pool ??= import(WORKER_POOL.href) as Promise<typeof WorkerPool>);
  const workers = runInWorkers<SearchTaskInput, unknown>(
    new URL("./cpu-search-task.js", import.meta.url),
    Array.from({ length: used - 1 }, () => input),
    signal === undefined ? {} : { signal },
  );
  try {
    // This thread's share, on its own copy of the index (its WebAssembly memory has it already).
    searchClaimedChunks(index, job, signal);
  } catch (error) {
    Atomics.store(job.next, 0, rows); // nothing more to claim: the workers stop after a chunk
    await workers.catch(() => {});
    throw error;
  }
  await workers;
  // Plain arrays for the caller, as one thread returns them.
  const result = {
    neighbors: job.neighbors.slice(),
    distances: job.distances.slice(),
    queries: rows,
    k,
    iterations: job.iterations.slice(),
    plan,
    traces: [],
  };
  // Only after success: an aborted call's workers are terminated without being awaited, and one
  // could still write into these buffers while another batch used them.
  giveBack(taken);
  return result;
}

function entriesOf(
  seeds: Uint32Array | undefined,
  perQuery: number,
  coarse: ParallelSearchOptions["coarse"],
): ChunkEntries {
  if (coarse !== undefined) return { kind: "coarse", ...coarse };
  if (seeds !== undefined) return { kind: "given", seeds: shared(seeds), perQuery };
  return { kind: "random" };
}
