import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openBrowserGpu, type BrowserGpu } from "../../../../test/webgpu-browser.js";
import type { KnnCall, KnnRun } from "../../../../test/fixtures/knn-brute-force.js";
import { matrix, type Matrix } from "../../../common/matrix.js";
import { gaussian, seededRandom } from "../../../common/random.js";
import { prepareForMetric } from "../../distance.js";
import type { Metric } from "../../types.js";
import { bruteForceKnn } from "../brute-force.js";
import { SIFT_5K_BASE } from "../../../../test/datasets.js";

const FIXTURE = fileURLToPath(
  new URL("../../../../test/fixtures/knn-brute-force.ts", import.meta.url),
);
const SIFT = SIFT_5K_BASE;

let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([FIXTURE]);
});
after(() => gpu.close());

/** Runs the kNN in the page; every run must leave no device buffer behind. */
async function knn(call: KnnCall): Promise<KnnRun> {
  const run = await gpu.call<KnnRun>(FIXTURE, "runKnn", call);
  assert.equal(run.liveBytes, 0, "device buffers left allocated");
  for (const a of run.allocations) assert.match(a, /^knn .+ (knn|readback)$/);
  return run;
}

function gaussianMatrix(rows: number, cols: number, seed: number): Matrix {
  const rand = seededRandom(seed);
  return matrix(
    Float32Array.from({ length: rows * cols }, () => gaussian(rand)),
    rows,
    cols,
  );
}

/** Small integers: distances are exact in f32 and ties are everywhere. */
function integerMatrix(rows: number, cols: number, seed: number, range: number): Matrix {
  const rand = seededRandom(seed);
  const data = Float32Array.from({ length: rows * cols }, () => Math.floor(rand() * range) - 1);
  return matrix(data, rows, cols);
}

/**
 * The exact answer, per query: internal distances (in f64) to every row, and the ids of the
 * closest k + 1 by (distance, id), one past k so that a tie at the boundary shows.
 */
function naiveKnn(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  excludeSelf: boolean,
) {
  const x = prepareForMetric(dataset, metric).data;
  const q = prepareForMetric(queries, metric).data;
  const dim = dataset.cols;
  const squared = metric === "sqeuclidean";
  return Array.from({ length: queries.rows }, (_, i) => {
    const d = new Float64Array(dataset.rows);
    for (let j = 0; j < dataset.rows; j++) {
      let s = 0;
      if (squared) {
        for (let c = 0; c < dim; c++) s += (q[i * dim + c]! - x[j * dim + c]!) ** 2;
      } else {
        for (let c = 0; c < dim; c++) s += q[i * dim + c]! * x[j * dim + c]!;
      }
      d[j] = squared ? s : metric === "inner_product" ? -s : 1 - s;
    }
    const candidates = [...d.keys()].filter((j) => !excludeSelf || j !== i);
    // Only rows within the (k + 1)-th smallest distance need the (distance, id) sort.
    const bound = Float64Array.from(candidates, (j) => d[j]!).sort()[
      Math.min(k, candidates.length - 1)
    ]!;
    const ids = candidates.filter((j) => d[j]! <= bound).sort((a, b) => d[a]! - d[b]! || a - b);
    return { ids, d };
  });
}

/**
 * Checks `run` against the exact answer: rows sorted by (distance, id), distances within `tol`
 * (relative, at least absolute for |d| < 1) of the exact k-th distances and of each returned
 * id's own exact distance, and ids equal wherever the exact distance is not tied (within
 * `tol`) with a neighbouring rank, the (k+1)-th included. With tol 0 everything is exact.
 */
