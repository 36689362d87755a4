import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { matrix, type Matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { internalDistance, prepareForMetric, reportedDistance } from "../distance.js";
import type { Graph, Metric } from "../types.js";
import { INVALID_ID, searchCpu } from "./cpu.js";
import { bitsetFilter } from "./filter.js";
import { initialSeedIds } from "./random-seeds.js";
import type { SearchIndex } from "./validate.js";
import { SIFT_5K_BASE } from "../../../test/datasets.js";

const SIFT = SIFT_5K_BASE;
const D = 128;
const BASE = 4000;
const QUERIES = 200;
const K = 10;

/** Rows of the SIFT TSV: 128 tab-separated values, then an id column. */
function readSift(rows: number): Matrix {
  const lines = readFileSync(SIFT, "utf8").split("\n", rows);
  const data = new Float32Array(rows * D);
  lines.forEach((line, r) => {
    const fields = line.split("\t");
    assert.equal(fields.length, D + 1, `line ${r} has ${fields.length} fields`);
    for (let c = 0; c < D; c++) data[r * D + c] = Number(fields[c]);
  });
  return matrix(data, rows, D);
}

/** Exact neighbours of row `q` of `queries` among `dataset`'s rows, closest first (ties: lower id). */
function bruteForce(dataset: Matrix, queries: Matrix, q: number, k: number, metric: Metric) {
  const dist = internalDistance(metric);
  const order = Array.from({ length: dataset.rows }, (_, i) => i);
  const d = order.map((i) => dist(queries.data, q, dataset.data, i, dataset.cols));
  order.sort((a, b) => d[a]! - d[b]! || a - b);
  return { ids: order.slice(0, k), distances: order.slice(0, k).map((i) => d[i]!) };
}

/** The exact kNN graph (self excluded), rows closest first: a stand-in for an optimized graph. */
function knnGraph(dataset: Matrix, degree: number, metric: Metric): Graph {
  const n = dataset.rows;
  const dist = internalDistance(metric);
  const ids = new Uint32Array(n * degree);
  const dists = new Float64Array(n * degree);
  const count = new Uint32Array(n);
  const offer = (row: number, id: number, d: number) => {
    const o = row * degree;
    let i = count[row]!;
    if (i === degree) {
      if (!(d < dists[o + degree - 1]!)) return;
      i--;
    } else {
      count[row] = i + 1;
    }
    for (; i > 0 && dists[o + i - 1]! > d; i--) {
      ids[o + i] = ids[o + i - 1]!;
      dists[o + i] = dists[o + i - 1]!;
    }
    ids[o + i] = id;
    dists[o + i] = d;
  };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const d = dist(dataset.data, a, dataset.data, b, dataset.cols);
      offer(a, b, d);
      offer(b, a, d);
    }
  }
  return { neighbors: ids, size: n, degree };
}

function recallAt(found: Uint32Array, truth: number[][], k: number): number {
  let hits = 0;
  truth.forEach((ids, q) => {
    const want = new Set(ids);
    for (let i = 0; i < k; i++) if (want.has(found[q * k + i]!)) hits++;
  });
  return hits / (truth.length * k);
}

const sift = readSift(BASE + QUERIES);
const dataset = matrix(sift.data.subarray(0, BASE * D), BASE, D);
const queries = matrix(sift.data.slice(BASE * D), QUERIES, D);
const index: SearchIndex = {
  dataset,
  graph: knnGraph(dataset, 64, "sqeuclidean"),
  metric: "sqeuclidean",
};
const truth = Array.from({ length: QUERIES }, (_, q) =>
  bruteForce(dataset, queries, q, K, "sqeuclidean"),
);
const defaults = searchCpu(index, queries, K);

