/*
 * Multi-core batch search on the CPU: the batch is cut into one contiguous slice per thread and
 * each slice is searched by searchCpu in a pooled worker (cpu/worker-pool.ts). Queries are
 * independent (each starts from a fresh visited set and the same plan), so the results are
 * the one-thread results, bit for bit. The index's arrays are copied once into
 * SharedArrayBuffers, which every worker reads without a copy of its own (each still loads
 * the vectors into its WebAssembly memory once).
 */
import { matrix, type Matrix } from "../../common/matrix.js";
import { runInWorkers } from "../../cpu/worker-pool.js";
import type { SearchParams } from "../params.js";
import type { VectorStorage } from "../storage/vector-storage.js";
import { planCpuSearch, searchCpu, type CpuSearchOptions, type CpuSearchResult } from "./cpu.js";
import type { SearchTaskInput, SearchTaskOutput } from "./cpu-search-task.js";
import { validateSearchInputs, type SearchIndex } from "./validate.js";

/** Options of searchCpuParallel: searchCpu's (traces excepted) and the thread count. */
export interface ParallelSearchOptions extends Omit<CpuSearchOptions, "traceQueries"> {
  /** Worker threads to use, ≥ 1; 1 searches on the calling thread. */
  readonly threads: number;
  /**
   * Fewest queries worth a worker (default 64): a worker's round trip costs about as much as
   * searching a few dozen queries, so a small batch uses fewer threads, or only this one.
   */
  readonly minQueriesPerThread?: number;
}

type Shareable = Float32Array | Uint32Array | Uint16Array | Int8Array;

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
      return { ...s, data: shared(s.data), scale: shared(s.scale), offset: shared(s.offset) };
  }
}

interface SharedIndex {
  readonly key: string;
  readonly index: SearchIndex;
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
  const entry: SharedIndex = {
    key: `index-${nextKey++}`,
    index: {
      dataset: matrix(shared(dataset.data), dataset.rows, dataset.cols),
      graph: { ...graph, neighbors: shared(graph.neighbors) },
      metric,
      ...(storage === undefined ? {} : { storage: sharedStorage(storage) }),
    },
    from,
  };
  sharedIndexes.set(dataset.data, entry);
  return entry;
}

function rowsOf(m: Matrix, start: number, end: number): Matrix {
  return matrix(m.data.slice(start * m.cols, end * m.cols), end - start, m.cols);
}

/**
 * searchCpu over `threads` worker threads: the same results, neighbours, distances and
 * iteration counts included, in about 1/threads of the time for large batches. Each worker
 * gets at least `minQueriesPerThread` queries; a batch too small for two runs on this thread.
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
  const { threads, signal, minQueriesPerThread = 64, ...rest } = options;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be an integer ≥ 1, got ${threads}.`);
  }
  if (!Number.isSafeInteger(minQueriesPerThread) || minQueriesPerThread < 1) {
    throw new RangeError(`minQueriesPerThread must be an integer ≥ 1, got ${minQueriesPerThread}.`);
  }
  if ("traceQueries" in options) {
    throw new RangeError(`traceQueries needs the one-thread search (searchCpu); drop threads.`);
  }
  validateSearchInputs(index, queries, k, rest.filter);
  const plan = planCpuSearch(index, queries.rows, k, params, rest);
  const workers = Math.min(threads, Math.floor(queries.rows / minQueriesPerThread));
  if (workers <= 1) return searchCpu(index, queries, k, params, { ...rest, signal });
  signal?.throwIfAborted();

  const { key, index: sharedIndex } = shareIndex(index);
  const seedsPerQuery = plan.numSeeds;
  const inputs: SearchTaskInput[] = [];
  const starts: number[] = [];
  for (let w = 0; w < workers; w++) {
    const start = Math.floor((w * queries.rows) / workers);
    const end = Math.floor(((w + 1) * queries.rows) / workers);
    starts.push(start);
    const { seeds } = rest;
    inputs.push({
      key,
      index: sharedIndex,
      queries: rowsOf(queries, start, end),
      k,
      params,
      options: {
        ...rest,
        ...(seeds === undefined
          ? {}
          : { seeds: seeds.slice(start * seedsPerQuery, end * seedsPerQuery) }),
      },
    });
  }
  const outputs = await runInWorkers<SearchTaskInput, SearchTaskOutput>(
    new URL("./cpu-search-task.js", import.meta.url),
    inputs,
    signal === undefined ? {} : { signal },
  );
  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  outputs.forEach((out, w) => {
    neighbors.set(out.neighbors, starts[w]! * k);
    distances.set(out.distances, starts[w]! * k);
    iterations.set(out.iterations, starts[w]!);
  });
  return { neighbors, distances, queries: queries.rows, k, iterations, plan, traces: [] };
}
