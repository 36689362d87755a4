import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { cpuBackend } from "../../device/select.js";
import { build } from "../build.js";
import { prepareForMetric } from "../distance.js";
import { encodeVectors } from "../storage/vector-storage.js";
import type { Metric } from "../types.js";
import { searchCpu, searchedVectors } from "./cpu.js";
import { searchCpuParallel, searchTaskInput } from "./cpu-parallel.js";
import type { ChunkedSearch } from "./cpu-search-task.js";
import { bitsetFilter } from "./filter.js";
import { buildCoarseLevel } from "./seeds/coarse-level.js";
import { coarseSeeds } from "./seeds/coarse-seeds.js";
import { search } from "./search.js";
import type { SearchIndex } from "./validate.js";
import { sharedIndexMemory } from "./wasm-search.js";

const all = gaussianMixture({ rows: 1630, dim: 24, clusters: 12, spread: 0.4, seed: 3 });
// 130 queries: two slices of at least 64, what search() hands each worker by default.
const { base, queries } = holdOutQueries(all, 130, 4);

async function indexFor(metric: Metric): Promise<SearchIndex> {
  const built = await build(cpuBackend(), base, {
    graphDegree: 16,
    intermediateGraphDegree: 32,
    metric,
  });
  return { dataset: prepareForMetric(base, metric), graph: built.graph, metric };
}

function assertSame(a: ReturnType<typeof searchCpu>, b: ReturnType<typeof searchCpu>) {
  assert.deepEqual(b.neighbors, a.neighbors);
  assert.deepEqual(b.distances, a.distances);
  assert.deepEqual(b.iterations, a.iterations);
  assert.deepEqual(b.plan, a.plan);
}

test("searchCpuParallel returns the one-thread results for 2 and 3 threads, every metric", async () => {
  for (const metric of ["sqeuclidean", "inner_product", "cosine"] as const) {
    const index = await indexFor(metric);
    const one = searchCpu(index, queries, 10, { itopkSize: 32 });
    for (const threads of [2, 3]) {
      assertSame(
        one,
        await searchCpuParallel(
          index,
          queries,
          10,
          { itopkSize: 32 },
          { threads, minQueriesPerThread: 1 },
        ),
      );
    }
  }
});

test("searchCpuParallel batches run at once, and again on the kept shared buffers, each return their own results", async () => {
  const index = await indexFor("sqeuclidean");
  const halves = [0, 65].map((start) =>
    matrix(
      queries.data.subarray(start * queries.cols, (start + 65) * queries.cols),
      65,
      queries.cols,
    ),
  );
  const expected = [queries, ...halves].map((q) => searchCpu(index, q, 10, { itopkSize: 32 }));
  const parallel = (q: typeof queries) =>
    searchCpuParallel(index, q, 10, { itopkSize: 32 }, { threads: 2, minQueriesPerThread: 1 });
  for (let round = 0; round < 2; round++) {
    // The larger batch first, then two smaller ones at once: each takes spare buffers whose
    // contents and sizes are left from other batches.
    assertSame(expected[0]!, await parallel(queries));
    const both = await Promise.all(halves.map(parallel));
    both.forEach((found, i) => assertSame(expected[i + 1]!, found));
  }
});

test("searchCpuParallel keeps filters, int8 storage and a batch smaller than the threads", async () => {
  const index = await indexFor("sqeuclidean");
  const filter = bitsetFilter(base.rows, (i) => i % 3 !== 0);
  const params = { itopkSize: 64, searchWidth: 2 };
  assertSame(
    searchCpu(index, queries, 5, params, { filter }),
    await searchCpuParallel(index, queries, 5, params, {
      filter,
      threads: 2,
      minQueriesPerThread: 1,
    }),
  );
  const int8 = { ...index, storage: encodeVectors(index.dataset, "int8") };
  assertSame(
    searchCpu(int8, queries, 10, params),
    await searchCpuParallel(int8, queries, 10, params, { threads: 2, minQueriesPerThread: 1 }),
  );
  const two = { data: queries.data.slice(0, 2 * queries.cols), rows: 2, cols: queries.cols };
  assertSame(
    searchCpu(index, two, 10, params),
    await searchCpuParallel(index, two, 10, params, { threads: 4, minQueriesPerThread: 1 }),
  );
});

