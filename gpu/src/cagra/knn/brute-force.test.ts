import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix, type Matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { internalDistance, prepareForMetric } from "../distance.js";
import { METRICS, type Metric, type Progress } from "../types.js";
import { bruteForceKnn } from "./brute-force.js";

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rand = seededRandom(seed);
  return matrix(
    Float32Array.from({ length: rows * cols }, () => gaussian(rand)),
    rows,
    cols,
  );
}

/** The O(N·Q) definition: every distance by distance.ts, sorted by (distance, id). */
function naiveKnn(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  excludeSelf = false,
) {
  const distance = internalDistance(metric);
  const x = prepareForMetric(dataset, metric);
  const q = prepareForMetric(queries, metric);
  return Array.from({ length: queries.rows }, (_, i) =>
    Array.from({ length: dataset.rows }, (_, j) => ({
      id: j,
      d: distance(q.data, i, x.data, j, dataset.cols),
    }))
      .filter((c) => !excludeSelf || c.id !== i)
      .sort((a, b) => a.d - b.d || a.id - b.id)
      .slice(0, k),
  );
}

const rowOf = (a: Uint32Array | Float32Array, r: number, k: number) => [
  ...a.subarray(r * k, (r + 1) * k),
];

// 19 columns: not a multiple of 4, so rows are padded inside the kernel.
const dataset = randomMatrix(300, 19, 1);
const queries = randomMatrix(70, 19, 2);

for (const metric of METRICS) {
  test(`bruteForceKnn(${metric}) matches the naive definition`, async () => {
    const k = 12;
    const knn = await bruteForceKnn(dataset, queries, k, metric);
    assert.equal(knn.size, queries.rows);
    assert.equal(knn.degree, k);
    const expected = naiveKnn(dataset, queries, k, metric);
    for (let r = 0; r < queries.rows; r++) {
      assert.deepEqual(
        rowOf(knn.neighbors, r, k),
        expected[r]!.map((c) => c.id),
        `row ${r}`,
      );
      rowOf(knn.distances, r, k).forEach((d, j) => {
        const want = expected[r]![j]!.d;
        assert.ok(Math.abs(d - want) <= 1e-4 * (1 + Math.abs(want)), `row ${r}: ${d} vs ${want}`);
      });
    }
  });
}

test("bruteForceKnn with excludeSelf never returns a row's own id", async () => {
  const k = 9;
  const knn = await bruteForceKnn(dataset, dataset, k, "sqeuclidean", { excludeSelf: true });
  const expected = naiveKnn(dataset, dataset, k, "sqeuclidean", true);
  for (let r = 0; r < dataset.rows; r++) {
    const ids = rowOf(knn.neighbors, r, k);
    assert.ok(!ids.includes(r), `row ${r} lists itself`);
    assert.deepEqual(
      ids,
      expected[r]!.map((c) => c.id),
    );
  }
});

test("bruteForceKnn breaks distance ties by the smaller id", async () => {
  // Rows 0, 3 and 5 are the same point; rows 1, 2 and 4 are farther and equal to each other.
  const near = [1, 1];
  const far = [4, 4];
  const data = matrix(Float32Array.from([near, far, far, near, far, near].flat()), 6, 2);
  const knn = await bruteForceKnn(data, matrix(Float32Array.from([1, 1]), 1, 2), 5, "sqeuclidean");
  assert.deepEqual([...knn.neighbors], [0, 3, 5, 1, 2]);
  assert.deepEqual([...knn.distances], [0, 0, 0, 18, 18]);
});

test("bruteForceKnn accepts k = N, and k = N − 1 with excludeSelf", async () => {
  const small = randomMatrix(7, 3, 3);
  const all = await bruteForceKnn(small, small, 7, "inner_product");
  assert.deepEqual(rowOf(all.neighbors, 0, 7).sort(), [0, 1, 2, 3, 4, 5, 6]);
  const others = await bruteForceKnn(small, small, 6, "cosine", { excludeSelf: true });
  assert.deepEqual(rowOf(others.neighbors, 2, 6).sort(), [0, 1, 3, 4, 5, 6]);
});

