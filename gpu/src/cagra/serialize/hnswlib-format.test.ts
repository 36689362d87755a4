import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import hnswlib from "hnswlib-node";
import { matrix, row, type Matrix } from "../../common/matrix.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { idRecall } from "../../datasets/recall.js";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { parseSift5k, SIFT_5K_FILES } from "../../datasets/tsv.js";
import { internalDistance, prepareForMetric, reportedDistance } from "../distance.js";
import type { CagraIndex, Metric } from "../types.js";
import { encodeHnswlibIndex, hnswlibSpace } from "./hnswlib-format.js";
import { saveHnswlibIndex } from "./node.js";
import { SIFT_5K_DIR } from "../../../test/datasets.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-hnsw-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Exact k nearest rows of `data` for each row of `queries` (ids, closest first). */
function bruteForce(data: Matrix, queries: Matrix, k: number, metric: Metric, skipSelf: boolean) {
  const a = prepareForMetric(data, metric);
  const q = prepareForMetric(queries, metric);
  const distance = internalDistance(metric);
  const neighbors = new Uint32Array(queries.rows * k);
  const best = new Float64Array(k);
  const ids = new Uint32Array(k);
  for (let i = 0; i < queries.rows; i++) {
    best.fill(Infinity);
    for (let j = 0; j < data.rows; j++) {
      if (skipSelf && j === i) continue;
      const d = distance(q.data, i, a.data, j, data.cols);
      if (d >= best[k - 1]!) continue;
      // Insertion into the sorted top k; ties keep the lower id first.
      let p = k - 1;
      for (; p > 0 && best[p - 1]! > d; p--) {
        best[p] = best[p - 1]!;
        ids[p] = ids[p - 1]!;
      }
      best[p] = d;
      ids[p] = j;
    }
    neighbors.set(ids, i * k);
  }
  return neighbors;
}

/** An index whose graph is the exact kNN graph of `data`: a valid CAGRA-shaped graph. */
function knnIndex(data: Matrix, degree: number, metric: Metric): CagraIndex {
  const neighbors = bruteForce(data, data, degree, metric, true);
  return { metric, dtype: "f32", dataset: data, graph: { neighbors, size: data.rows, degree } };
}

/** Exports `index`, loads it with hnswlib-node and searches `queries` with ef 64. */
async function searchWithHnswlib(index: CagraIndex, queries: Matrix, k: number, name: string) {
  const path = join(dir, name);
  await saveHnswlibIndex(path, index);
  const h = new hnswlib.HierarchicalNSW(hnswlibSpace(index.metric), index.dataset!.cols);
  await h.readIndex(path);
  h.setEf(64);
  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  for (let i = 0; i < queries.rows; i++) {
    const r = h.searchKnn(Array.from(row(queries, i)), k);
    neighbors.set(r.neighbors, i * k);
    distances.set(r.distances, i * k);
  }
  return { h, result: { neighbors, distances, queries: queries.rows, k } };
}

describe("export to hnswlib", () => {
  it("loads in hnswlib-node and finds SIFT neighbours through the exported graph", async () => {
    const text = (f: string) => readFileSync(join(SIFT_5K_DIR, f), "utf8");
    const sift = parseSift5k(text(SIFT_5K_FILES.base), text(SIFT_5K_FILES.queries));
    const base = matrix(sift.base.data.slice(0, 2000 * 128), 2000, 128);
    const rest = matrix(sift.base.data.slice(2000 * 128), 3000, 128);
    const queries = holdOutQueries(rest, 100, 42).queries;
    const index = knnIndex(base, 32, "sqeuclidean");
    const { h, result } = await searchWithHnswlib(index, queries, 10, "sift.hnsw");
    assert.equal(h.getCurrentCount(), 2000);
    assert.equal(h.getMaxElements(), 2000);
    assert.deepEqual(
      h.getIdsList().sort((a, b) => a - b),
      Array.from({ length: 2000 }, (_, i) => i),
    );
    const truth = bruteForce(base, queries, 10, "sqeuclidean", false);
    const recall = idRecall(result, { neighbors: truth, queries: 100, k: 10 });
    assert.ok(recall >= 0.9, `recall@10 ${recall}`);
    // hnswlib's l2 is squared L2 over the exported f32 vectors: the same numbers as ours.
    const l2 = internalDistance("sqeuclidean");
    for (let j = 0; j < 10; j++) {
      assert.equal(
        result.distances[j],
        Math.fround(l2(queries.data, 0, base.data, result.neighbors[j]!, 128)),
      );
    }
  });

  it("stores unit rows for cosine, so hnswlib's cosine space reports 1 − cos", async () => {
    // Overlapping clusters, so that the exact kNN graph is connected.
    const all = gaussianMixture({ rows: 850, dim: 16, clusters: 4, spread: 1, seed: 2 });
    const { base: data, queries } = holdOutQueries(all, 50, 3);
    const index = knnIndex(data, 16, "cosine");
    const { result } = await searchWithHnswlib(index, queries, 5, "cos.hnsw");
    const truth = bruteForce(data, queries, 5, "cosine", false);
    const recall = idRecall(result, { neighbors: truth, queries: 50, k: 5 });
    assert.ok(recall >= 0.9, `recall@5 ${recall}`);
    const unit = prepareForMetric(data, "cosine");
    const q = prepareForMetric(queries, "cosine");
    const cos = internalDistance("cosine");
    const expected = reportedDistance(
      "cosine",
      cos(q.data, 0, unit.data, result.neighbors[0]!, 16),
    );
    assert.ok(
      Math.abs(result.distances[0]! - expected) < 1e-5,
      `${result.distances[0]} vs ${expected}`,
    );
  });

  it("writes hnswlib's header fields with max level 0, and refuses an index without vectors", () => {
    const index = knnIndex(gaussianMixture({ rows: 10, dim: 3, seed: 1 }), 4, "sqeuclidean");
    const bytes = encodeHnswlibIndex(index);
    const view = new DataView(bytes.buffer);
    const u64 = (at: number) => Number(view.getBigUint64(at, true));
    const element = 4 * 4 + 4 + 3 * 4 + 8;
    assert.deepEqual([0, 8, 16, 24, 32, 40].map(u64), [0, 10, 10, element, element - 8, 20]);
    assert.deepEqual([view.getInt32(48, true), view.getInt32(52, true)], [0, 5]);
    assert.deepEqual([56, 64, 72].map(u64), [2, 4, 2]);
    assert.equal(view.getFloat64(80, true), 0.42424242);
    assert.equal(u64(88), 500);
    assert.equal(bytes.length, 96 + 10 * element + 10 * 4);
    assert.deepEqual(Array.from(new Uint32Array(bytes.buffer.slice(96, 96 + 20))), [
      4,
      ...index.graph.neighbors.subarray(0, 4),
    ]);
    assert.equal(u64(96 + element - 8), 0, "label of row 0");
    assert.equal(u64(96 + 2 * element - 8), 1, "label of row 1");
    assert.throws(() => encodeHnswlibIndex({ ...index, dataset: undefined }), /has no dataset/);
  });
});
