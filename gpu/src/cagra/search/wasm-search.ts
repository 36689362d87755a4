/*
 * CAGRA's per-query CPU search loop in WebAssembly (AssemblyScript in ./wasm/assembly, built
 * by `npm run build:wasm` into gpu/dist/wasm/cagra-search.wasm). In JavaScript the bookkeeping
 * of each iteration (visited checks, gathering children, merging into the top list) cost more
 * than the distances; here the whole loop runs in the module, a batch of queries per call.
 *
 * One shared memory per index, cached on its graph array, holds the vectors (rows zero-padded
 * to 16 bytes) and the graph, copied once. Each instance of the module over that memory (one
 * per thread: the workers of cpu-parallel.ts adopt the calling thread's memory rather than
 * copying the index again) takes a region of its own for its query, a visited stamp per node
 * and each call's plan, seeds, filter, scratch, queries and results. Regions come from growing
 * the memory, which is atomic, so no two threads ever write the same bytes.
 */
import type { Matrix } from "../../common/matrix.js";
import { compileWasmFile } from "../../cpu/node-builtin.js";
import {
  createSharedMemory,
  instantiateWithMemory,
  type SharedWasmMemory,
  type WasmModule,
} from "../../cpu/wasm-instance.js";
import type { StorageKind, VectorStorage } from "../storage/vector-storage.js";
import type { Graph, Metric } from "../types.js";
import type { SearchPlan } from "./plan.js";
import { allocateBytes, paddedRows, PAGE, writePaddedRows } from "./wasm-rows.js";

const WASM_FILE = new URL("../../../dist/wasm/cagra-search.wasm", import.meta.url);

/** The module's exports; pointers are byte offsets into its memory. */
interface SearchExports {
  heapBase(): number;
  setIndex(
    rows: number,
    rowBytes: number,
    kind: number,
    cols: number,
    paddedCols: number,
    scale: number,
    offset: number,
    query: number,
  ): void;
  setQuery(row: number, metric: number): void;
  distances(ids: number, count: number, out: number): void;
  setGraph(nodes: number, degree: number, graph: number, stamps: number): void;
  setPlan(
    itopk: number,
    width: number,
    minIterations: number,
    maxIterations: number,
    slots: number,
    samplings: number,
    numSeeds: number,
    seedsOnly: number,
    k: number,
    metric: number,
    filter: number,
    seeds: number,
    randomSeeds: number,
  ): void;
  setWorkspace(
    seedDist: number,
    topIds: number,
    topDist: number,
    parentPos: number,
    parentIds: number,
    candIds: number,
    candDist: number,
    sortIds: number,
    sortDist: number,
  ): void;
  searchBatch(
    queries: number,
    count: number,
    cols: number,
    given: number,
    outIds: number,
    outDist: number,
    outIterations: number,
  ): void;
}

const KIND_CODE: Readonly<Record<StorageKind, number>> = { f32: 0, f16: 1, int8: 2 };
const METRIC_CODE: Readonly<Record<Metric, number>> = {
  sqeuclidean: 0,
  inner_product: 1,
  cosine: 2,
};
/** Queries per module call: the abort signal is checked between calls. */
const QUERIES_PER_CALL = 64;
/** The module's memory: 1 page declared (its static data), at most 4 GiB (wasm32). */
const INITIAL_PAGES = 1;
const MAXIMUM_PAGES = 65536;

const NEEDS_NODE =
  "CAGRA's CPU search runs its WebAssembly module in Node.js 20.16 or later (it reads the " +
  "module's file). In a browser, search on WebGPU: search(await selectBackend(), ...).";

let compiled: WasmModule | undefined;
function searchModule(): WasmModule {
  if (compiled !== undefined) return compiled;
  compiled = compileWasmFile(WASM_FILE, "CAGRA CPU search", NEEDS_NODE);
  return compiled;
}

/**
 * An index in a search module's shared memory: where its rows and graph lie, as setIndex and
 * setGraph take them. Plain data and a shared memory, so it can be posted to a worker, which
 * then searches the same bytes (adoptSharedIndex).
 */