test("SIFT: recall@10 ≥ 0.95 with cuVS's default parameters", () => {
  assert.equal(defaults.plan.itopkSize, 64);
  assert.equal(defaults.plan.hashMode, "small");
  const recall = recallAt(
    defaults.neighbors,
    truth.map((t) => t.ids),
    K,
  );
  assert.ok(recall >= 0.95, `recall@10 = ${recall}`);
  // A wider list finds more.
  const wider = searchCpu(index, queries, K, { itopkSize: 128 });
  assert.ok(
    recallAt(
      wider.neighbors,
      truth.map((t) => t.ids),
      K,
    ) >= recall,
  );
});

test("SIFT: results are distinct ids, closest first, with their true distances", () => {
  const dist = internalDistance("sqeuclidean");
  for (let q = 0; q < QUERIES; q++) {
    const ids = defaults.neighbors.subarray(q * K, (q + 1) * K);
    const ds = defaults.distances.subarray(q * K, (q + 1) * K);
    assert.equal(new Set(ids).size, K);
    for (let i = 0; i < K; i++) {
      assert.ok(ids[i]! < BASE);
      const want = dist(queries.data, q, dataset.data, ids[i]!, D);
      assert.ok(Math.abs(ds[i]! - want) <= 1e-5 * want + 1e-3, `q${q} #${i}`);
      if (i > 0) assert.ok(ds[i - 1]! <= ds[i]!);
    }
    // The best found is never better than the true nearest.
    assert.ok(ds[0]! >= truth[q]!.distances[0]! * (1 - 1e-5));
  }
});

test("SIFT: deterministic, and the exact visited set gives what cuVS's hash gives", () => {
  const again = searchCpu(index, queries, K);
  assert.deepEqual(again.neighbors, defaults.neighbors);
  assert.deepEqual(again.distances, defaults.distances);
  const hashed = searchCpu(index, queries, K, {}, { visited: "hash" });
  assert.deepEqual(hashed.neighbors, defaults.neighbors);
  assert.deepEqual(hashed.distances, defaults.distances);
  assert.deepEqual(hashed.iterations, defaults.iterations);
  // Same for a SMALL table reset only every few iterations, and for a HASH table.
  const params = { itopkSize: 32, searchWidth: 2 };
  for (const hashmapMode of ["small", "hash"] as const) {
    const exact = searchCpu(index, queries, K, params, { hashmapMode });
    const table = searchCpu(index, queries, K, params, { hashmapMode, visited: "hash" });
    assert.deepEqual(table.neighbors, exact.neighbors);
    assert.deepEqual(table.iterations, exact.iterations);
  }
});

test("SIFT: iteration bounds: converged searches stop early, min/max iterations hold", () => {
  const max = defaults.plan.maxIterations;
  assert.equal(max, 64 + 3); // 32^3 ≥ 4000
  assert.ok(defaults.iterations.every((it) => it >= 64 && it <= max));
  const capped = searchCpu(index, queries, K, { maxIterations: 5 });
  assert.ok(capped.iterations.every((it) => it === 5));
  const held = searchCpu(index, queries, K, { minIterations: 150 });
  assert.ok(held.iterations.every((it) => it === 150));
  // Iterations after convergence have no parents, so nothing changes.
  assert.deepEqual(held.neighbors, defaults.neighbors);
});

