import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openBrowserGpu, type BrowserGpu } from "../../../../test/webgpu-browser.js";
import { siftKnn, SIFT_5K_BASE } from "../../../../test/cagra/sift-knn.js";
import type { SearchCall, SearchRun } from "../../../../test/fixtures/cagra-search-webgpu.js";
import { matrix, type Matrix } from "../../../common/matrix.js";
import { gaussian, seededRandom } from "../../../common/random.js";
import { holdOutQueries } from "../../../datasets/holdout.js";
import { gaussianMixture } from "../../../datasets/synthetic.js";
import { parseTsvVectors } from "../../../datasets/tsv.js";
import { internalDistance, prepareForMetric } from "../../distance.js";
import { bruteForceKnn } from "../../knn/brute-force.js";
import { optimize } from "../../optimize/index.js";
import type { SearchParams } from "../../params.js";
import type { Metric } from "../../types.js";
import { encodeVectors } from "../../storage/vector-storage.js";
import { searchCpu, type CpuSearchResult } from "../cpu.js";
import { bitsetFilter, bitsetKeeps } from "../filter.js";
import { buildCoarseLevel } from "../seeds/coarse-level.js";
import { COARSE_SEEDS, coarseSeeds } from "../seeds/coarse-seeds.js";
import type { SearchIndex } from "../validate.js";

const FIXTURE = fileURLToPath(
  new URL("../../../../test/fixtures/cagra-search-webgpu.ts", import.meta.url),
);
const BASE = 2000;
const QUERIES = 100;
const K = 10;
const NONE = 0xffffffff;

let gpu: BrowserGpu;
let sift: SearchIndex;
let siftQueries: Matrix;
/** The exact 10 nearest base rows of each SIFT query. */
let siftTruth: number[][];
const small = new Map<Metric, SearchIndex>();
let smallQueries: Matrix;

/** The first BASE SIFT-5k rows as the index (graph: exact kNN 64 optimized to 32); the next 100 as queries. */
async function loadSift(): Promise<void> {
  const text = readFileSync(SIFT_5K_BASE, "utf8")
    .split("\n", BASE + QUERIES)
    .join("\n");
  const { vectors } = parseTsvVectors(text, { idColumn: true });
  const dataset = matrix(vectors.data.slice(0, BASE * 128), BASE, 128);
  siftQueries = matrix(vectors.data.slice(BASE * 128), QUERIES, 128);
  sift = { dataset, graph: await optimize(siftKnn(BASE, 64), 32), metric: "sqeuclidean" };
  siftTruth = exactNeighbors(sift, siftQueries, K);
}

/** 600 Gaussian rows of 24 dimensions per metric (graph: exact kNN 32 optimized to 16). */
async function loadSmall(): Promise<void> {
  const rand = seededRandom(7);
  const gaussians = (rows: number) =>
    matrix(
      Float32Array.from({ length: rows * 24 }, () => gaussian(rand)),
      rows,
      24,
    );
  const raw = gaussians(600);
  smallQueries = gaussians(40);
  for (const metric of ["inner_product", "cosine"] as const) {
    const dataset = prepareForMetric(raw, metric);
    const knn = await bruteForceKnn(dataset, dataset, 32, metric, { excludeSelf: true });
    small.set(metric, { dataset, graph: await optimize(knn, 16), metric });
  }
}

function exactNeighbors(index: SearchIndex, queries: Matrix, k: number, keep?: Uint32Array) {
  const distance = internalDistance(index.metric);
  const q = prepareForMetric(queries, index.metric);
  return Array.from({ length: queries.rows }, (_, i) => {
    const ids = [...Array(index.dataset.rows).keys()].filter(
      (id) => keep === undefined || bitsetKeeps(keep, id),
    );
    const d = ids.map((id) => distance(q.data, i, index.dataset.data, id, q.cols));
    const order = [...ids.keys()].sort((a, b) => d[a]! - d[b]! || ids[a]! - ids[b]!);
    return order.slice(0, k).map((j) => ids[j]!);
  });
}

function recall(neighbors: Uint32Array, truth: number[][], k: number): number {
  let hits = 0;
  truth.forEach((ids, q) => {
    const want = new Set(ids);
    for (let i = 0; i < k; i++) if (want.has(neighbors[q * k + i]!)) hits++;
  });
  return hits / (truth.length * k);
}