export interface SharedIndexMemory {
  readonly memory: SharedWasmMemory;
  readonly rows: number;
  readonly cols: number;
  readonly kind: StorageKind;
  readonly rowsAt: number;
  readonly rowBytes: number;
  readonly paddedCols: number;
  readonly scaleAt: number;
  readonly offsetAt: number;
  readonly graphAt: number;
  readonly degree: number;
}

/** An index as one instance (one thread) searches it. */
interface LoadedIndex {
  readonly vectors: VectorStorage;
  readonly graph: Graph;
  readonly shared: SharedIndexMemory;
  readonly exports: SearchExports;
  /** This instance's region for each call's buffers (a larger one is taken when needed). */
  calls: { at: number; bytes: number };
}

const align = (bytes: number, to = 64) => Math.ceil(bytes / to) * to;

// One instance per graph array (and vectors), reused by every search of that index on this
// thread; neither is expected to change in place between searches.
const loaded = new WeakMap<Uint32Array, LoadedIndex>();

function cachedIndex(vectors: VectorStorage, graph: Graph): LoadedIndex | undefined {
  const cached = loaded.get(graph.neighbors);
  return cached !== undefined &&
    cached.vectors.data === vectors.data &&
    cached.vectors.kind === vectors.kind &&
    cached.vectors.rows === vectors.rows &&
    cached.vectors.cols === vectors.cols &&
    cached.graph.degree === graph.degree
    ? cached
    : undefined;
}

function loadIndex(vectors: VectorStorage, graph: Graph): LoadedIndex {
  const cached = cachedIndex(vectors, graph);
  if (cached !== undefined) return cached;
  const { rows, cols, kind } = vectors;
  const { paddedCols, rowBytes } = paddedRows(kind, cols);
  const memory = createSharedMemory(INITIAL_PAGES, MAXIMUM_PAGES);
  // The index's data starts after the module's static data (set up by any instance).
  const probe = instantiateWithMemory(searchModule(), memory) as unknown as SearchExports;
  const rowsAt = align(probe.heapBase());
  const scaleAt = align(rowsAt + rows * rowBytes);
  const offsetAt = align(scaleAt + paddedCols * 4);
  const graphAt = align(offsetAt + paddedCols * 4);
  const end = graphAt + graph.neighbors.byteLength;
  // No other thread has this memory yet, so growing it takes every byte up to `end`.
  allocateBytes(memory, end - INITIAL_PAGES * PAGE, () => `the index (${rows} × ${cols} ${kind})`);
  const buffer = memory.buffer;
  writePaddedRows(vectors, buffer, rowsAt, paddedCols);
  if (vectors.kind === "int8") {
    new Float32Array(buffer, scaleAt, cols).set(vectors.scale);
    new Float32Array(buffer, offsetAt, cols).set(vectors.offset);
  }
  new Uint32Array(buffer, graphAt, graph.neighbors.length).set(graph.neighbors);
  const shared: SharedIndexMemory = {
    memory,
    rows,
    cols,
    kind,
    rowsAt,
    rowBytes,
    paddedCols,
    scaleAt,
    offsetAt,
    graphAt,
    degree: graph.degree,
  };
  return attach(vectors, graph, shared, probe);
}

/**
 * An instance over `shared`'s memory (a new one unless given), with a region of its own for its
 * query and visited stamps, cached for `graph` on this thread.
 */
function attach(
  vectors: VectorStorage,
  graph: Graph,
  shared: SharedIndexMemory,
  exports = instantiateWithMemory(searchModule(), shared.memory) as unknown as SearchExports,
): LoadedIndex {
  const { memory, rows, rowsAt, rowBytes, kind, cols, paddedCols, scaleAt, offsetAt } = shared;
  const stampsFrom = align(paddedCols * 4);
  const own = allocateBytes(memory, stampsFrom + rows * 4, () => `the visited stamps`);
  exports.setIndex(rowsAt, rowBytes, KIND_CODE[kind], cols, paddedCols, scaleAt, offsetAt, own.at);
  exports.setGraph(rows, shared.degree, shared.graphAt, own.at + stampsFrom);
  const entry: LoadedIndex = { vectors, graph, shared, exports, calls: { at: 0, bytes: 0 } };
  loaded.set(graph.neighbors, entry);
  return entry;
}