test("SIFT: the trace follows the algorithm step by step", () => {
  const traced = [3, 77];
  const res = searchCpu(index, queries, K, {}, { traceQueries: traced });
  assert.deepEqual(res.neighbors, defaults.neighbors);
  assert.equal(res.traces.length, 2);
  for (const [t, trace] of res.traces.entries()) {
    const q = traced[t]!;
    assert.equal(trace.query, q);
    assert.equal(new Set(trace.seedIds).size, trace.seedIds.length);
    assert.ok(trace.seedIds.length <= res.plan.resultBufferSize);
    assert.equal(trace.steps.length, res.iterations[q]);
    const expanded = new Set<number>();
    let visited = trace.steps[0]!.visited - trace.steps[0]!.candidateIds.length;
    assert.equal(visited, res.plan.resultBufferSize); // one distance per random slot
    for (const [i, step] of trace.steps.entries()) {
      assert.equal(step.iteration, i);
      assert.equal(step.topIds.length, res.plan.itopkSize);
      for (let j = 1; j < step.topDistances.length; j++) {
        assert.ok(step.topDistances[j - 1]! <= step.topDistances[j]!, `step ${i} unsorted`);
      }
      // Parents: the first unexpanded entry, never expanded before.
      const open = step.topIds.filter((_, j) => step.topExpanded[j] === 0);
      if (step.parents.length > 0) {
        assert.equal(step.parents[0], open[0]);
        assert.ok(!expanded.has(step.parents[0]!));
        expanded.add(step.parents[0]!);
      }
      step.topIds.forEach((id, j) =>
        assert.equal(step.topExpanded[j] === 1, expanded.has(id) && id !== step.parents[0]),
      );
      // Children in the (restored) visited table are skipped: none is in the list.
      const listed = new Set(step.topIds);
      assert.ok(step.candidateIds.every((id) => !listed.has(id)));
      assert.equal(new Set(step.candidateIds).size, step.candidateIds.length);
      // Visited grows by the distances computed.
      assert.equal(step.visited, visited + step.candidateIds.length);
      visited = step.visited;
      step.candidateIds.forEach((id, j) => {
        const want = internalDistance("sqeuclidean")(queries.data, q, dataset.data, id, D);
        assert.ok(Math.abs(step.candidateDistances[j]! - want) <= 1e-5 * want + 1e-3);
      });
    }
    const last = trace.steps.at(-1)!;
    assert.equal(last.parents.length, 0);
    assert.deepEqual(
      [...last.topIds.subarray(0, K)],
      [...res.neighbors.subarray(q * K, (q + 1) * K)],
    );
    assert.ok(last.visited > trace.steps[0]!.visited);
  }
});

test("SIFT: the random init keeps the best of numRandomSamplings seeds per slot, once", () => {
  const res = searchCpu(index, queries, K, { numRandomSamplings: 3 }, { traceQueries: [0] });
  const slots = res.plan.resultBufferSize;
  const seeds = initialSeedIds(BASE, slots, 3, res.plan.randXorMask);
  const dist = internalDistance("sqeuclidean");
  const expected: number[] = [];
  for (let i = 0; i < slots; i++) {
    let best = Infinity;
    let bestId = -1;
    for (let j = 0; j < 3; j++) {
      const id = seeds[i + slots * j]!;
      const d = Math.fround(dist(queries.data, 0, dataset.data, id, D));
      if (d < best) [best, bestId] = [d, id];
    }
    if (!expected.includes(bestId)) expected.push(bestId);
  }
  assert.deepEqual([...res.traces[0]!.seedIds], expected);
  assert.equal(
    res.traces[0]!.steps[0]!.visited - res.traces[0]!.steps[0]!.candidateIds.length,
    3 * slots,
  );
});

test("SIFT: a filter never returns a removed row; recall among kept rows stays high", () => {
  const keep = (id: number) => id % 3 !== 0;
  const filter = bitsetFilter(BASE, keep);
  const res = searchCpu(index, queries, K, {}, { filter });
  assert.equal(res.plan.hashMode, "hash");
  assert.ok(res.neighbors.every((id) => id !== INVALID_ID && keep(id)));
  const kept = Array.from({ length: BASE }, (_, i) => i).filter(keep);
  const keptRows = matrix(new Float32Array(kept.length * D), kept.length, D);
  kept.forEach((id, r) => keptRows.data.set(dataset.data.subarray(id * D, (id + 1) * D), r * D));
  const keptTruth = Array.from({ length: QUERIES }, (_, q) =>
    bruteForce(keptRows, queries, q, K, "sqeuclidean").ids.map((r) => kept[r]!),
  );
  const recall = recallAt(res.neighbors, keptTruth, K);
  assert.ok(recall >= 0.9, `filtered recall@10 = ${recall}`);
  // A heavy filter (2 % kept): every returned row is kept, unfilled slots are INVALID_ID.
  const rare = (id: number) => id % 50 === 7;
  const few = searchCpu(index, queries, K, {}, { filter: bitsetFilter(BASE, rare) });
  assert.ok(few.neighbors.every((id) => id === INVALID_ID || rare(id)));
  assert.ok(few.neighbors.some((id) => id !== INVALID_ID));
});

