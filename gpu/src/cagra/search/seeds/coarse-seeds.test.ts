import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../../common/matrix.js";
import { groundTruth } from "../../../datasets/ground-truth.js";
import { holdOutQueries } from "../../../datasets/holdout.js";
import { idRecall } from "../../../datasets/recall.js";
import { gaussianMixture } from "../../../datasets/synthetic.js";
import { cpuBackend } from "../../../device/select.js";
import { stronglyConnectedComponents } from "../../analysis/scc.js";
import { build } from "../../build.js";
import { INVALID_ID, searchCpu } from "../cpu.js";
import { search } from "../search.js";
import { decodeVectors } from "../../storage/vector-storage.js";
import { buildCoarseLevel, coarseLevelSize } from "./coarse-level.js";
import { coarseSearchParams, coarseSeeds, resolveEntryPoints } from "./coarse-seeds.js";
import { onGrid } from "./integer-grid.js";

// 4,000 rows in 40 clusters of ~100 (the 100k benchmark mixture's cluster size), 200 queries.
const all = gaussianMixture({ rows: 4200, dim: 32, clusters: 40, spread: 0.3, seed: 5 });
const { base, queries } = holdOutQueries(all, 200, 2);

test("the coarse level: one row in 16, evenly spaced, under one strongly connected graph", async () => {
  const index = { dataset: base, graph: { neighbors: new Uint32Array(0), size: 0, degree: 0 } };
  const level = await buildCoarseLevel({ ...index, metric: "sqeuclidean" });
  assert.equal(coarseLevelSize(4000), 250);
  assert.equal(coarseLevelSize(100), 64);
  assert.equal(level.ids.length, 250);
  assert.deepEqual([...level.ids.subarray(0, 3)], [0, 16, 32]);
  assert.equal(stronglyConnectedComponents(level.index.graph).count, 1);
  // Under squared L2 the sample rows are on the level's integer grid, stored exactly as int8.
  const grid = level.grid!;
  const row16 = base.data.subarray(16 * 32, 17 * 32);
  const onLevel = level.index.dataset.data.subarray(32, 64);
  assert.deepEqual(onLevel, onGrid(matrix(row16, 1, 32), grid).data);
  onLevel.forEach((v, c) =>
    assert.ok(Math.abs(v * grid.step + grid.centre[c]! - row16[c]!) <= grid.step / 2),
  );
  const storage = level.index.storage!;
  assert.ok(storage.kind === "int8" && storage.scale.every((x) => x === 1));
  assert.deepEqual(decodeVectors(storage).data, level.index.dataset.data);
  // Other metrics keep the sample's f32 rows.
  const ip = await buildCoarseLevel({ ...index, metric: "inner_product" });
  assert.equal(ip.grid, undefined);
  assert.deepEqual(ip.index.dataset.data.subarray(32, 64), row16);
  await assert.rejects(
    buildCoarseLevel({ ...index, metric: "sqeuclidean" }, { size: 1 }),
    /size must be an integer in \[2, 4000\]/,
  );
});

test("the coarse level built on two threads is the one built on one", async () => {
  const index = { dataset: base, graph: { neighbors: new Uint32Array(0), size: 0, degree: 0 } };
  const options = { size: 2000, graphDegree: 16 };
  const [one, two] = await Promise.all(
    [1, 2].map((threads) =>
      buildCoarseLevel({ ...index, metric: "sqeuclidean" }, { ...options, threads }),
    ),
  );
  assert.equal(two!.index.graph.size, 2000);
  assert.deepEqual(two!.index.graph.neighbors, one!.index.graph.neighbors);
  assert.deepEqual(two!.ids, one!.ids);
});

test("coarseSeeds: each query's nearest sample rows, as index rows", async () => {
  const level = await buildCoarseLevel(
    {
      dataset: base,
      graph: { neighbors: new Uint32Array(0), size: 0, degree: 0 },
      metric: "sqeuclidean",
    },
    { size: 200 },
  );
  const seeds = coarseSeeds(level, queries, 4);
  assert.equal(seeds.length, queries.rows * 4);
  const sample = matrix(
    Float32Array.from(
      { length: level.ids.length * 32 },
      (_, i) => base.data[level.ids[Math.floor(i / 32)]! * 32 + (i % 32)]!,
    ),
    level.ids.length,
    32,
  );
  const exact = await groundTruth(sample, queries, 4, "sqeuclidean");
  const mapped = exact.neighbors.map((r) => level.ids[r]!);
  const shape = { queries: queries.rows, k: 4 };
  const found = idRecall({ neighbors: seeds, ...shape }, { neighbors: mapped, ...shape });
  assert.ok(found >= 0.99, `the seeds are the exact nearest sample rows for ${found}`);
  assert.throws(() => coarseSeeds(level, queries, 0), /count must be an integer in \[1, 200\]/);
});

