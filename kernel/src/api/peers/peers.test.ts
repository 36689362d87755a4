import assert from "node:assert/strict";
import { test } from "node:test";
import { datasets, matrix } from "@tessera/gpu";
import {
  findFaissPython,
  hnswlibCallOverhead,
  loadHnswlib,
  runFaissHnsw,
  runHnswlib,
} from "./index.js";

// 300 base vectors and 20 queries of 8 dimensions: small enough for an exact answer at high ef.
const all = datasets.gaussianMixture({ rows: 320, dim: 8, clusters: 4, seed: 3 });
const { base, queries } = datasets.holdOutQueries(all, 20, 4);
const k = 5;

async function exactIds(): Promise<Uint32Array> {
  return (await datasets.groundTruth(base, queries, k, "sqeuclidean")).neighbors;
}

test("runHnswlib builds hnswlib-node's HNSW and finds the exact neighbours at a high ef", async () => {
  const hnswlib = await loadHnswlib();
  assert.ok(hnswlib, "hnswlib-node is installed by npm ci (an optional dependency)");
  const run = runHnswlib(hnswlib, base, queries, k, 8, 100, [300]);
  assert.deepEqual(
    run.searches.map((s) => s.ef),
    [300],
  );
  assert.ok(run.buildS > 0 && run.searches[0]!.searchS > 0);
  assert.deepEqual(run.searches[0]!.ids, await exactIds());
  assert.throws(
    () =>
      runHnswlib(
        hnswlib,
        base,
        datasets.gaussianMixture({ rows: 2, dim: 3, seed: 1 }),
        k,
        8,
        100,
        [8],
      ),
    /queries have 3 dimensions, the data 8/,
  );
});

test("runFaissHnsw runs faiss-cpu in .venv's Python and finds the exact neighbours at a high ef", async () => {
  const found = await findFaissPython();
  assert.ok("python" in found, "missing" in found ? found.missing : "");
  const { version, runs } = await runFaissHnsw(found.python, base, queries, {
    k,
    threads: 1,
    repeats: 1,
    efConstruction: 100,
    m: [8],
    ef: [300],
  });
  assert.match(version, /^\d+\.\d+/);
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]!.searches[0]!.ids, await exactIds());
});

test("hnswlibCallOverhead is a positive per-call time below a full search's", async () => {
  const hnswlib = await loadHnswlib();
  assert.ok(hnswlib);
  const perCall = hnswlibCallOverhead(hnswlib, queries, k);
  const run = runHnswlib(hnswlib, base, queries, k, 8, 100, [300], 3);
  assert.equal(run.searches[0]!.repeatS.length, 3);
  assert.ok(perCall > 0 && perCall < run.searches[0]!.searchS / queries.rows, `${perCall} s`);
});

test("runFaissHnsw repeats each search at every thread count asked for", async () => {
  const found = await findFaissPython();
  assert.ok("python" in found, "missing" in found ? found.missing : "");
  const { runs } = await runFaissHnsw(found.python, base, queries, {
    k,
    threads: 2,
    repeats: 2,
    efConstruction: 100,
    m: [8],
    ef: [16, 300],
    searchThreads: [1, 2],
  });
  const searches = runs[0]!.searches;
  assert.deepEqual(
    searches.map((s) => [s.threads, s.ef]),
    [
      [1, 16],
      [1, 300],
      [2, 16],
      [2, 300],
    ],
  );
  assert.ok(searches.every((s) => s.repeatS.length === 2 && s.searchS === Math.min(...s.repeatS)));
  assert.deepEqual(searches[3]!.ids, searches[1]!.ids);
});

test("runFaissHnsw with 8-bit storage keeps bytes as they are and quantizes other values per dimension", async () => {
  const found = await findFaissPython();
  assert.ok("python" in found, "missing" in found ? found.missing : "");
  const options = { k, threads: 1, repeats: 1, efConstruction: 100, m: [8], ef: [300] };
  // Integers in [0, 255], as SIFT's: the codes are the values, so the answer stays exact.
  const bytes = (m: typeof base) =>
    matrix(
      m.data.map((v) => Math.round(v * 20 + 128)),
      m.rows,
      m.cols,
    );
  const [byteBase, byteQueries] = [bytes(base), bytes(queries)];
  const exact = await runFaissHnsw(found.python, byteBase, byteQueries, {
    ...options,
    storage: "sq8",
  });
  assert.equal(exact.quantizer, "QT_8bit_direct");
  // Compared by distance: rounding to bytes makes ties, which either id answers.
  const squared = (q: number, id: number) =>
    Array.from(
      { length: base.cols },
      (_, c) => (byteQueries.data[q * base.cols + c]! - byteBase.data[id * base.cols + c]!) ** 2,
    ).reduce((a, b) => a + b);
  const ids = exact.runs[0]!.searches[0]!.ids;
  for (let q = 0; q < queries.rows; q++) {
    const all = Array.from({ length: base.rows }, (_, id) => squared(q, id)).sort((a, b) => a - b);
    const found = [...ids.subarray(q * k, q * k + k)].map((id) => squared(q, id));
    assert.deepEqual(found, all.slice(0, k), `query ${q}`);
  }
  const scaled = await runFaissHnsw(found.python, base, queries, { ...options, storage: "sq8" });
  assert.equal(scaled.quantizer, "QT_8bit");
  assert.equal((await runFaissHnsw(found.python, base, queries, options)).quantizer, "none");
});