function assertMatchesNaive(
  run: KnnRun,
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  excludeSelf: boolean,
  tol: number,
) {
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal(run.size, queries.rows);
  assert.equal(run.degree, k);
  const ids = run.neighbors!;
  const dists = run.distances!;
  assert.equal(ids.length, queries.rows * k);
  const near = (a: number, b: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  const exact = naiveKnn(dataset, queries, k, metric, excludeSelf);
  for (let i = 0; i < queries.rows; i++) {
    const truth = exact[i]!;
    const rank = (j: number) => truth.d[truth.ids[j]!]!;
    const rowIds = [...ids.subarray(i * k, (i + 1) * k)];
    const rowD = [...dists.subarray(i * k, (i + 1) * k)];
    assert.equal(new Set(rowIds).size, k, `query ${i}: duplicate ids ${rowIds}`);
    if (excludeSelf) assert.ok(!rowIds.includes(i), `query ${i} found itself`);
    for (let j = 0; j < k; j++) {
      const id = rowIds[j]!;
      const at = `query ${i}, rank ${j}`;
      assert.ok(id < dataset.rows, `${at}: id ${id} out of range`);
      if (j > 0) {
        const ordered = rowD[j - 1]! < rowD[j]! || (rowD[j - 1] === rowD[j] && rowIds[j - 1]! < id);
        assert.ok(ordered, `${at}: not sorted by (distance, id)`);
      }
      assert.ok(near(rowD[j]!, rank(j)), `${at}: distance ${rowD[j]} vs exact ${rank(j)}`);
      assert.ok(near(rowD[j]!, truth.d[id]!), `${at}: id ${id} is at ${truth.d[id]}`);
      const next = j + 1 < truth.ids.length ? rank(j + 1) : Infinity;
      const tied = (j > 0 && near(rank(j - 1), rank(j))) || near(next, rank(j));
      if (tol === 0 || !tied) assert.equal(id, truth.ids[j], `${at}: id`);
    }
  }
}

test("squared L2 over several query and column tiles, N not a multiple of either", async () => {
  const dataset = gaussianMatrix(301, 19, 1);
  const queries = gaussianMatrix(70, 19, 2);
  for (const distanceKernel of ["tiled", "streaming"] as const) {
    const tiles = { queryRows: 32, columnRows: 100 };
    const run = await knn({
      dataset,
      queries,
      k: 10,
      metric: "sqeuclidean",
      tiles,
      distanceKernel,
    });
    assertMatchesNaive(run, dataset, queries, 10, "sqeuclidean", false, 1e-4);
    // 3 query tiles × 4 column tiles, reported in order.
    assert.deepEqual(
      run.progress.map((p) => `${p.stage} ${p.done}/${p.total}`),
      Array.from({ length: 12 }, (_, i) => `knn ${i + 1}/12`),
    );
  }
});

test("inner product with excludeSelf and k not a power of two", async () => {
  const dataset = gaussianMatrix(257, 16, 3);
  const tiles = { queryRows: 100, columnRows: 64 };
  for (const distanceKernel of ["tiled", "streaming"] as const) {
    const run = await knn({
      dataset,
      k: 13,
      metric: "inner_product",
      excludeSelf: true,
      tiles,
      distanceKernel,
    });
    assertMatchesNaive(run, dataset, dataset, 13, "inner_product", true, 1e-4);
  }
});

test("cosine, with a zero row, k = 33", async () => {
  const dataset = gaussianMatrix(200, 8, 4);
  dataset.data.fill(0, 5 * 8, 6 * 8);
  const queries = gaussianMatrix(40, 8, 5);
  const run = await knn({ dataset, queries, k: 33, metric: "cosine" });
  assertMatchesNaive(run, dataset, queries, 33, "cosine", false, 1e-4);
});

test("exact ties go to the smaller id, across dataset slabs", async () => {
  // Values in {−1, 0, 1} in 3 dimensions: 27 distinct points among 300 rows.
  const dataset = integerMatrix(300, 3, 6, 3);
  const tiles = { slabRows: 160, columnRows: 100, queryRows: 200 };
  for (const metric of ["sqeuclidean", "inner_product"] as const) {
    for (const distanceKernel of ["tiled", "streaming"] as const) {
      const run = await knn({ dataset, k: 20, metric, excludeSelf: true, tiles, distanceKernel });
      assertMatchesNaive(run, dataset, dataset, 20, metric, true, 0);
    }
  }
});

test("k = 256, the most the top-k kernel keeps, merged over column tiles", async () => {
  const dataset = gaussianMatrix(700, 8, 7);
  const queries = gaussianMatrix(30, 8, 8);
  const run = await knn({
    dataset,
    queries,
    k: 256,
    metric: "sqeuclidean",
    tiles: { columnRows: 300 },
  });
  assertMatchesNaive(run, dataset, queries, 256, "sqeuclidean", false, 1e-4);
});

test("k = N returns every row; with excludeSelf, k = N − 1 every other row", async () => {
  const dataset = gaussianMatrix(37, 5, 9);
  const all = await knn({ dataset, k: 37, metric: "sqeuclidean", tiles: { columnRows: 10 } });
  assertMatchesNaive(all, dataset, dataset, 37, "sqeuclidean", false, 1e-4);
  for (let i = 0; i < 37; i++) assert.equal(all.neighbors![i * 37], i, "a row is its own nearest");
  const others = await knn({ dataset, k: 36, metric: "sqeuclidean", excludeSelf: true });
  assertMatchesNaive(others, dataset, dataset, 36, "sqeuclidean", true, 1e-4);
});

test("no queries give an empty result; bad input rejects before touching the device", async () => {
  const dataset = gaussianMatrix(10, 4, 10);
  const empty = await knn({
    dataset,
    queries: matrix(new Float32Array(0), 0, 4),
    k: 3,
    metric: "cosine",
  });
  assert.equal(empty.size, 0);
  assert.equal(empty.neighbors!.length, 0);
  const big = await knn({ dataset: gaussianMatrix(300, 4, 11), k: 257, metric: "sqeuclidean" });
  assert.equal(big.error?.name, "RangeError");
  assert.match(big.error!.message, /k = 257 exceeds 256/);
  assert.deepEqual(big.allocations, []);
});

test("an abort between tiles stops the work and frees every buffer", async () => {
  const dataset = gaussianMatrix(300, 8, 12);
  const tiles = { queryRows: 100, columnRows: 100 };
  const run = await knn({ dataset, k: 10, metric: "sqeuclidean", tiles, abortAfter: 2 });
  assert.equal(run.error?.name, "AbortError");
  assert.deepEqual(
    run.progress.map((p) => p.done),
    [1, 2],
  );
  assert.equal(run.progress[0]!.total, 9);
});

/** The first `rows` vectors of SIFT-5k (128 values, then an id column). */
function siftRows(rows: number): Matrix {
  const lines = readFileSync(SIFT, "utf8").trim().split("\n").slice(0, rows);
  const data = new Float32Array(rows * 128);
  lines.forEach((line, r) => {
    const values = line.split("\t");
    assert.equal(values.length, 129);
    for (let c = 0; c < 128; c++) data[r * 128 + c] = Number(values[c]);
  });
  return matrix(data, rows, 128);
}

test("SIFT, 2000 rows: the kNN graph equals the exact one and the CPU backend's", async (t) => {
  // SIFT values are small integers, so every squared distance (< 2^24) is exact in f32
  // whatever the summation order: distances and ids must match exactly, ties by smaller id.
  const dataset = siftRows(2000);
  const run = await knn({ dataset, k: 32, metric: "sqeuclidean", excludeSelf: true });
  t.diagnostic(`SIFT 2000 × 128, k = 32, on ${gpu.adapter.architecture}: ${run.ms.toFixed(0)} ms`);
  assertMatchesNaive(run, dataset, dataset, 32, "sqeuclidean", true, 0);
  const cpu = await bruteForceKnn(dataset, dataset, 32, "sqeuclidean", { excludeSelf: true });
  assert.deepEqual(run.neighbors, cpu.neighbors);
  assert.deepEqual(run.distances, cpu.distances);
});