test("entry points: random is cuVS's search unchanged; coarse finds clusters random misses", async () => {
  const cpu = cpuBackend();
  const index = await build(cpu, base, {
    graphDegree: 16,
    intermediateGraphDegree: 32,
    guaranteeConnectivity: false,
  });
  const s = { dataset: index.dataset!, graph: index.graph, metric: index.metric };
  const params = { itopkSize: 32 };
  const plain = searchCpu(s, queries, 10, params);
  const random = await search(cpu, index, queries, 10, { ...params, entryPoints: "random" });
  assert.deepEqual(random.neighbors, plain.neighbors);
  assert.deepEqual(random.distances, plain.distances);
  assert.equal(random.plan.numSeeds, 0);
  // Seeds that are all INVALID_ID keep every random node: the same search again.
  const none = new Uint32Array(queries.rows * 8).fill(INVALID_ID);
  assert.deepEqual(searchCpu(s, queries, 10, params, { seeds: none }).neighbors, plain.neighbors);

  const coarse = await search(cpu, index, queries, 10, { ...params, entryPoints: "coarse" });
  assert.equal(coarse.plan.numSeeds, 16);
  const auto = await search(cpu, index, queries, 10, params);
  assert.deepEqual(auto.neighbors, coarse.neighbors);
  const truth = await groundTruth(base, queries, 10, "sqeuclidean");
  const shape = { queries: queries.rows, k: 10 };
  const recall = (r: { neighbors: Uint32Array }): number =>
    idRecall({ neighbors: r.neighbors, ...shape }, { neighbors: truth.neighbors, ...shape });
  // The kNN graph stays inside its clusters: random entry points reach the query's cluster
  // for some queries (recall 0.67 here); the coarse level finds it for all.
  assert.ok(recall(random) < 0.8, `random ${recall(random)}`);
  assert.ok(recall(coarse) >= 0.95, `coarse ${recall(coarse)}`);
});

test("seeds are checked; auto means coarse on the CPU and random on WebGPU", async () => {
  const index = await build(cpuBackend(), matrix(base.data.slice(0, 64 * 32), 64, 32), {
    graphDegree: 8,
    intermediateGraphDegree: 16,
  });
  const s = { dataset: index.dataset!, graph: index.graph, metric: index.metric };
  const q = matrix(queries.data.slice(0, 2 * 32), 2, 32);
  assert.throws(
    () => searchCpu(s, q, 4, {}, { seeds: new Uint32Array(3) }),
    /seeds holds 3 ids, not a whole number per query for 2 queries/,
  );
  assert.throws(
    () => searchCpu(s, q, 4, {}, { seeds: Uint32Array.from([1, 64]) }),
    /seeds\[1\] is 64, but the index has 64 rows/,
  );
  assert.throws(
    () => searchCpu(s, q, 4, { itopkSize: 32 }, { seeds: new Uint32Array(2 * 41) }),
    /seedsPerQuery must be an integer in \[0, 40\]/,
  );
  const one = {
    ...index,
    dataset: matrix(base.data.slice(0, 32), 1, 32),
    graph: { neighbors: new Uint32Array(8).fill(INVALID_ID), size: 1, degree: 8 },
  };
  assert.deepEqual([...(await search(cpuBackend(), one, q, 1)).neighbors], [0, 0]);
  assert.equal(resolveEntryPoints("auto", "cpu"), "coarse");
  assert.equal(resolveEntryPoints("auto", "webgpu"), "random");
  assert.equal(resolveEntryPoints(undefined, "webgpu"), "random");
  assert.throws(() => resolveEntryPoints("centroids" as never, "cpu"), /entryPoints must be/);
});

test("a coarse level of an index over 100k rows is searched wider and longer; the list holds the seeds", () => {
  const small = coarseSearchParams(16, 6_250);
  const large = coarseSearchParams(16, 62_500);
  assert.ok(large.itopkSize! > small.itopkSize!, "itopk");
  assert.ok(large.searchWidth! > small.searchWidth!, "width");
  assert.ok(large.maxIterations! > small.maxIterations!, "iterations");
  assert.equal(coarseSearchParams(100, 62_500).itopkSize, 100);
  assert.equal(coarseSearchParams(100, 6_250).itopkSize, 100);
});
