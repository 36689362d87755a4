import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { referenceMerge } from "../../../test/cagra/optimize-reference.js";
import { stronglyConnectedComponents } from "../analysis/scc.js";
import { bruteForceKnn } from "../knn/brute-force.js";
import type { Graph } from "../types.js";
import { connectivityEdges } from "./connectivity.js";
import { mergeReverseEdges } from "./merge.js";
import { optimize } from "./optimize.js";
import { INVALID_NODE } from "./validate.js";

const X = INVALID_NODE;

/** The first `counts[i]` ids of each row, as sets of "i-j" pairs. */
function edgesOf(rows: Uint32Array, counts: Uint32Array, degree: number): Set<string> {
  const edges = new Set<string>();
  counts.forEach((count, i) => {
    for (let k = 0; k < count; k++) edges.add(`${i}-${rows[i * degree + k]}`);
  });
  return edges;
}

test("connectivityEdges: two kNN cliques become one tree, every link listed at both ends", () => {
  // Nodes 0–7 and 8–15 only know each other: the kNN graph (degree 7) has two components.
  const n = 16;
  const knn: Graph = {
    neighbors: Uint32Array.from({ length: n * 7 }, (_, e) => {
      const i = Math.floor(e / 7);
      const group = i < 8 ? 0 : 8;
      return group + ((i - group + 1 + (e % 7)) % 8);
    }),
    size: n,
    degree: 7,
  };
  const degree = 4;
  const mst = connectivityEdges(knn, degree);
  assert.equal(mst.components, 1);
  const edges = edgesOf(mst.neighbors, mst.counts, degree);
  for (const e of edges) {
    const [a, b] = e.split("-");
    assert.ok(edges.has(`${b}-${a}`), `${e} has no reverse`);
  }
  // A tree over 16 nodes needs 15 links; the rounds may add a few more.
  assert.ok(edges.size >= 30, `${edges.size / 2} links`);
  mst.counts.forEach((count, i) => {
    const row = [...mst.neighbors.subarray(i * degree, (i + 1) * degree)];
    assert.ok(count >= 1 && count <= degree, `node ${i} has ${count} links`);
    assert.equal(new Set(row.slice(0, count)).size, count, `node ${i} repeats an id`);
    assert.ok(!row.includes(i), `node ${i} links to itself`);
    assert.ok(row.slice(count).every((v) => v === X));
  });
  const crosses = (e: string): boolean => {
    const [a, b] = e.split("-").map(Number);
    return a! < 8 !== b! < 8;
  };
  assert.ok([...edges].some(crosses));
});

test("optimize with guaranteeConnectivity: a clustered graph becomes one strongly connected component", async () => {
  // 12 tight clusters of ~50: a degree-16 kNN graph never leaves its cluster.
  const data = gaussianMixture({ rows: 600, dim: 16, clusters: 12, spread: 0.05, seed: 3 });
  const knn = await bruteForceKnn(data, data, 16, "sqeuclidean", { excludeSelf: true });
  const plain = await optimize(knn, 8);
  const connected = await optimize(knn, 8, { guaranteeConnectivity: true });
  assert.equal(stronglyConnectedComponents(plain).count, 12);
  assert.equal(stronglyConnectedComponents(connected).count, 1);
  // The links lead every list and survive the merge.
  const mst = connectivityEdges(knn, 8);
  mst.counts.forEach((count, i) => {
    assert.deepEqual(
      connected.neighbors.subarray(i * 8, i * 8 + count),
      mst.neighbors.subarray(i * 8, i * 8 + count),
      `node ${i}`,
    );
  });
  // Off, the result is cuVS's plain optimization, bit for bit.
  assert.deepEqual(await optimize(knn, 8, { guaranteeConnectivity: false }), plain);
});

test("mergeReverseEdges with protected edges equals cuVS's MST merge loop on random rows", () => {
  let s = 7;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
  for (const degree of [2, 3, 4, 7, 8, 16]) {
    const size = 40;
    const pruned = new Uint32Array(size * degree);
    const first = new Uint32Array(size * degree).fill(X);
    const counts = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      const ids = new Set<number>();
      while (ids.size < degree) ids.add(next() % size);
      pruned.set([...ids], i * degree);
      // Protected ids: some shared with the pruned row, up to the whole degree.
      const lead = new Set<number>();
      const count = next() % (degree + 1);
      while (lead.size < count)
        lead.add(next() % 3 === 0 ? [...ids][next() % degree]! : next() % size);
      first.set([...lead], i * degree);
      counts[i] = count;
    }
    const rev = Uint32Array.from({ length: size * degree }, () =>
      next() % 11 === 0 ? X : next() % size,
    );
    const revCounts = Uint32Array.from({ length: size }, () => next() % (2 * degree + 1));
    const graph = { neighbors: pruned, size, degree };
    const merged = mergeReverseEdges(
      graph,
      { neighbors: rev, counts: revCounts, size, degree },
      undefined,
      { neighbors: first, counts, size, degree, components: 1 },
    );
    assert.deepEqual(
      merged.neighbors,
      referenceMerge(graph, rev, revCounts, { neighbors: first, counts }),
      `degree ${degree}`,
    );
  }
});

test("the benchmark mixture's structure (clusters of ~100, 128-d, spread 0.3): G 16 and 32 graphs become one strongly connected component", async () => {
  // bench/cagra-data.ts's synthetic-100k at 5,000 rows: 50 clusters instead of 1,000.
  const data = gaussianMixture({ rows: 5000, dim: 128, clusters: 50, spread: 0.3, seed: 7 });
  const knn64 = await bruteForceKnn(data, data, 64, "sqeuclidean", {
    excludeSelf: true,
    threads: 2,
  });
  for (const g of [16, 32]) {
    // The first 2G ranks of the degree-64 kNN graph are the degree-2G kNN graph.
    const knn: Graph = {
      neighbors: Uint32Array.from({ length: 5000 * 2 * g }, (_, e) => {
        const i = Math.floor(e / (2 * g));
        return knn64.neighbors[i * 64 + (e % (2 * g))]!;
      }),
      size: 5000,
      degree: 2 * g,
    };
    const before = stronglyConnectedComponents(await optimize(knn, g)).count;
    const after = stronglyConnectedComponents(
      await optimize(knn, g, { guaranteeConnectivity: true }),
    ).count;
    assert.ok(before >= 50, `G ${g}: ${before} components without the links`);
    assert.equal(after, 1, `G ${g}`);
  }
});
