import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { idRecall } from "../../datasets/recall.js";
import { cpuBackend } from "../../device/select.js";
import { build } from "../build.js";
import { bruteForceKnn } from "../knn/brute-force.js";
import { search } from "../search/search.js";
import { compressIndex } from "./compress-index.js";
import { storageBytes } from "./vector-storage.js";

test("f16 and int8 storage: the CPU search reads them with recall near f32's, at half and a quarter of the bytes", async () => {
  const all = gaussianMixture({ rows: 2100, dim: 32, clusters: 20, spread: 0.3, seed: 5 });
  const { base, queries } = holdOutQueries(all, 100, 2);
  const backend = cpuBackend();
  const index = await build(backend, base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const truth = await bruteForceKnn(base, queries, 10, "sqeuclidean");
  const recallOf = async (i: typeof index) => {
    const r = await search(backend, i, queries, 10, { itopkSize: 64 });
    return idRecall(r, { neighbors: truth.neighbors, queries: queries.rows, k: 10 });
  };
  const f32 = await recallOf(index);
  assert.ok(f32 > 0.9, `f32 recall ${f32}`);
  for (const [kind, share, loss] of [
    ["f16", 2, 0.01],
    ["int8", 4, 0.05],
  ] as const) {
    const small = compressIndex(index, kind);
    assert.equal(small.storage?.kind, kind);
    const bytes = storageBytes(small.storage!);
    assert.ok(bytes <= base.data.byteLength / share + 8 * base.cols, `${kind}: ${bytes} bytes`);
    const recall = await recallOf(small);
    assert.ok(recall >= f32 - loss, `${kind} recall ${recall} vs f32 ${f32}`);
  }
});

test("an index of small integers with no storage of its own is searched as exact int8: the same neighbours and distances as its f32 rows", async () => {
  const mixture = gaussianMixture({ rows: 2100, dim: 32, clusters: 20, spread: 0.3, seed: 9 });
  // Bytes as SIFT's are: each value scaled and rounded into [0, 200].
  const all = {
    ...mixture,
    data: mixture.data.map((v) => Math.max(0, Math.min(200, Math.round(100 + 25 * v)))),
  };
  // 200 queries: enough for search() to split them over two threads.
  const { base, queries } = holdOutQueries(all, 200, 3);
  const backend = cpuBackend();
  const index = await build(backend, base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const asF32 = compressIndex(index, "f32");
  for (const threads of [1, 2]) {
    const b = cpuBackend(threads);
    const params = { itopkSize: 64, entryPoints: "random" } as const;
    const read = await search(b, index, queries, 10, params);
    const f32 = await search(b, asF32, queries, 10, params);
    assert.equal(read.storage, "int8", `${threads} threads`);
    assert.equal(f32.storage, "f32");
    assert.deepEqual(read.neighbors, f32.neighbors, `${threads} threads`);
    assert.deepEqual(read.distances, f32.distances, `${threads} threads`);
  }
  // Coarse entry points too (the default): the level is built from the same f32 rows.
  const coarse = await search(backend, index, queries, 10, { entryPoints: "coarse" });
  const coarseF32 = await search(backend, asF32, queries, 10, { entryPoints: "coarse" });
  assert.deepEqual(coarse.neighbors, coarseF32.neighbors);
  assert.deepEqual(coarse.distances, coarseF32.distances);
  // Fractional values keep the f32 rows.
  assert.equal((await search(backend, await build(backend, mixture), queries, 10)).storage, "f32");
});

test("compressIndex refuses a graph-only index", () => {
  const graph = { neighbors: new Uint32Array(2), size: 2, degree: 1 };
  const index = { metric: "sqeuclidean", dtype: "f32", dataset: undefined, graph } as const;
  assert.throws(() => compressIndex(index, "f16"), /no dataset/);
});
