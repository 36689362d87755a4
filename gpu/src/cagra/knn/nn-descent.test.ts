import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { matrix, type Matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { internalDistance, prepareForMetric } from "../distance.js";
import type { KnnGraph, Metric, Progress } from "../types.js";
import { bruteForceKnn } from "./brute-force.js";
import { nnDescent } from "./nn-descent.js";
import { SIFT_5K_BASE } from "../../../test/datasets.js";

/** SIFT-5k: 128 tab-separated values and an id column per line. */
function loadSift(): Matrix {
  const lines = readFileSync(SIFT_5K_BASE, "utf8").trim().split("\n");
  const data = new Float32Array(lines.length * 128);
  lines.forEach((line, r) => data.set(line.split("\t").slice(0, 128).map(Number), r * 128));
  return matrix(data, lines.length, 128);
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rand = seededRandom(seed);
  return matrix(
    Float32Array.from({ length: rows * cols }, () => gaussian(rand)),
    rows,
    cols,
  );
}

/** Fraction of the exact graph's edges that `knn` has. */
function recall(knn: KnnGraph, exact: KnnGraph): number {
  let hits = 0;
  for (let v = 0; v < exact.size; v++) {
    const truth = new Set(exact.neighbors.subarray(v * exact.degree, (v + 1) * exact.degree));
    for (const id of knn.neighbors.subarray(v * knn.degree, (v + 1) * knn.degree)) {
      if (truth.has(id)) hits++;
    }
  }
  return hits / (exact.size * exact.degree);
}

const sift = loadSift();

test("nnDescent reaches recall ≥ 0.95 of the exact graph on SIFT-5k at degree 64", async () => {
  const exact = await bruteForceKnn(sift, sift, 64, "sqeuclidean", { excludeSelf: true });
  const knn = await nnDescent(sift, 64, "sqeuclidean", { seed: 7 });
  assert.equal(knn.size, sift.rows);
  assert.equal(knn.degree, 64);
  const r = recall(knn, exact);
  assert.ok(r >= 0.95, `recall ${r}`);
});

test("nnDescent is deterministic for a seed and varies with it", async () => {
  const part = matrix(sift.data.subarray(0, 1500 * 128), 1500, 128);
  const a = await nnDescent(part, 32, "sqeuclidean", { seed: 3, maxIterations: 3 });
  const b = await nnDescent(part, 32, "sqeuclidean", { seed: 3, maxIterations: 3 });
  assert.deepEqual(b.neighbors, a.neighbors);
  assert.deepEqual(b.distances, a.distances);
  const c = await nnDescent(part, 32, "sqeuclidean", { seed: 4, maxIterations: 3 });
  assert.notDeepEqual(c.neighbors, a.neighbors);
});

test("nnDescent builds the same graph on 1, 2 and 3 threads", async () => {
  // Three blocks of 4,096 nodes, each 64 chunks: every thread claims several in each phase.
  const data = randomMatrix(10_000, 24, 12);
  const exact = await bruteForceKnn(data, data, 16, "sqeuclidean", { excludeSelf: true });
  const one = await nnDescent(data, 16, "sqeuclidean", { seed: 5, threads: 1 });
  assert.ok(recall(one, exact) >= 0.9, `recall ${recall(one, exact)}`);
  for (const threads of [2, 3]) {
    const many = await nnDescent(data, 16, "sqeuclidean", { seed: 5, threads });
    assert.deepEqual(many.neighbors, one.neighbors, `${threads} threads: other ids`);
    assert.deepEqual(many.distances, one.distances, `${threads} threads: other distances`);
  }
});

for (const metric of ["inner_product", "cosine"] as Metric[]) {
  test(`nnDescent(${metric}) rows are valid, sorted and exact in distance`, async () => {
    const data = randomMatrix(400, 10, 11);
    const k = 12;
    const knn = await nnDescent(data, k, metric, { seed: 1 });
    const prepared = prepareForMetric(data, metric);
    const distance = internalDistance(metric);
    for (let v = 0; v < data.rows; v++) {
      const ids = [...knn.neighbors.subarray(v * k, (v + 1) * k)];
      const ds = [...knn.distances.subarray(v * k, (v + 1) * k)];
      assert.ok(!ids.includes(v), `row ${v} lists itself`);
      assert.equal(new Set(ids).size, k, `row ${v} repeats an id`);
      ids.forEach((id, j) => {
        const want = distance(prepared.data, v, prepared.data, id, data.cols);
        assert.ok(Math.abs(ds[j]! - want) < 1e-4, `row ${v}: ${ds[j]} vs ${want}`);
        if (j > 0) assert.ok(ds[j - 1]! <= ds[j]!, `row ${v} is not sorted`);
      });
    }
    const exact = await bruteForceKnn(data, data, k, metric, { excludeSelf: true });
    assert.ok(recall(knn, exact) >= 0.95);
  });
}

test("nnDescent handles datasets smaller than its leaves (N ≤ internal degree + 1)", async () => {
  const tiny = randomMatrix(9, 3, 2);
  const knn = await nnDescent(tiny, 8, "sqeuclidean");
  const exact = await bruteForceKnn(tiny, tiny, 8, "sqeuclidean", { excludeSelf: true });
  assert.deepEqual(knn.neighbors, exact.neighbors);
});

test("nnDescent reports progress and stops on abort with the reason", async () => {
  const data = randomMatrix(3000, 16, 5);
  const seen: Progress[] = [];
  await nnDescent(data, 10, "sqeuclidean", { maxIterations: 3, onProgress: (p) => seen.push(p) });
  assert.ok(seen.every((p) => p.stage === "nn-descent" && p.total === 4 * data.rows));
  assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done));
  assert.equal(seen.at(-1)!.done, seen.at(-1)!.total);

  const controller = new AbortController();
  const reason = new Error("interrupted");
  let reports = 0;
  await assert.rejects(
    nnDescent(data, 10, "sqeuclidean", {
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 2) controller.abort(reason);
      },
    }),
    (error) => error === reason,
  );
  assert.equal(reports, 2);
});

test("nnDescent rejects bad input, naming the parameter", async () => {
  const data = randomMatrix(20, 4, 1);
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => nnDescent(data, 20, "sqeuclidean"), /k = 20 exceeds the 19 candidate rows/],
    [() => nnDescent(data, 0, "sqeuclidean"), /k must be an integer ≥ 1; got 0/],
    [() => nnDescent(data, 5, "sqeuclidean", { internalDegree: 4 }), /internalDegree must be/],
    [() => nnDescent(data, 5, "sqeuclidean", { internalDegree: 20 }), /internalDegree = 20/],
    [() => nnDescent(data, 5, "sqeuclidean", { samples: 1 }), /samples must be/],
    [() => nnDescent(data, 5, "sqeuclidean", { maxIterations: -1 }), /maxIterations must be/],
    [() => nnDescent(data, 5, "sqeuclidean", { threads: 0 }), /threads must be/],
    [
      () => nnDescent(data, 5, "sqeuclidean", { terminationThreshold: NaN }),
      /terminationThreshold must be a number ≥ 0; got NaN/,
    ],
    [() => nnDescent(matrix(new Float32Array(0), 0, 4), 1, "sqeuclidean"), /dataset is empty/],
    [() => nnDescent(data, 5, "hamming" as Metric), /metric must be one of/],
  ];
  for (const [call, message] of cases) await assert.rejects(call, message);
});