test("searchCpuParallel finds coarse entry points per claimed chunk and keeps given seeds, call after call", async () => {
  const index = await indexFor("sqeuclidean");
  const level = await buildCoarseLevel(index);
  const seeds = coarseSeeds(level, queries, 8);
  const params = { itopkSize: 32 };
  // Coarse entry points are the only ones (SearchPlan.seedsOnly); given seeds leave the random
  // slots as cuVS does unless seedsOnly is asked for.
  const one = searchCpu(index, queries, 10, params, { seeds, seedsOnly: true });
  const withRandom = searchCpu(index, queries, 10, params, { seeds });
  assert.notDeepEqual(one.iterations, withRandom.iterations);
  // Small claims over 3 threads, several calls: whichever thread claims a query, same results.
  for (let call = 0; call < 4; call++) {
    const coarse = await searchCpuParallel(index, queries, 10, params, {
      threads: 3,
      minQueriesPerThread: 1,
      coarse: { level, count: 8 },
    });
    assertSame(one, coarse);
  }
  for (const seedsOnly of [false, true]) {
    assertSame(
      seedsOnly ? one : withRandom,
      await searchCpuParallel(index, queries, 10, params, {
        threads: 2,
        minQueriesPerThread: 1,
        seeds,
        seedsOnly,
      }),
    );
  }
  await assert.rejects(
    searchCpuParallel(index, queries, 10, params, {
      threads: 2,
      seeds,
      coarse: { level, count: 8 },
    }),
    /not both/,
  );
});

/** Paths of the typed arrays in `value` whose memory is not shared (a message copies those). */
function copiedArrays(value: unknown, path = "input", seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer ? [] : [path];
  return Object.entries(value).flatMap(([k, v]) => copiedArrays(v, `${path}.${k}`, seen));
}

test("the workers' message holds only shared arrays, the same index key call after call", async () => {
  const index = await indexFor("sqeuclidean");
  const level = await buildCoarseLevel(index);
  const sharedU32 = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));
  const job: ChunkedSearch = {
    queries: matrix(
      new Float32Array(new SharedArrayBuffer(queries.data.byteLength)),
      queries.rows,
      queries.cols,
    ),
    k: 10,
    params: {},
    options: {},
    entries: { kind: "coarse", level, count: 8 },
    chunk: 16,
    next: new Int32Array(new SharedArrayBuffer(4)),
    neighbors: sharedU32(queries.rows * 10),
    distances: new Float32Array(new SharedArrayBuffer(queries.rows * 40)),
    iterations: sharedU32(queries.rows),
  };
  const first = searchTaskInput(index, job);
  const again = searchTaskInput(index, job);
  // Before, the cache entry's record of the caller's own arrays rode along and was copied.
  assert.deepEqual(copiedArrays(first), []);
  assert.deepEqual(copiedArrays(again), []);
  assert.equal(again.index.key, first.index.key);
  assert.equal(again.index.index.dataset.data, first.index.index.dataset.data);
  // The workers search this thread's module memory of the index: its graph and unpadded f32
  // rows reach them as views of that memory, not as copies.
  const { wasm, index: sent } = first.index;
  assert.equal(wasm, sharedIndexMemory(searchedVectors(index), index.graph));
  assert.equal(sent.graph.neighbors.byteOffset, wasm.graphAt);
  assert.deepEqual(sent.graph.neighbors, index.graph.neighbors);
  assert.equal(sent.dataset.data.byteOffset, wasm.rowsAt);
  assert.deepEqual(sent.dataset.data, index.dataset.data);
});

test("searchCpuParallel refuses a bad thread count and traces, and stops on abort", async () => {
  const index = await indexFor("sqeuclidean");
  await assert.rejects(searchCpuParallel(index, queries, 10, {}, { threads: 0 }), /threads/);
  await assert.rejects(
    searchCpuParallel(index, queries, 10, {}, { threads: 2, traceQueries: [0] } as never),
    /traceQueries/,
  );
  const controller = new AbortController();
  controller.abort(new Error("stopped"));
  await assert.rejects(
    searchCpuParallel(
      index,
      queries,
      10,
      {},
      { threads: 2, signal: controller.signal, minQueriesPerThread: 1 },
    ),
    /stopped/,
  );
});

test("search() on a CPU backend with 2 threads splits the batch and returns the one-thread results", async () => {
  const index = await build(cpuBackend(), base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const one = await search(cpuBackend(1), index, queries, 10, { itopkSize: 32 });
  const two = await search(cpuBackend(2), index, queries, 10, { itopkSize: 32 });
  assert.deepEqual(two.neighbors, one.neighbors);
  assert.deepEqual(two.distances, one.distances);
  const traced = await search(cpuBackend(2), index, queries, 10, {}, { traceQueries: [1] });
  assert.equal(traced.traces.length, 1);
});
