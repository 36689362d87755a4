import assert from "node:assert/strict";
import { test } from "node:test";
import type { Graph } from "../types.js";
import { detourCounts } from "./detour-count.js";
import { mergeReverseEdges } from "./merge.js";
import { optimize } from "./optimize.js";
import { prune } from "./prune.js";
import { reverseGraph } from "./reverse-graph.js";
import { referenceMerge } from "../../../test/cagra/optimize-reference.js";
import { siftKnn } from "../../../test/cagra/sift-knn.js";
import { INVALID_NODE } from "./validate.js";

const rowsOf = (g: Graph) =>
  Array.from({ length: g.size }, (_, i) => [
    ...g.neighbors.subarray(i * g.degree, (i + 1) * g.degree),
  ]);

/*
 * A hand-made kNN graph, N = 6, I = 4 (rows are rank lists: column = rank), optimized to G = 3.
 *
 * 1. Detour counts. For A, every D at rank kAD < 3 and every B in D's list: if A lists B at a
 *    rank kAB > kAD, that rank gets +1.
 *    A=0 [1,2,3,4]: D=1 [0,2,5,3]: 2→r1, 3→r2. D=2 [1,0,3,5]: 3→r2. D=3 [4,2,0,5]: 4→r3.
 *        → [0,1,2,1]
 *    A=1 [0,2,5,3]: D=0 [1,2,3,4]: 2→r1, 3→r3. D=2 [1,0,3,5]: 3→r3, 5→r2. D=5 [4,3,1,2]: 3→r3.
 *        → [0,1,1,3]
 *    A=2 [1,0,3,5]: D=1 [0,2,5,3]: 0→r1, 5→r3, 3→r2. D=0 [1,2,3,4]: 3→r2. D=3 [4,2,0,5]: 5→r3
 *        (0 is at r1 ≤ 2: no). → [0,1,2,2]
 *    A=3 [4,2,0,5]: D=4 [3,5,0,1]: 5→r3, 0→r2. D=2 [1,0,3,5]: 0→r2, 5→r3. D=0 [1,2,3,4]:
 *        2 (r1) and 4 (r0) are not after r2. → [0,0,2,2]
 *    A=4 [3,5,0,1]: D=3 [4,2,0,5]: 0→r2, 5→r1. D=5 [4,3,1,2]: 1→r3. D=0 [1,2,3,4]: 1→r3.
 *        → [0,1,1,2]
 *    A=5 [4,3,1,2]: D=4 [3,5,0,1]: 3→r1, 1→r2. D=3 [4,2,0,5]: 2→r3. D=1 [0,2,5,3]: 2→r3.
 *        → [0,1,1,2]
 * 2. Prune to 3: ascending (count, rank). Node 0: (0,r0)=1, (1,r1)=2, (1,r3)=4 — the edge to 3
 *    (rank 2, two detours) loses to the farther 4. Node 3: (0,r0)=4, (0,r1)=2, (2,r2)=0.
 *    P = [1,2,4] [0,2,5] [1,0,3] [4,2,0] [3,5,0] [4,3,1]
 * 3. Reverse graph, rank 0 first, sources ascending within a rank:
 *    rank 0: 0→1, 1→0, 2→1, 3→4, 4→3, 5→4
 *    rank 1: 0→2, 1→2, 2→0, 3→2, 4→5, 5→3
 *    rank 2: 0→4, 1→5, 2→3, 3→0, 4→0 (node 0 already has 3: dropped, count 4), 5→1
 *    R = [1,2,3] [0,2,5] [0,1,3] [4,5,2] [3,5,0] [4,1,–], counts [4,3,3,3,3,2]
 * 4. Merge, protected = 1: visit R[A] from its last kept entry; move or insert it at position 1.
 *    A=0 [1,2,4]: 3 absent → [1,3,2]; 2 at pos 2 → [1,2,3]; 1 protected. → [1,2,3]
 *    A=1 [0,2,5]: 5 → [0,5,2]; 2 → [0,2,5]; 0 protected.                → [0,2,5]
 *    A=2 [1,0,3]: 3 → [1,3,0]; 1 protected; 0 → [1,0,3].                → [1,0,3]
 *    A=3 [4,2,0]: 2 at pos 1 stays; 5 absent → [4,5,2] (0 dropped); 4.   → [4,5,2]
 *    A=4 [3,5,0]: 0 → [3,0,5]; 5 → [3,5,0]; 3 protected.                → [3,5,0]
 *    A=5 [4,3,1]: 1 → [4,1,3]; 4 protected.                             → [4,1,3]
 */
const HAND_KNN: Graph = {
  neighbors: Uint32Array.from(
    [
      [1, 2, 3, 4],
      [0, 2, 5, 3],
      [1, 0, 3, 5],
      [4, 2, 0, 5],
      [3, 5, 0, 1],
      [4, 3, 1, 2],
    ].flat(),
  ),
  size: 6,
  degree: 4,
};

