/*
 * CAGRA's per-query CPU search loop in WebAssembly (AssemblyScript in ./wasm/assembly, built
 * by `npm run build:wasm` into gpu/dist/wasm/cagra-search.wasm). In JavaScript the bookkeeping
 * of each iteration (visited checks, gathering children, merging into the top list) cost more
 * than the distances; here the whole loop runs in the module, a batch of queries per call.
 *
 * One instance per index, cached on its graph array: its memory holds the vectors (rows
 * zero-padded to 16 bytes), the graph and a visited stamp per node, copied once; after them
 * each call lays out its plan's seeds, filter, scratch, queries and results, growing the memory
 * when a call needs more.
 */
import type { Matrix } from "../../common/matrix.js";
import { compileWasmFile } from "../../cpu/node-builtin.js";
import { instantiate, type WasmModule } from "../../cpu/wasm-instance.js";
import type { StorageKind, VectorStorage } from "../storage/vector-storage.js";
import type { Graph, Metric } from "../types.js";
import type { SearchPlan } from "./plan.js";
import { ensureBytes, paddedRows, writePaddedRows } from "./wasm-rows.js";

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

const NEEDS_NODE =
  "CAGRA's CPU search runs its WebAssembly module in Node.js 20.16 or later (it reads the " +
  "module's file). In a browser, search on WebGPU: search(await selectBackend(), ...).";

let compiled: WasmModule | undefined;
function searchModule(): WasmModule {
  if (compiled !== undefined) return compiled;
  compiled = compileWasmFile(WASM_FILE, "CAGRA CPU search", NEEDS_NODE);
  return compiled;
}

/** An index copied into its own instance. */
interface LoadedIndex {
  readonly vectors: VectorStorage;
  readonly graph: Graph;
  readonly exports: SearchExports;
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  /** First byte after the index's data: per-call buffers start here. */
  readonly callBase: number;
  /** Where setQuery's query (paddedCols f32) lives, for rowDistances. */
  readonly paddedCols: number;
}

const align = (bytes: number, to = 64) => Math.ceil(bytes / to) * to;

// One instance per graph array (and vectors), reused by every search of that index; neither is
// expected to change in place between searches.
const loaded = new WeakMap<Uint32Array, LoadedIndex>();

function loadIndex(vectors: VectorStorage, graph: Graph): LoadedIndex {
  const cached = loaded.get(graph.neighbors);
  if (
    cached !== undefined &&
    cached.vectors.data === vectors.data &&
    cached.vectors.kind === vectors.kind &&
    cached.vectors.rows === vectors.rows &&
    cached.vectors.cols === vectors.cols &&
    cached.graph.degree === graph.degree
  ) {
    return cached;
  }
  const { rows, cols, kind } = vectors;
  const { paddedCols, rowBytes } = paddedRows(kind, cols);
  const instance = instantiate(searchModule());
  const exports = instance.exports as unknown as SearchExports;
  const memory = instance.memory;
  const rowsAt = align(exports.heapBase());
  const scaleAt = align(rowsAt + rows * rowBytes);
  const offsetAt = align(scaleAt + paddedCols * 4);
  const queryAt = align(offsetAt + paddedCols * 4);
  const graphAt = align(queryAt + paddedCols * 4);
  const stampsAt = align(graphAt + graph.neighbors.byteLength);
  const end = align(stampsAt + rows * 4);
  const buffer = ensureBytes(memory, end, () => `the index (${rows} × ${cols} ${kind})`);
  writePaddedRows(vectors, buffer, rowsAt, paddedCols);
  if (vectors.kind === "int8") {
    new Float32Array(buffer, scaleAt, cols).set(vectors.scale);
    new Float32Array(buffer, offsetAt, cols).set(vectors.offset);
  }
  new Uint32Array(buffer, graphAt, graph.neighbors.length).set(graph.neighbors);
  exports.setIndex(rowsAt, rowBytes, KIND_CODE[kind], cols, paddedCols, scaleAt, offsetAt, queryAt);
  exports.setGraph(rows, graph.degree, graphAt, stampsAt);
  const entry: LoadedIndex = { vectors, graph, exports, memory, callBase: end, paddedCols };
  loaded.set(graph.neighbors, entry);
  return entry;
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
  const { exports, memory } = index;
  const { k, numSeeds } = plan;
  const cols = queries.cols;
  const batch = Math.min(QUERIES_PER_CALL, queries.rows);
  // The call's buffers, after the index's data; distance outputs have room for a group of 4.
  let at = index.callBase;
  const take = (bytes: number) => {
    const start = at;
    at = align(at + bytes);
    return start;
  };
  const seedsAt = take(seeds.byteLength);
  const randomSeedsAt = take(numSeeds * 4);
  const filterAt = filter === undefined ? 0 : take(filter.byteLength);
  const seedDistAt = take((seeds.length + 4) * 4);
  const topIdsAt = take(plan.itopkSize * 4);
  const topDistAt = take(plan.itopkSize * 4);
  const parentPosAt = take(plan.searchWidth * 4);
  const parentIdsAt = take(plan.searchWidth * 4);
  const candIdsAt = take(plan.candidateCount * 4);
  const candDistAt = take((plan.candidateCount + 4) * 4);
  const sortIdsAt = take(plan.candidateCount * 4);
  const sortDistAt = take(plan.candidateCount * 4);
  const queriesAt = take(batch * cols * 4);
  const givenAt = givenSeeds === undefined ? 0 : take(batch * numSeeds * 4);
  const outIdsAt = take(batch * k * 4);
  const outDistAt = take(batch * k * 4);
  const outIterAt = take(batch * 4);
  const buffer = ensureBytes(memory, at, () => `the search's buffers for this index`);

  const u32 = new Uint32Array(buffer);
  const f32 = new Float32Array(buffer);
  u32.set(seeds, seedsAt >>> 2);
  u32.set(seeds.subarray(0, numSeeds), randomSeedsAt >>> 2);
  if (filter !== undefined) u32.set(filter, filterAt >>> 2);
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
    filterAt,
    seedsAt,
    randomSeedsAt,
  );
  exports.setWorkspace(
    seedDistAt,
    topIdsAt,
    topDistAt,
    parentPosAt,
    parentIdsAt,
    candIdsAt,
    candDistAt,
    sortIdsAt,
    sortDistAt,
  );

  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  for (let start = 0; start < queries.rows; start += batch) {
    signal?.throwIfAborted();
    const count = Math.min(batch, queries.rows - start);
    f32.set(queries.data.subarray(start * cols, (start + count) * cols), queriesAt >>> 2);
    if (givenSeeds !== undefined) {
      u32.set(givenSeeds.subarray(start * numSeeds, (start + count) * numSeeds), givenAt >>> 2);
    }
    exports.searchBatch(queriesAt, count, cols, givenAt, outIdsAt, outDistAt, outIterAt);
    neighbors.set(u32.subarray(outIdsAt >>> 2, (outIdsAt >>> 2) + count * k), start * k);
    distances.set(f32.subarray(outDistAt >>> 2, (outDistAt >>> 2) + count * k), start * k);
    iterations.set(u32.subarray(outIterAt >>> 2, (outIterAt >>> 2) + count), start);
  }
  return { neighbors, distances, iterations };
}
