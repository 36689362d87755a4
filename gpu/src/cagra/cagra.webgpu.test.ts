import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openBrowserGpu, type BrowserGpu } from "../../test/webgpu-browser.js";
import { SIFT_5K_DIR } from "../../test/datasets.js";
import { matrix } from "../common/matrix.js";
import { cpuBackend } from "../device/select.js";
import { loadSift5k } from "../datasets/node.js";
import { groundTruth } from "../datasets/ground-truth.js";
import { distanceRecall, euclideanFromSquared } from "../datasets/recall.js";
import { build } from "./build.js";
import { search } from "./search/search.js";

const FIXTURE = fileURLToPath(
  new URL("../../test/fixtures/cagra-build-search.ts", import.meta.url),
);
let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([FIXTURE]);
});
after(() => gpu.close());

test("WebGPU and CPU build the same CAGRA graph and both reach recall@10 ≥ 0.95 (SIFT)", async () => {
  // 2000 rows keep SwiftShader's brute force at seconds; queries: 200 other rows + the 3 queries.
  const sift = await loadSift5k(SIFT_5K_DIR);
  const base = matrix(sift.base.data.slice(0, 2000 * 128), 2000, 128);
  const q = new Float32Array(203 * 128);
  q.set(sift.base.data.subarray(4000 * 128, 4200 * 128));
  q.set(sift.queries.data, 200 * 128);
  const queries = matrix(q, 203, 128);

  const onGpu = await gpu.call<{
    graph: Uint32Array;
    neighbors: Uint32Array;
    distances: Float32Array;
    algo: string;
    liveBytes: number;
  }>(FIXTURE, "buildAndSearch", base.data, queries.data, 128);
  const cpu = cpuBackend();
  const index = await build(cpu, base);
  assert.deepEqual(onGpu.graph, index.graph.neighbors, "the graphs differ");
  assert.equal(onGpu.liveBytes, 0);

  const truth = await groundTruth(base, queries, 10, "sqeuclidean");
  const recall = (r: { neighbors: Uint32Array; distances: Float32Array }) =>
    distanceRecall(
      { neighbors: r.neighbors, distances: euclideanFromSquared(r.distances), queries: 203, k: 10 },
      { distances: euclideanFromSquared(truth.distances), queries: 203, k: 10 },
    );
  // The same algorithm on both: cuVS's random entry points (the CPU's default is "coarse").
  const onCpu = await search(cpu, index, queries, 10, { entryPoints: "random" });
  assert.ok(recall(onGpu) >= 0.95, `WebGPU recall ${recall(onGpu)}`);
  assert.ok(recall(onCpu) >= 0.95, `CPU recall ${recall(onCpu)}`);
  assert.ok(Math.abs(recall(onGpu) - recall(onCpu)) <= 0.005);
});
