import assert from "node:assert/strict";
import { test } from "node:test";
import type { Matrix } from "../../common/matrix.js";
import { loadSift5k } from "../../datasets/node.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { SIFT_5K_DIR } from "../../../test/datasets.js";
import { cpuBackend } from "../../device/select.js";
import { build } from "../build.js";
import { prepareForMetric } from "../distance.js";
import type { SearchParams } from "../params.js";
import { compressIndex } from "../storage/compress-index.js";
import { STORAGE_KINDS } from "../storage/vector-storage.js";
import { METRICS, type CagraIndex } from "../types.js";
import { INVALID_ID, searchCpu, type CpuSearchOptions } from "./cpu.js";
import { bitsetFilter } from "./filter.js";
import type { SearchIndex } from "./validate.js";

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