test("inner product and cosine agree with brute force on small data", () => {
  const rand = seededRandom(11);
  const dim = 16;
  const raw = matrix(
    Float32Array.from({ length: 1500 * dim }, () => gaussian(rand)),
    1500,
    dim,
  );
  const rawQueries = matrix(
    Float32Array.from({ length: 40 * dim }, () => gaussian(rand)),
    40,
    dim,
  );
  for (const metric of ["inner_product", "cosine"] as const) {
    const data = prepareForMetric(raw, metric);
    const prepared = prepareForMetric(rawQueries, metric);
    const small: SearchIndex = { dataset: data, graph: knnGraph(data, 32, metric), metric };
    const res = searchCpu(small, rawQueries, K, { itopkSize: 64 });
    const exact = Array.from({ length: 40 }, (_, q) => bruteForce(data, prepared, q, K, metric));
    const recall = recallAt(
      res.neighbors,
      exact.map((e) => e.ids),
      K,
    );
    assert.ok(recall >= 0.9, `${metric} recall@10 = ${recall}`);
    const dist = internalDistance(metric);
    for (let q = 0; q < 40; q++) {
      for (let i = 0; i < K; i++) {
        const id = res.neighbors[q * K + i]!;
        const want = reportedDistance(metric, dist(prepared.data, q, data.data, id, dim));
        assert.ok(Math.abs(res.distances[q * K + i]! - want) <= 1e-4, `${metric} q${q} #${i}`);
      }
      // Reported inner products are +dot, so they fall; cosine distances rise.
      const first = res.distances[q * K]!;
      const tenth = res.distances[q * K + K - 1]!;
      assert.ok(metric === "inner_product" ? first >= tenth : first <= tenth);
    }
  }
});

test("bad input throws errors that name the problem", () => {
  const few = matrix(queries.data.subarray(0, 2 * D), 2, D);
  const cases: [() => unknown, RegExp][] = [
    [() => searchCpu(index, few, 65), /k \(65\) must be ≤ itopkSize \(64/],
    [() => searchCpu(index, few, BASE + 1, { itopkSize: 512 }), /k \(4001\) exceeds the 4000 rows/],
    [() => searchCpu(index, few, 0), /k must be an integer ≥ 1/],
    [
      () => searchCpu(index, matrix(new Float32Array(8), 2, 4), K),
      /dimension 4, but the dataset has 128/,
    ],
    [
      () => searchCpu(index, matrix(new Float32Array(D).fill(NaN), 1, D), K),
      /queries: row 0, column 0 is NaN/,
    ],
    [() => searchCpu(index, few, K, { searchWidth: 0 }), /searchWidth/],
    [() => searchCpu(index, few, K, {}, { filter: new Uint32Array(3) }), /filter has 3 words/],
    [() => searchCpu(index, few, K, { maxIterations: 2, minIterations: 3 }), /below minIterations/],
    [() => searchCpu(index, few, K, { algo: "multi_cta" }), /single_cta/],
    [() => searchCpu(index, few, K, {}, { traceQueries: [2] }), /traceQueries: 2/],
  ];
  for (const [call, message] of cases) assert.throws(call, { message });
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  assert.throws(() => searchCpu(index, few, K, {}, { signal: controller.signal }), /stop/);
});