before(async () => {
  await Promise.all([loadSift(), loadSmall()]);
  gpu = await openBrowserGpu([FIXTURE]);
  await gpu.call(FIXTURE, "loadIndex", "sift", sift.dataset, sift.graph, sift.metric);
  for (const [metric, index] of small) {
    await gpu.call(FIXTURE, "loadIndex", metric, index.dataset, index.graph, metric);
  }
});
after(() => gpu?.close());

/** Runs the search in the page; every call's allocations are the search's own. */
async function search(call: SearchCall): Promise<SearchRun> {
  const run = await gpu.call<SearchRun>(FIXTURE, "runSearch", call);
  for (const a of run.allocations) assert.match(a, /^search .+ (search|search-index|readback)$/);
  return run;
}

/**
 * The WebGPU result equals searchCpu's: per rank the same distance (within `tol`, relative),
 * the same id unless that distance is tied with a neighbouring rank or is the last one, the
 * same iteration counts, and the same recall (within 0.005) against `truth`.
 */
function assertSameAsCpu(
  run: SearchRun,
  cpu: CpuSearchResult,
  k: number,
  tol: number,
  truth?: number[][],
): void {
  assert.equal(run.error, undefined, run.error?.message);
  const ids = run.neighbors!;
  const dists = run.distances!;
  assert.equal(ids.length, cpu.neighbors.length);
  const near = (a: number, b: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  let differentIds = 0;
  for (let q = 0; q < cpu.queries; q++) {
    for (let j = 0; j < k; j++) {
      const at = q * k + j;
      const d = cpu.distances[at]!;
      assert.ok(near(dists[at]!, d), `query ${q}, rank ${j}: distance ${dists[at]} vs CPU ${d}`);
      if (ids[at] === cpu.neighbors[at]) continue;
      differentIds++;
      const tied =
        j === k - 1 ||
        (j > 0 && near(cpu.distances[at - 1]!, d)) ||
        near(cpu.distances[at + 1]!, d);
      assert.ok(tied, `query ${q}, rank ${j}: id ${ids[at]} vs CPU ${cpu.neighbors[at]}`);
    }
  }
  assert.ok(differentIds <= cpu.neighbors.length / 100, `${differentIds} ids differ`);
  assert.deepEqual(run.iterations, cpu.iterations);
  assert.deepEqual(run.plan, cpu.plan);
  if (truth !== undefined) {
    const gap = recall(ids, truth, k) - recall(cpu.neighbors, truth, k);
    assert.ok(Math.abs(gap) <= 0.005, `recall differs by ${gap}`);
  }
}

/** Runs the same SIFT search on WebGPU (single-CTA) and with searchCpu and compares them. */
async function compareOnSift(
  params: Partial<SearchParams>,
  rows = QUERIES,
  launch: SearchCall["launch"] = {},
): Promise<SearchRun> {
  const queries = matrix(siftQueries.data.subarray(0, rows * 128), rows, 128);
  const single = { ...params, algo: "single_cta" as const };
  const run = await search({ index: "sift", queries, k: K, params: single, launch });
  // SIFT values are integers, so distances are exact in f32 whatever the summation order.
  assertSameAsCpu(run, searchCpu(sift, queries, K, single), K, 0, siftTruth.slice(0, rows));
  return run;
}

test("SIFT, cuVS's default parameters: the CPU's neighbours, distances and iterations", async (t) => {
  const run = await compareOnSift({});
  assert.equal(run.plan!.hashMode, "small");
  assert.ok(recall(run.neighbors!, siftTruth, K) >= 0.95);
  const qps = (QUERIES / run.ms) * 1000;
  t.diagnostic(
    `${QUERIES} queries in ${run.ms.toFixed(0)} ms (${qps.toFixed(0)} q/s on SwiftShader)`,
  );
});

test("SIFT, searchWidth 2, itopkSize 128 and numRandomSamplings 3 each match the CPU", async () => {
  const wide = await compareOnSift({ searchWidth: 2 }, 40);
  assert.equal(wide.launch!.candidatesPadded, 64);
  // Teams of 4 sum by subgroup shuffles where the subgroups hold 4 invocations or more.
  const deep = await compareOnSift({ itopkSize: 128 }, 40, { teamSize: 4 });
  assert.equal(deep.plan!.itopkSize, 128);
  assert.equal(deep.launch!.teamSize, 4);
  await compareOnSift({ numRandomSamplings: 3 }, 20);
});

test("SIFT, itopkSize 512 (single-CTA's maximum) matches the CPU", async () => {
  const run = await compareOnSift({ itopkSize: 512 }, 3);
  assert.equal(run.launch!.topPadded, 512);
});

test("a filter: no rejected row is returned, results match the CPU's, the hash is per query", async () => {
  const rand = seededRandom(3);
  const filter = bitsetFilter(BASE, () => rand() < 0.3);
  const single = { algo: "single_cta" as const };
  const queries = matrix(siftQueries.data.subarray(0, 50 * 128), 50, 128);
  // Teams of 8 exceed SwiftShader's subgroups of 4: their sums go through workgroup memory.
  const launch = { teamSize: 8 };
  const run = await search({ index: "sift", queries, k: K, params: single, filter, launch });
  assert.equal(run.plan!.hashMode, "hash");
  assert.equal(run.launch!.teamSize, 8);
  for (const id of run.neighbors!) assert.ok(id !== NONE && bitsetKeeps(filter, id), `id ${id}`);
  const truth = exactNeighbors(sift, queries, K, filter);
  const cpu = searchCpu(sift, queries, K, single, { filter });
  assertSameAsCpu(run, cpu, K, 0, truth);
  assert.ok(recall(run.neighbors!, truth, K) >= 0.9);
});

test("inner product and cosine on small data match the CPU, with reported distances", async () => {
  for (const [metric, index] of small) {
    const params = { algo: "single_cta" as const, itopkSize: 32 };
    // Inner product also runs the kernel compiled without the subgroups feature.
    const launch = metric === "inner_product" ? { teamSize: 4, useSubgroups: false } : {};
    const run = await search({ index: metric, queries: smallQueries, k: K, params, launch });
    assert.equal(run.launch!.subgroups, metric !== "inner_product");
    const cpu = searchCpu(index, smallQueries, K, params);
    assertSameAsCpu(run, cpu, K, 1e-5, exactNeighbors(index, smallQueries, K));
    if (metric === "inner_product") assert.ok(run.distances![0]! > 0, "+dot is reported");
  }
});

test("search() on a cosine index: releasing the index as the caller holds it frees the normalized rows search() uploaded", async () => {
  const release = () => gpu.call<{ liveBytes: number }>(FIXTURE, "releaseIndex", "cosine");
  const before = (await release()).liveBytes;
  const params = { algo: "single_cta" as const, entryPoints: "random" as const };
  const run = await search({
    index: "cosine",
    queries: smallQueries,
    k: K,
    params,
    viaSearch: true,
  });
  assert.ok(run.allocations.includes("search dataset search-index"), "uploaded");
  assert.equal((await release()).liveBytes, before);
});

test("f16 and int8 storage: the kernels read the compressed rows and return searchCpu's results over the same storage", async () => {
  const queries = matrix(siftQueries.data.subarray(0, 50 * 128), 50, 128);
  const params = { algo: "single_cta" as const };
  const release = (name: string) =>
    gpu.call<{ released: number }>(FIXTURE, "releaseIndex", name).then((r) => r.released);
  for (const [kind, bytesPerValue] of [
    ["f16", 2],
    ["int8", 1],
  ] as const) {
    const index: SearchIndex = { ...sift, storage: encodeVectors(sift.dataset, kind) };
    const name = `sift-${kind}`;
    await gpu.call(
      FIXTURE,
      "loadIndex",
      name,
      sift.dataset,
      sift.graph,
      sift.metric,
      index.storage,
    );
    const run = await search({ index: name, queries, k: K, params });
    // SIFT's integers are exact in f16; int8 rows are summed as code·scale − (q − offset).
    const tol = kind === "f16" ? 0 : 1e-5;
    const cpu = searchCpu(index, queries, K, params);
    assertSameAsCpu(run, cpu, K, tol, siftTruth.slice(0, 50));
    // The device holds the rows at 2 or 1 bytes a value (int8: and 128 column scales).
    const rows = BASE * 128 * bytesPerValue + (kind === "int8" ? 128 * 4 : 0);
    assert.equal(await release(name), rows + BASE * 32 * 4);
  }
  // Dot products: int8 adds Σ q·offset back on the host; f16 rows are not integers here.
  for (const [metric, small_] of small) {
    for (const kind of ["f16", "int8"] as const) {
      const index: SearchIndex = { ...small_, storage: encodeVectors(small_.dataset, kind) };
      const name = `${metric}-${kind}`;
      await gpu.call(FIXTURE, "loadIndex", name, index.dataset, index.graph, metric, index.storage);
      const p = { algo: "single_cta" as const, itopkSize: 32 };
      const run = await search({ index: name, queries: smallQueries, k: K, params: p });
      assertSameAsCpu(run, searchCpu(index, smallQueries, K, p), K, 1e-5);
      await release(name);
    }
  }
});

test("multi-CTA reads int8 storage too: the recall of searchCpu over the same storage", async () => {
  const index: SearchIndex = { ...sift, storage: encodeVectors(sift.dataset, "int8") };
  await gpu.call(
    FIXTURE,
    "loadIndex",
    "sift-int8",
    sift.dataset,
    sift.graph,
    sift.metric,
    index.storage,
  );
  const run = await search({ index: "sift-int8", queries: siftQueries, k: K, computeUnits: 80 });
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal(run.plan!.algo, "multi_cta");
  const cpu = searchCpu(index, siftQueries, K);
  const gap = recall(run.neighbors!, siftTruth, K) - recall(cpu.neighbors, siftTruth, K);
  assert.ok(Math.abs(gap) <= 0.01, `recall: multi-CTA int8 − CPU int8 = ${gap}`);
  await gpu.call(FIXTURE, "releaseIndex", "sift-int8");
});

test("given entry points: single-CTA returns searchCpu's results; both algorithms start from them", async () => {
  const rows = 40;
  const queries = matrix(siftQueries.data.subarray(0, rows * 128), rows, 128);
  // Each query's nearest row, then NONE (keeps its random node), then a far row.
  const seeds = Uint32Array.from({ length: rows * 3 }, (_, i) =>
    i % 3 === 0 ? siftTruth[i / 3]![0]! : i % 3 === 1 ? NONE : (i * 37) % BASE,
  );
  const single = { algo: "single_cta" as const };
  const run = await search({ index: "sift", queries, k: K, params: single, seeds });
  assert.equal(run.plan!.numSeeds, 3);
  const cpu = searchCpu(sift, queries, K, single, { seeds });
  assertSameAsCpu(run, cpu, K, 0, siftTruth.slice(0, rows));
  // One iteration returns the initial buffer: the seeded nearest row comes first.
  const firstIsNearest = (r: SearchRun) =>
    siftTruth.slice(0, rows).filter((t, q) => r.neighbors![q * K] === t[0]).length;
  for (const algo of ["single_cta", "multi_cta"] as const) {
    const params = { algo, maxIterations: 1 };
    const seeded = await search({ index: "sift", queries, k: K, params, seeds });
    assert.equal(seeded.error, undefined, seeded.error?.message);
    assert.equal(firstIsNearest(seeded), rows, algo);
    const random = await search({ index: "sift", queries, k: K, params });
    assert.ok(
      firstIsNearest(random) < rows / 2,
      `${algo}: random init found ${firstIsNearest(random)}`,
    );
  }
  const bad = await search({ index: "sift", queries, k: K, seeds: new Uint32Array(rows * 2 + 1) });
  assert.match(bad.error!.message, /not a whole number per query/);
});

test("search() with entryPoints \"coarse\" on WebGPU: searchCpu's results from the same seeds, recall ≥ random's on clusters", async () => {
  // 40 tight clusters; a sparse graph without the connectivity step, where random starts get lost.
  const all = gaussianMixture({ rows: 2100, dim: 24, clusters: 40, spread: 0.2, seed: 5 });
  const { base, queries } = holdOutQueries(all, 100, 6);
  const knn = await bruteForceKnn(base, base, 16, "sqeuclidean", { excludeSelf: true });
  const index: SearchIndex = {
    dataset: base,
    graph: await optimize(knn, 8),
    metric: "sqeuclidean",
  };
  await gpu.call(FIXTURE, "loadIndex", "clusters", index.dataset, index.graph, index.metric);
  const truth = exactNeighbors(index, queries, K);
  const params = { algo: "single_cta" as const, itopkSize: 32 };
  const run = (entryPoints: "coarse" | "random") =>
    search({
      index: "clusters",
      queries,
      k: K,
      params: { ...params, entryPoints },
      viaSearch: true,
    });
  const coarse = await run("coarse");
  const level = await buildCoarseLevel(index);
  const seeds = coarseSeeds(level, queries, Math.min(COARSE_SEEDS, level.ids.length));
  // The coarse seeds are the only entry points on both (SearchPlan.seedsOnly).
  const fromSeeds = searchCpu(index, queries, K, params, { seeds, seedsOnly: true });
  assertSameAsCpu(coarse, fromSeeds, K, 1e-5, truth);
  // cuVS's behaviour unchanged: "random" (and "auto" on WebGPU) is searchWebGpu without seeds.
  const random = await run("random");
  assertSameAsCpu(random, searchCpu(index, queries, K, params), K, 1e-5, truth);
  const auto = await search({ index: "clusters", queries, k: K, params, viaSearch: true });
  assert.deepEqual(auto.neighbors, random.neighbors);
  const [rc, rr] = [recall(coarse.neighbors!, truth, K), recall(random.neighbors!, truth, K)];
  assert.ok(rc >= rr, `recall@10: coarse ${rc} < random ${rr}`);
  // The coarse level's device copies go with the index's.
  const released = await gpu.call<{ liveBytes: number }>(FIXTURE, "releaseIndex", "clusters");
  assert.equal(released.liveBytes, coarse.liveBytesBefore);
});

test("a tiny index: fewer rows than random slots, a dimension that is not a multiple of 4", async () => {
  const rand = seededRandom(11);
  const values = (rows: number) =>
    matrix(
      Float32Array.from({ length: rows * 5 }, () => gaussian(rand)),
      rows,
      5,
    );
  const dataset = values(20);
  const knn = await bruteForceKnn(dataset, dataset, 8, "sqeuclidean", { excludeSelf: true });
  const index: SearchIndex = { dataset, graph: await optimize(knn, 4), metric: "sqeuclidean" };
  await gpu.call(FIXTURE, "loadIndex", "tiny", index.dataset, index.graph, index.metric);
  const queries = values(7);
  const params = { algo: "single_cta" as const };
  const run = await search({ index: "tiny", queries, k: 5, params });
  assert.equal(run.launch!.dimV, 2);
  assertSameAsCpu(
    run,
    searchCpu(index, queries, 5, params),
    5,
    1e-5,
    exactNeighbors(index, queries, 5),
  );
  await gpu.call(FIXTURE, "releaseIndex", "tiny");
});

test("AUTO picks multi-CTA for a batch under twice the compute units; both algorithms reach the same recall", async () => {
  const multi = await search({ index: "sift", queries: siftQueries, k: K, computeUnits: 80 });
  assert.equal(multi.error, undefined, multi.error?.message);
  assert.equal(multi.plan!.algo, "multi_cta");
  assert.equal(multi.plan!.ctasPerQuery, 2);
  // Single-CTA's results are searchCpu's (the tests above).
  const single = searchCpu(sift, siftQueries, K);
  const gap = recall(multi.neighbors!, siftTruth, K) - recall(single.neighbors, siftTruth, K);
  assert.ok(Math.abs(gap) <= 0.005, `recall: multi-CTA − single-CTA = ${gap}`);
  const four = matrix(siftQueries.data.subarray(0, 4 * 128), 4, 128);
  const auto = await search({ index: "sift", queries: four, k: K, computeUnits: 2 });
  assert.equal(auto.plan!.algo, "single_cta");
  // Distinct ids, closest first, each with its own distance.
  const distance = internalDistance("sqeuclidean");
  for (let q = 0; q < QUERIES; q++) {
    const row = [...multi.neighbors!.subarray(q * K, (q + 1) * K)];
    assert.equal(new Set(row).size, K, `query ${q}: ${row}`);
    row.forEach((id, j) => {
      const d = multi.distances![q * K + j]!;
      assert.equal(d, distance(siftQueries.data, q, sift.dataset.data, id, 128));
      if (j > 0) assert.ok(multi.distances![q * K + j - 1]! <= d);
    });
  }
});

test("multi-CTA with a filter returns no rejected row", async () => {
  const filter = bitsetFilter(BASE, (id) => id % 2 === 1);
  const params = { algo: "multi_cta" as const };
  const queries = matrix(siftQueries.data.subarray(0, 50 * 128), 50, 128);
  const run = await search({ index: "sift", queries, k: K, params, filter });
  assert.equal(run.error, undefined, run.error?.message);
  assert.ok(run.plan!.itopkSize > 64, "itopk widened for the filtering rate");
  for (const id of run.neighbors!) assert.ok(id !== NONE && bitsetKeeps(filter, id), `id ${id}`);
  const truth = exactNeighbors(sift, queries, K, filter);
  assert.ok(recall(run.neighbors!, truth, K) >= 0.9);
});

test("bad input gives the CPU's errors before touching the device", async () => {
  const cases: { call: Partial<SearchCall>; cpu: () => unknown }[] = [
    { call: { k: 0 }, cpu: () => searchCpu(sift, siftQueries, 0) },
    { call: { k: BASE + 1 }, cpu: () => searchCpu(sift, siftQueries, BASE + 1) },
    { call: { k: 100 }, cpu: () => searchCpu(sift, siftQueries, 100) },
    {
      call: { params: { itopkSize: 600, algo: "single_cta" } },
      cpu: () => searchCpu(sift, siftQueries, K, { itopkSize: 600 }),
    },
    {
      call: { queries: matrix(new Float32Array(64), 1, 64) },
      cpu: () => searchCpu(sift, matrix(new Float32Array(64), 1, 64), K),
    },
    {
      call: { queries: matrix(new Float32Array(128).fill(NaN), 1, 128) },
      cpu: () => searchCpu(sift, matrix(new Float32Array(128).fill(NaN), 1, 128), K),
    },
    {
      call: { filter: new Uint32Array(3) },
      cpu: () => searchCpu(sift, siftQueries, K, {}, { filter: new Uint32Array(3) }),
    },
    {
      call: { badGraphSize: 1999 },
      cpu: () => searchCpu({ ...sift, graph: { ...sift.graph, size: 1999 } }, siftQueries, K),
    },
  ];
  for (const { call, cpu } of cases) {
    const run = await search({ index: "sift", queries: siftQueries, k: K, ...call });
    const expected = (() => {
      try {
        cpu();
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(expected, `the CPU accepts ${JSON.stringify(call)}`);
    assert.deepEqual(run.error, { name: expected.name, message: expected.message });
    assert.deepEqual(run.allocations, []);
  }
  const kernel = await search({
    index: "sift",
    queries: siftQueries,
    k: K,
    params: { algo: "multi_kernel" },
  });
  assert.equal(kernel.error?.name, "RangeError");
  assert.match(kernel.error!.message, /runs "single_cta" and "multi_cta"; got "multi_kernel"/);
});

test("an abort between batches stops the search and frees its buffers", async () => {
  const run = await search({
    index: "sift",
    queries: siftQueries,
    k: K,
    params: { algo: "single_cta", maxQueries: 30 },
    abortAfter: 2,
  });
  assert.equal(run.error?.name, "AbortError");
  assert.deepEqual(
    run.progress.map((p) => `${p.done}/${p.total}`),
    ["1/4", "2/4"],
  );
  // Only the indexes' cached copies stay.
  assert.ok(run.liveBytesBefore > 0);
  assert.equal(run.liveBytes, run.liveBytesBefore);
});

test("the index is uploaded once and kept until releaseSearchBuffers; then nothing is live", async () => {
  const params = { algo: "single_cta" as const };
  const queries = matrix(siftQueries.data.subarray(0, 4 * 128), 4, 128);
  const first = await search({ index: "sift", queries, k: K, params });
  const again = await search({ index: "sift", queries, k: K, params });
  assert.ok(!again.allocations.some((a) => a.endsWith("search-index")), "re-uploaded");
  assert.deepEqual(again.neighbors, first.neighbors);
  const release = (name: string) =>
    gpu.call<{ released: number; liveBytes: number }>(FIXTURE, "releaseIndex", name);
  // The padded dataset (128 floats a row) and the graph.
  assert.equal((await release("sift")).released, BASE * 128 * 4 + BASE * 32 * 4);
  for (const metric of small.keys()) await release(metric);
  assert.deepEqual(await release("sift"), { released: 0, liveBytes: 0 });
  const reloaded = await search({ index: "sift", queries, k: K, params });
  assert.ok(reloaded.allocations.includes("search dataset search-index"));
  assert.deepEqual(reloaded.neighbors, first.neighbors);
});
