import assert from "node:assert/strict";
import { test } from "node:test";
import { holdOutQueries } from "../../../datasets/holdout.js";
import { gaussianMixture } from "../../../datasets/synthetic.js";
import { cpuBackend } from "../../../device/select.js";
import { build } from "../../build.js";
import { search } from "../search.js";
import { coarseHelps } from "./coarse-helps.js";
import { buildCoarseLevel } from "./coarse-level.js";

async function indexOf(clusters: number, spread: number) {
  const all = gaussianMixture({ rows: 4200, dim: 32, clusters, spread, seed: 5 });
  const { base, queries } = holdOutQueries(all, 200, 2);
  const index = await build(cpuBackend(), base, {
    graphDegree: 16,
    intermediateGraphDegree: 32,
    guaranteeConnectivity: false,
  });
  const s = { dataset: index.dataset!, graph: index.graph, metric: index.metric };
  return { index, s, queries, level: await buildCoarseLevel(s) };
}

test("auto entry points: the coarse seeds where random entries miss the clusters", async () => {
  // 40 clusters of ~100 rows, a graph that stays inside them (coarse-seeds.test.ts).
  const { index, s, queries, level } = await indexOf(40, 0.3);
  assert.equal(coarseHelps(s, level, 16), true);
  const params = { itopkSize: 32 };
  const auto = await search(cpuBackend(), index, queries, 10, params);
  const coarse = await search(cpuBackend(), index, queries, 10, {
    ...params,
    entryPoints: "coarse",
  });
  assert.equal(auto.plan.numSeeds, 16);
  assert.deepEqual(auto.neighbors, coarse.neighbors);
});

test("auto entry points: cuVS's random ones where they do as well for the same work", async () => {
  // One Gaussian blob: random entries reach every neighbourhood.
  const { index, s, queries, level } = await indexOf(1, 1);
  assert.equal(coarseHelps(s, level, 16), false);
  const params = { itopkSize: 32 };
  const auto = await search(cpuBackend(), index, queries, 10, params);
  const random = await search(cpuBackend(), index, queries, 10, {
    ...params,
    entryPoints: "random",
  });
  assert.equal(auto.plan.numSeeds, 0);
  assert.deepEqual(auto.neighbors, random.neighbors);
  assert.deepEqual(auto.distances, random.distances);
  // "coarse" asked for by name still searches the coarse level.
  const coarse = await search(cpuBackend(), index, queries, 10, {
    ...params,
    entryPoints: "coarse",
  });
  assert.equal(coarse.plan.numSeeds, 16);
});
