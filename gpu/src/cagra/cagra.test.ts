import { test } from "node:test";
import assert from "node:assert/strict";
import { matrix, type Matrix } from "../common/matrix.js";
import { cpuBackend } from "../device/select.js";
import { loadSift5k } from "../datasets/node.js";
import { holdOutQueries } from "../datasets/holdout.js";
import { groundTruth } from "../datasets/ground-truth.js";
import { distanceRecall, euclideanFromSquared } from "../datasets/recall.js";
import { SIFT_5K_DIR } from "../../test/datasets.js";
import { build, resolveIndexParams } from "./build.js";
import { bruteForceMaxRows } from "./params.js";
import { search } from "./search/search.js";

/** SIFT-5k minus 200 held-out rows; queries = those rows plus the 3 query vectors. */
async function siftSplit(): Promise<{ base: Matrix; queries: Matrix }> {
  const sift = await loadSift5k(SIFT_5K_DIR);
  const { base, queries: held } = holdOutQueries(sift.base, 200, 3);
  const q = new Float32Array(held.data.length + sift.queries.data.length);
  q.set(held.data);
  q.set(sift.queries.data, held.data.length);
  return { base, queries: matrix(q, held.rows + sift.queries.rows, 128) };
}

test("build + search with cuVS's default parameters reach recall@10 ≥ 0.95 on SIFT-5k", async () => {
  const { base, queries } = await siftSplit();
  const backend = cpuBackend(2);
  const stages = new Set<string>();
  const index = await build(backend, base, {}, { onProgress: (p) => stages.add(p.stage) });
  assert.deepEqual([index.graph.size, index.graph.degree], [base.rows, 64]);
  assert.deepEqual([...stages].sort(), ["knn", "optimize"]);
  const result = await search(backend, index, queries, 10);
  const truth = await groundTruth(base, queries, 10, "sqeuclidean");
  const shape = { queries: queries.rows, k: 10 };
  const recall = distanceRecall(
    { neighbors: result.neighbors, distances: euclideanFromSquared(result.distances), ...shape },
    { distances: euclideanFromSquared(truth.distances), ...shape },
  );
  assert.ok(recall >= 0.95, `recall@10 ${recall}`);
  // The 3 real query vectors on their own.
  const last = <T extends Float32Array | Uint32Array>(a: T) => a.subarray(200 * 10) as T;
  const own = distanceRecall(
    {
      neighbors: last(result.neighbors),
      distances: euclideanFromSquared(last(result.distances)),
      queries: 3,
      k: 10,
    },
    { distances: euclideanFromSquared(last(truth.distances)), queries: 3, k: 10 },
  );
  assert.ok(own >= 0.9, `recall@10 of the 3 SIFT queries ${own}`);
});

test("the NN-descent build path (the default above 10k–35k rows, by kNN degree), forced on SIFT-5k, reaches recall@10 ≥ 0.95", async () => {
  const { base, queries } = await siftSplit();
  const backend = cpuBackend(2);
  const stages = new Set<string>();
  const index = await build(
    backend,
    base,
    { buildAlgo: "nn_descent" },
    { onProgress: (p) => stages.add(p.stage) },
  );
  assert.ok(stages.has("nn-descent"), [...stages].join(", "));
  const result = await search(backend, index, queries, 10);
  const truth = await groundTruth(base, queries, 10, "sqeuclidean");
  const shape = { queries: queries.rows, k: 10 };
  const recall = distanceRecall(
    { neighbors: result.neighbors, distances: euclideanFromSquared(result.distances), ...shape },
    { distances: euclideanFromSquared(truth.distances), ...shape },
  );
  assert.ok(recall >= 0.95, `recall@10 ${recall}`);
});

test("inner product and cosine indexes return the exact neighbours on small data", async () => {
  const n = 300;
  const data = new Float32Array(n * 8).map((_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
  const base = matrix(data, n, 8);
  const queries = matrix(data.slice(0, 5 * 8), 5, 8);
  for (const metric of ["inner_product", "cosine"] as const) {
    const index = await build(cpuBackend(), base, {
      metric,
      graphDegree: 16,
      intermediateGraphDegree: 32,
    });
    const got = await search(cpuBackend(), index, queries, 5, { itopkSize: 64 });
    const truth = await groundTruth(base, queries, 5, metric);
    assert.deepEqual([...got.neighbors], [...truth.neighbors], metric);
    got.distances.forEach((d, i) => assert.ok(Math.abs(d - truth.distances[i]!) < 1e-4, metric));
  }
});

test("parameters that cannot hold are clear errors; small datasets lower the degrees", () => {
  const m = matrix(new Float32Array(40), 10, 4);
  assert.throws(
    () => resolveIndexParams(m, { graphDegree: 96, intermediateGraphDegree: 64 }),
    /graphDegree \(96\) cannot exceed intermediateGraphDegree \(64\).*Raise intermediateGraphDegree/,
  );
  assert.throws(() => resolveIndexParams(matrix(new Float32Array(0), 0, 4), {}), /has 0 rows/);
  assert.throws(() => resolveIndexParams(m, { metric: "l1" as never }), /metric must be one of/);
  assert.throws(() => resolveIndexParams(m, { graphDegree: 0 }), /graphDegree must be a positive/);
  const notices: string[] = [];
  const p = resolveIndexParams(m, {}, (l) => notices.push(l));
  assert.deepEqual([p.intermediateGraphDegree, p.graphDegree, p.buildAlgo], [9, 9, "brute_force"]);
  assert.match(notices[0]!, /graphDegree 64 lowered to 9: the dataset has only 10 rows/);
});

test("auto builds exactly up to a row count that shrinks with the kNN degree on the CPU", () => {
  const rows = (n: number) => matrix(new Float32Array(n), n, 1);
  const algo = (n: number, k: number, backend: "cpu" | "webgpu" = "cpu") =>
    resolveIndexParams(
      rows(n),
      { intermediateGraphDegree: k, graphDegree: k / 2 },
      () => {},
      backend,
    ).buildAlgo;
  assert.equal(algo(20_000, 32), "nn_descent");
  assert.equal(algo(20_000, 64), "brute_force");
  assert.equal(algo(20_000, 128), "brute_force");
  assert.equal(algo(36_000, 128), "nn_descent");
  assert.equal(algo(9_000, 8), "brute_force");
  assert.equal(algo(20_000, 32, "webgpu"), "brute_force");
  assert.equal(bruteForceMaxRows("cpu", 32), 12_374);
});

test("bad data and queries are refused before any work; an abort stops a build", async () => {
  const data = new Float32Array(64 * 4).map((_, i) => i % 7);
  data[13] = NaN;
  await assert.rejects(build(cpuBackend(), matrix(data, 64, 4)), /row 3, column 1 is NaN/);
  data[13] = 1;
  const index = await build(cpuBackend(), matrix(data, 64, 4), {
    graphDegree: 8,
    intermediateGraphDegree: 16,
  });
  await assert.rejects(
    search(cpuBackend(), index, matrix(new Float32Array(6), 2, 3), 4),
    /queries have dimension 3, but the dataset has 4/,
  );
  await assert.rejects(
    search(cpuBackend(), index, matrix(new Float32Array(8), 2, 4), 65),
    /k \(65\) exceeds the 64 rows/,
  );
  const controller = new AbortController();
  controller.abort(new Error("stopped by the user"));
  await assert.rejects(
    build(cpuBackend(), matrix(data, 64, 4), {}, { signal: controller.signal }),
    /stopped by the user/,
  );
});
