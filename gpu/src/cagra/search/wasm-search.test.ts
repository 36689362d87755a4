import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix, type Matrix } from "../../common/matrix.js";
import { compileWasmFile } from "../../cpu/node-builtin.js";
import { createSharedMemory, instantiateWithMemory } from "../../cpu/wasm-instance.js";
import { loadSift5k } from "../../datasets/node.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { SIFT_5K_DIR } from "../../../test/datasets.js";
import { cpuBackend } from "../../device/select.js";
import { build } from "../build.js";
import { prepareForMetric } from "../distance.js";
import type { SearchParams } from "../params.js";
import { compressIndex } from "../storage/compress-index.js";
import { STORAGE_KINDS, encodeVectors } from "../storage/vector-storage.js";
import { METRICS, type CagraIndex } from "../types.js";
import { INVALID_ID, searchCpu, searchedVectors, type CpuSearchOptions } from "./cpu.js";
import { bitsetFilter } from "./filter.js";
import { paddedRows, writePaddedRows } from "./wasm-rows.js";
import type { SearchIndex } from "./validate.js";
import { adoptSharedIndex, sharedIndexMemory } from "./wasm-search.js";

const QUERIES = 100;
const K = 10;

async function siftSplit(): Promise<{ base: Matrix; queries: Matrix }> {
  const sift = await loadSift5k(SIFT_5K_DIR);
  return holdOutQueries(sift.base, QUERIES, 7);
}

/** What search() hands searchCpu: the dataset prepared for the metric, any storage. */
function searchIndex(index: CagraIndex): SearchIndex {
  return {
    dataset: prepareForMetric(index.dataset!, index.metric),
    graph: index.graph,
    metric: index.metric,
    ...(index.storage === undefined ? {} : { storage: index.storage }),
  };
}

/** Entry points per query: a spread of rows, every third one INVALID_ID (keep the random node). */
function givenSeeds(rows: number, perQuery: number): Uint32Array {
  return Uint32Array.from({ length: QUERIES * perQuery }, (_, i) =>
    i % 3 === 2 ? INVALID_ID : (i * 7919) % rows,
  );
}

const CASES: {
  name: string;
  params: Partial<SearchParams>;
  options: (n: number) => CpuSearchOptions;
}[] = [
  { name: "defaults", params: {}, options: () => ({}) },
  {
    name: "itopk 32, 8 iterations",
    params: { itopkSize: 32, maxIterations: 8 },
    options: () => ({}),
  },
  {
    name: "width 2, 2 samplings",
    params: { itopkSize: 64, searchWidth: 2, numRandomSamplings: 2 },
    options: () => ({}),
  },
  {
    name: "filter",
    params: { itopkSize: 32 },
    options: (n) => ({ filter: bitsetFilter(n, (id) => id % 3 !== 0) }),
  },
  {
    name: "filter keeping few, 1 iteration",
    params: { itopkSize: 32, maxIterations: 1 },
    options: (n) => ({ filter: bitsetFilter(n, (id) => id % 50 === 0) }),
  },
  {
    name: "given seeds",
    params: { itopkSize: 32 },
    options: (n) => ({ seeds: givenSeeds(n, 16) }),
  },
  {
    name: "given seeds only, 2 samplings",
    params: { itopkSize: 32, numRandomSamplings: 2 },
    options: (n) => ({ seeds: givenSeeds(n, 16), seedsOnly: true }),
  },
];

test("the WebAssembly loop returns the JavaScript loop's ids, distances and iterations on SIFT-5k, every metric, storage and option", async () => {
  const { base, queries } = await siftSplit();
  for (const metric of METRICS) {
    const built = await build(cpuBackend(1), base, {
      graphDegree: 32,
      intermediateGraphDegree: 64,
      metric,
    });
    for (const kind of STORAGE_KINDS) {
      const index = searchIndex(kind === "f32" ? built : compressIndex(built, kind));
      for (const { name, params, options } of CASES) {
        const opts = options(base.rows);
        const wasm = searchCpu(index, queries, K, params, { ...opts, loop: "wasm" });
        const js = searchCpu(index, queries, K, params, { ...opts, loop: "js" });
        const what = `${metric}, ${kind}, ${name}`;
        assert.deepEqual(wasm.neighbors, js.neighbors, `${what}: neighbours`);
        assert.deepEqual(wasm.distances, js.distances, `${what}: distances`);
        assert.deepEqual(wasm.iterations, js.iterations, `${what}: iterations`);
        assert.ok(
          wasm.neighbors.some((id) => id !== INVALID_ID),
          `${what}: found nothing`,
        );
      }
    }
  }
});