/**
 * The shared memory that holds `vectors` and `graph` for the search module on this thread
 * (loaded now if no search has loaded it), for worker threads to adopt.
 *
 * @example
 * const wasm = sharedIndexMemory(vectors, graph); // posted to a worker, which adopts it
 */
export function sharedIndexMemory(vectors: VectorStorage, graph: Graph): SharedIndexMemory {
  return loadIndex(vectors, graph).shared;
}

/**
 * Lets searches of `vectors` and `graph` on this thread read `shared` (another thread's
 * sharedIndexMemory of the same index) instead of a copy of their own: only this thread's
 * query, stamps and call buffers are added to that memory.
 *
 * @example
 * adoptSharedIndex(vectors, graph, message.wasm); // searchWasm(vectors, graph, …) then reads it
 */
export function adoptSharedIndex(
  vectors: VectorStorage,
  graph: Graph,
  shared: SharedIndexMemory,
): void {
  if (cachedIndex(vectors, graph)?.shared.memory === shared.memory) return;
  if (
    shared.rows !== vectors.rows ||
    shared.cols !== vectors.cols ||
    shared.kind !== vectors.kind ||
    shared.degree !== graph.degree
  ) {
    throw new RangeError(
      `adoptSharedIndex: the shared index is ${shared.rows} × ${shared.cols} ${shared.kind} of degree ${shared.degree}, not this index's ${vectors.rows} × ${vectors.cols} ${vectors.kind} of degree ${graph.degree}.`,
    );
  }
  attach(vectors, graph, shared);
}

/** What searchWasm needs beyond the index and the queries. */
export interface WasmSearchInput {
  readonly plan: SearchPlan;
  readonly metric: Metric;
  /** Queries prepared for the metric (prepareForMetric). */
  readonly queries: Matrix;
  /** The random seeds of the plan (initialSeedIds), slots·samplings ids. */
  readonly seeds: Uint32Array;
  /** [queries, plan.numSeeds] entry points, or undefined. */
  readonly givenSeeds: Uint32Array | undefined;
  readonly filter: Uint32Array | undefined;
  /** Checked between groups of queries. */
  readonly signal: AbortSignal | undefined;
}

/** Per query: the first k ids and internal distances (FLT_MAX past the list), and iterations. */
export interface WasmSearchOutput {
  readonly neighbors: Uint32Array;
  readonly distances: Float32Array;
  readonly iterations: Uint32Array;
}

/**
 * searchCpu's untraced search with "exact" visited sets, run by the WebAssembly module over
 * `vectors` (prepared for the metric) and `graph`: the same ids, internal distances and
 * iteration counts as the JavaScript loop of cpu.ts. Distances are internal (−dot for inner
 * product); cpu.ts turns them into reported ones.
 *
 * @example
 * const out = searchWasm(encodeVectors(dataset, "f32"), graph, { plan, metric, queries, seeds, givenSeeds: undefined, filter: undefined, signal: undefined });
 * out.neighbors.subarray(0, plan.k); // query 0's neighbours
 */