test("optimize: a hand-computed example, every step", async () => {
  const counts = detourCounts(HAND_KNN);
  assert.deepEqual(rowsOf({ neighbors: Uint32Array.from(counts), size: 6, degree: 4 }), [
    [0, 1, 2, 1],
    [0, 1, 1, 3],
    [0, 1, 2, 2],
    [0, 0, 2, 2],
    [0, 1, 1, 2],
    [0, 1, 1, 2],
  ]);
  const pruned = prune(HAND_KNN, counts, 3);
  assert.deepEqual(rowsOf(pruned), [
    [1, 2, 4],
    [0, 2, 5],
    [1, 0, 3],
    [4, 2, 0],
    [3, 5, 0],
    [4, 3, 1],
  ]);
  const rev = reverseGraph(pruned);
  assert.deepEqual(rowsOf(rev), [
    [1, 2, 3],
    [0, 2, 5],
    [0, 1, 3],
    [4, 5, 2],
    [3, 5, 0],
    [4, 1, INVALID_NODE],
  ]);
  assert.deepEqual([...rev.counts], [4, 3, 3, 3, 3, 2]);
  const expected = [
    [1, 2, 3],
    [0, 2, 5],
    [1, 0, 3],
    [4, 5, 2],
    [3, 5, 0],
    [4, 1, 3],
  ];
  assert.deepEqual(rowsOf(mergeReverseEdges(pruned, rev)), expected);
  const graph = await optimize(HAND_KNN, 3);
  assert.equal(graph.size, 6);
  assert.equal(graph.degree, 3);
  assert.deepEqual(rowsOf(graph), expected);
});

test("optimize: rejects bad degrees, bad ids and bad thread counts", async () => {
  await assert.rejects(optimize(HAND_KNN, 5), /graphDegree 5 exceeds the kNN graph's degree 4/);
  await assert.rejects(optimize(HAND_KNN, 0), /graphDegree must be an integer ≥ 1, got 0/);
  await assert.rejects(optimize(HAND_KNN, 1.5), RangeError);
  const badId = { ...HAND_KNN, neighbors: HAND_KNN.neighbors.slice() };
  badId.neighbors[9] = 6;
  await assert.rejects(optimize(badId, 2), /node 2, rank 1 is 6, but ids must be < 6/);
  const short = { ...HAND_KNN, neighbors: HAND_KNN.neighbors.subarray(1) };
  await assert.rejects(optimize(short, 2), /needs 24 ids, but neighbors holds 23/);
  await assert.rejects(optimize(HAND_KNN, 2, { threads: 0 }), /threads must be an integer ≥ 1/);
});

test("optimize: too few distinct neighbours names the node and what to do", async () => {
  const knn = { ...HAND_KNN, neighbors: HAND_KNN.neighbors.slice() };
  knn.neighbors.set([2, 2, INVALID_NODE, 2], 8); // node 2 keeps one usable neighbour
  await assert.rejects(
    optimize(knn, 2),
    /node 2 has only 1 distinct valid neighbours .* raise intermediateGraphDegree or lower graphDegree/,
  );
});

test("optimize: reports progress and stops on abort", async () => {
  const knn = siftKnn(300, 32);
  const seen: number[] = [];
  await optimize(knn, 16, { onProgress: (p) => seen.push(p.done) });
  assert.equal(seen.at(-1), 300);
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(optimize(knn, 16, { signal: controller.signal }), /stop/);
});

/** A graph of `degree` distinct random ids per row (no self-edges): 2+ batches of rows. */
function randomGraph(size: number, degree: number, seed: number): Graph {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const neighbors = new Uint32Array(size * degree);
  for (let i = 0; i < size; i++) {
    const row = new Set<number>();
    while (row.size < degree) {
      const j = next() % size;
      if (j !== i) row.add(j);
    }
    neighbors.set([...row], i * degree);
  }
  return { neighbors, size, degree };
}

test("optimize: worker threads give the same graph as one thread", async () => {
  const knn = randomGraph(3000, 24, 7);
  const one = await optimize(knn, 12);
  const done: number[] = [];
  const two = await optimize(knn, 12, { threads: 2, onProgress: (p) => done.push(p.done) });
  assert.deepEqual(two.neighbors, one.neighbors);
  assert.equal(done.at(-1), 3000);
});

test("optimize: an abort during the run stops it, with or without workers", async () => {
  const knn = randomGraph(3000, 24, 8);
  for (const threads of [1, 2]) {
    const controller = new AbortController();
    const stop = () => controller.abort(new Error(`stopped (${threads})`));
    await assert.rejects(
      optimize(knn, 12, { threads, signal: controller.signal, onProgress: stop }),
      new RegExp(`stopped \\(${threads}\\)`),
    );
  }
});

test("optimize on SIFT (1000 rows, I = 128 → G = 64): a valid CAGRA graph", async (t) => {
  const knn = siftKnn(1000, 128);
  const g = 64;
  const graph = await optimize(knn, g);
  const pruned = prune(knn, detourCounts(knn), g);
  const rev = reverseGraph(pruned);
  assert.deepEqual(graph.neighbors, mergeReverseEdges(pruned, rev).neighbors);
  assert.deepEqual(graph.neighbors, referenceMerge(pruned, rev.neighbors, rev.counts));
  let reverseOnly = 0;
  const inPruned = (a: number, b: number) =>
    pruned.neighbors.subarray(a * g, (a + 1) * g).includes(b);
  for (let i = 0; i < graph.size; i++) {
    const row = graph.neighbors.subarray(i * g, (i + 1) * g);
    assert.ok(!row.includes(i), `node ${i} has a self-edge`);
    assert.equal(new Set(row).size, g, `node ${i} has a duplicate`);
    assert.ok(
      row.every((v) => v < graph.size),
      `node ${i} has an id ≥ N`,
    );
    assert.deepEqual(row.subarray(0, g / 2), pruned.neighbors.subarray(i * g, i * g + g / 2));
    for (const v of row) {
      // Every edge is a pruned edge or the reverse of one.
      assert.ok(inPruned(i, v) || inPruned(v, i), `edge ${i}→${v} comes from nowhere`);
      if (!inPruned(i, v)) reverseOnly++;
    }
  }
  t.diagnostic(`reverse edges added: ${(reverseOnly / graph.size).toFixed(2)} per node`);
  assert.ok(reverseOnly > 0);
});