test("bruteForceKnn gives identical results on 1 and 2 threads", async () => {
  const big = randomMatrix(600, 24, 4);
  const one = await bruteForceKnn(big, big, 16, "sqeuclidean", { excludeSelf: true, threads: 1 });
  const two = await bruteForceKnn(big, big, 16, "sqeuclidean", { excludeSelf: true, threads: 2 });
  assert.deepEqual(two.neighbors, one.neighbors);
  assert.deepEqual(two.distances, one.distances);
});

test("bruteForceKnn reports progress in query rows up to the total", async () => {
  for (const threads of [1, 2]) {
    const seen: Progress[] = [];
    await bruteForceKnn(dataset, dataset, 5, "cosine", {
      threads,
      onProgress: (p) => seen.push(p),
    });
    assert.ok(seen.length >= 2, `threads ${threads}: ${seen.length} reports`);
    assert.ok(seen.every((p) => p.stage === "knn" && p.total === dataset.rows));
    assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done));
    assert.equal(seen.at(-1)!.done, dataset.rows);
  }
});

test("bruteForceKnn rejects with the abort reason", async () => {
  const big = randomMatrix(4000, 32, 5);
  const before = new AbortController();
  before.abort(new Error("stop before"));
  await assert.rejects(
    bruteForceKnn(big, big, 8, "sqeuclidean", { signal: before.signal }),
    /stop before/,
  );
  for (const threads of [1, 2]) {
    const during = new AbortController();
    const reason = new Error(`stop during (${threads})`);
    let reports = 0;
    await assert.rejects(
      bruteForceKnn(big, big, 8, "sqeuclidean", {
        threads,
        signal: during.signal,
        onProgress: () => {
          if (++reports === 1) during.abort(reason);
        },
      }),
      (error) => error === reason,
    );
    assert.ok(reports < big.rows / 64, `threads ${threads}: ran on after the abort`);
  }
});

test("bruteForceKnn rejects bad input, naming the parameter", async () => {
  const nan = randomMatrix(10, 4, 6);
  nan.data[13] = NaN;
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => bruteForceKnn(dataset, queries, 0, "sqeuclidean"), /k must be an integer ≥ 1; got 0/],
    [() => bruteForceKnn(dataset, queries, 2.5, "sqeuclidean"), /k must be an integer/],
    [() => bruteForceKnn(dataset, queries, 301, "sqeuclidean"), /k = 301 exceeds the 300/],
    [
      () => bruteForceKnn(dataset, dataset, 300, "sqeuclidean", { excludeSelf: true }),
      /k = 300 exceeds the 299 candidate rows/,
    ],
    [
      () => bruteForceKnn(dataset, randomMatrix(3, 18, 7), 2, "sqeuclidean"),
      /queries have 18 columns but the dataset has 19/,
    ],
    [
      () => bruteForceKnn(matrix(new Float32Array(0), 0, 19), queries, 1, "sqeuclidean"),
      /dataset is empty/,
    ],
    [() => bruteForceKnn(nan, nan, 1, "sqeuclidean"), /dataset: row 3, column 1 is NaN/],
    [() => bruteForceKnn(randomMatrix(10, 4, 8), nan, 1, "sqeuclidean"), /queries: row 3/],
    [
      () => bruteForceKnn(dataset, queries, 1, "l1" as Metric),
      /metric must be one of sqeuclidean, inner_product, cosine; got l1/,
    ],
    [() => bruteForceKnn(dataset, queries, 1, "cosine", { threads: 0 }), /threads must be/],
    [
      () => bruteForceKnn(dataset, queries, 1, "cosine", { excludeSelf: true }),
      /queries must have the dataset's 300 rows; got 70/,
    ],
  ];
  for (const [call, message] of cases) await assert.rejects(call, message);
});