export function searchWasm(
  vectors: VectorStorage,
  graph: Graph,
  input: WasmSearchInput,
): WasmSearchOutput {
  const { plan, metric, queries, seeds, givenSeeds, filter, signal } = input;
  const index = loadIndex(vectors, graph);
  const { exports } = index;
  const { memory } = index.shared;
  const { k, numSeeds } = plan;
  const cols = queries.cols;
  const batch = Math.min(QUERIES_PER_CALL, queries.rows);
  // The call's buffers, in this instance's region; distance outputs have room for a group of 4.
  const sizes = [plan, seeds, filter, givenSeeds, batch, cols] as const;
  const needed = callLayout(...sizes, 0).end;
  if (needed > index.calls.bytes) {
    // An outgrown region stays in the memory, which cannot shrink: at least doubling keeps all
    // the outgrown ones together smaller than the live one, however the plans grow.
    const bytes = Math.max(needed, 2 * index.calls.bytes);
    index.calls = allocateBytes(memory, bytes, () => `the search's buffers for this index`);
  }
  const at = callLayout(...sizes, index.calls.at);
  const buffer = memory.buffer;

  const u32 = new Uint32Array(buffer);
  const f32 = new Float32Array(buffer);
  u32.set(seeds, at.seedsAt >>> 2);
  u32.set(seeds.subarray(0, numSeeds), at.randomSeedsAt >>> 2);
  if (filter !== undefined) u32.set(filter, at.filterAt >>> 2);
  exports.setPlan(
    plan.itopkSize,
    plan.searchWidth,
    plan.minIterations,
    plan.maxIterations,
    plan.resultBufferSize,
    plan.numRandomSamplings,
    numSeeds,
    plan.seedsOnly ? 1 : 0,
    k,
    METRIC_CODE[metric],
    at.filterAt,
    at.seedsAt,
    at.randomSeedsAt,
  );
  exports.setWorkspace(
    at.seedDistAt,
    at.topIdsAt,
    at.topDistAt,
    at.parentPosAt,
    at.parentIdsAt,
    at.candIdsAt,
    at.candDistAt,
    at.sortIdsAt,
    at.sortDistAt,
  );

  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  for (let start = 0; start < queries.rows; start += batch) {
    signal?.throwIfAborted();
    const count = Math.min(batch, queries.rows - start);
    f32.set(queries.data.subarray(start * cols, (start + count) * cols), at.queriesAt >>> 2);
    if (givenSeeds !== undefined) {
      u32.set(givenSeeds.subarray(start * numSeeds, (start + count) * numSeeds), at.givenAt >>> 2);
    }
    exports.searchBatch(
      at.queriesAt,
      count,
      cols,
      at.givenAt,
      at.outIdsAt,
      at.outDistAt,
      at.outIterAt,
    );
    neighbors.set(u32.subarray(at.outIdsAt >>> 2, (at.outIdsAt >>> 2) + count * k), start * k);
    distances.set(f32.subarray(at.outDistAt >>> 2, (at.outDistAt >>> 2) + count * k), start * k);
    iterations.set(u32.subarray(at.outIterAt >>> 2, (at.outIterAt >>> 2) + count), start);
  }
  return { neighbors, distances, iterations };
}

/**
 * Where a call's buffers lie from byte `base` of its region (0 for a buffer it does not use),
 * and where they end.
 */
function callLayout(
  plan: SearchPlan,
  seeds: Uint32Array,
  filter: Uint32Array | undefined,
  givenSeeds: Uint32Array | undefined,
  batch: number,
  cols: number,
  base: number,
) {
  let end = base;
  const take = (bytes: number) => {
    const start = end;
    end = align(end + bytes);
    return start;
  };
  const { k, numSeeds } = plan;
  return {
    seedsAt: take(seeds.byteLength),
    randomSeedsAt: take(numSeeds * 4),
    filterAt: filter === undefined ? 0 : take(filter.byteLength),
    seedDistAt: take((seeds.length + 4) * 4),
    topIdsAt: take(plan.itopkSize * 4),
    topDistAt: take(plan.itopkSize * 4),
    parentPosAt: take(plan.searchWidth * 4),
    parentIdsAt: take(plan.searchWidth * 4),
    candIdsAt: take(plan.candidateCount * 4),
    candDistAt: take((plan.candidateCount + 4) * 4),
    sortIdsAt: take(plan.candidateCount * 4),
    sortDistAt: take(plan.candidateCount * 4),
    queriesAt: take(batch * cols * 4),
    givenAt: givenSeeds === undefined ? 0 : take(batch * numSeeds * 4),
    outIdsAt: take(batch * k * 4),
    outDistAt: take(batch * k * 4),
    outIterAt: take(batch * 4),
    end,
  };
}