test("the WebAssembly loop reuses its copy of an index and checks the signal between query groups", async () => {
  const { base, queries } = await siftSplit();
  const built = await build(cpuBackend(1), base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const index = searchIndex(built);
  const first = searchCpu(index, queries, K, { itopkSize: 32 });
  const again = searchCpu(index, queries, K, { itopkSize: 64 });
  const repeat = searchCpu(index, queries, K, { itopkSize: 32 });
  assert.deepEqual(repeat.neighbors, first.neighbors);
  assert.notDeepEqual(again.iterations, first.iterations);
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  assert.throws(() => searchCpu(index, queries, K, {}, { signal: controller.signal }), /stop/);
  assert.throws(() => searchCpu(index, queries, K, {}, { loop: "gpu" as "js" }), /loop must be/);
});

test("another instance adopts an index's shared memory: the same results, interleaved, without a copy", async () => {
  const { base, queries } = await siftSplit();
  const built = await build(cpuBackend(1), base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const index = searchIndex(built);
  const first = searchCpu(index, queries, K, { itopkSize: 32 });
  const shared = sharedIndexMemory(searchedVectors(index), index.graph);
  // As a worker sees the index: other array objects over the same values.
  const other: SearchIndex = {
    ...index,
    dataset: matrix(index.dataset.data.slice(), index.dataset.rows, index.dataset.cols),
    graph: { ...index.graph, neighbors: index.graph.neighbors.slice() },
  };
  adoptSharedIndex(searchedVectors(other), other.graph, shared);
  assert.equal(sharedIndexMemory(searchedVectors(other), other.graph).memory, shared.memory);
  const bytes = shared.memory.buffer.byteLength;
  const adopted = searchCpu(other, queries, K, { itopkSize: 32 });
  const wider = searchCpu(index, queries, K, { itopkSize: 64 });
  const again = searchCpu(other, queries, K, { itopkSize: 32 });
  for (const r of [adopted, again]) {
    assert.deepEqual(r.neighbors, first.neighbors);
    assert.deepEqual(r.distances, first.distances);
    assert.deepEqual(r.iterations, first.iterations);
  }
  assert.notDeepEqual(wider.iterations, first.iterations);
  // Only the adopting instance's stamps and buffers were added, not another copy of the rows.
  const rowsBytes = index.dataset.data.byteLength;
  assert.ok(shared.memory.buffer.byteLength - bytes < rowsBytes / 2, "no second copy");

  const smaller = {
    ...other.graph,
    neighbors: other.graph.neighbors.slice(16),
    size: base.rows - 1,
  };
  const fewer = encodeVectors(
    matrix(base.data.subarray(base.cols), base.rows - 1, base.cols),
    "f32",
  );
  assert.throws(() => adoptSharedIndex(fewer, smaller, shared), /not this index's/);
});

test("int8 rows stored exactly are summed in integers under L2, for integer queries within 2^24", () => {
  const cols = 20; // pads to 32 codes a row
  const rows = 5;
  const values = Float32Array.from({ length: rows * cols }, (_, i) => (i * 37) % 201);
  const stored = encodeVectors(matrix(values, rows, cols), "int8");
  if (stored.kind !== "int8") return assert.fail("not int8");
  assert.ok(
    stored.scale.every((s) => s === 1),
    "integer columns spanning ≤ 254 keep scale 1",
  );

  const module = compileWasmFile(
    new URL("../../../dist/wasm/cagra-search.wasm", import.meta.url),
    "CAGRA CPU search",
    "Node",
  );
  const memory = createSharedMemory(1, 16);
  const wasm = instantiateWithMemory(module, memory) as unknown as {
    heapBase(): number;
    setIndex(...args: number[]): void;
    setQuery(row: number, metric: number): void;
    distances(ids: number, count: number, out: number): void;
    queryInIntegers(): number;
  };
  const { paddedCols, rowBytes } = paddedRows("int8", cols);
  const rowsAt = Math.ceil(wasm.heapBase() / 64) * 64;
  const scaleAt = rowsAt + rows * rowBytes;
  const offsetAt = scaleAt + paddedCols * 4;
  const queryAt = offsetAt + paddedCols * 4;
  const inputAt = queryAt + paddedCols * 4;
  const idsAt = inputAt + cols * 4;
  const outAt = idsAt + 8 * 4;
  memory.grow(1);
  const buffer = memory.buffer;
  writePaddedRows(stored, buffer, rowsAt, paddedCols);
  new Float32Array(buffer, scaleAt, cols).set(stored.scale);
  new Float32Array(buffer, offsetAt, cols).set(stored.offset);
  new Uint32Array(buffer, idsAt, rows).set([4, 0, 3, 1, 2]);
  wasm.setIndex(rowsAt, rowBytes, 2, cols, paddedCols, scaleAt, offsetAt, queryAt);

  const distancesTo = (query: number[]) => {
    new Float32Array(buffer, inputAt, cols).set(query);
    wasm.setQuery(inputAt, 0);
    wasm.distances(idsAt, rows, outAt);
    return [...new Float32Array(buffer, outAt, rows)];
  };
  const exact = (query: number[]) =>
    [4, 0, 3, 1, 2].map((r) =>
      Math.fround(query.reduce((sum, q, c) => sum + (values[r * cols + c]! - q) ** 2, 0)),
    );

  const integral = Array.from({ length: cols }, (_, c) => (c * 11) % 250);
  assert.deepEqual(distancesTo(integral), exact(integral));
  assert.equal(wasm.queryInIntegers(), 1, "an integer query takes the integer path");

  // A fraction, or values whose sums could pass 2^24, take the f32 path (same sums here).
  const fractional = integral.map((v, c) => (c === 3 ? v + 0.5 : v));
  assert.deepEqual(distancesTo(fractional), exact(fractional));
  assert.equal(wasm.queryInIntegers(), 0, "a fractional query takes the f32 path");
  const far = integral.map((v) => v + 1000);
  const farDistances = distancesTo(far);
  assert.equal(wasm.queryInIntegers(), 0, "a query whose sums may pass 2^24 takes the f32 path");
  exact(far).forEach((d, i) => assert.ok(Math.abs(farDistances[i]! - d) <= d * 1e-6, `row ${i}`));
});
