import assert from "node:assert/strict";
import { test } from "node:test";
import { detourCounts, MAX_DETOURS } from "./detour-count.js";
import { prune } from "./prune.js";
import { referenceDetourCounts, referencePrune } from "../../../test/cagra/optimize-reference.js";
import { siftKnn } from "../../../test/cagra/sift-knn.js";
import { INVALID_NODE } from "./validate.js";

const graph = (rows: number[][]) => ({
  neighbors: Uint32Array.from(rows.flat()),
  size: rows.length,
  degree: rows[0]!.length,
});

test("prune: fewest detours first, ties to the closer rank", () => {
  const knn = graph([
    [1, 2, 3],
    [0, 2, 3],
    [0, 1, 3],
    [0, 1, 2],
  ]);
  const counts = Uint16Array.from([3, 0, 0, 0, 2, 1, 5, 5, 5, 9, 0, 9]);
  // Node 0: (0,1) < (0,2) < (3,0) → [2, 3]. Node 1: (0,0) < (1,2) → [0, 3].
  // Node 2: all 5, ranks break the tie → [0, 1]. Node 3: (0,1) < (9,0) → [1, 0].
  assert.deepEqual([...prune(knn, counts, 2).neighbors], [2, 3, 0, 3, 0, 1, 1, 0]);
});

test("prune: a self-edge is kept only when nothing else is left", () => {
  const knn = graph([
    [0, 1],
    [0, 2],
    [1, 0],
  ]);
  // Node 0 [0, 1]: the self-edge starts at 2 (the degree), D = 0 (itself) lists 1 → rank 1
  // gets 1. Keys (2, 0) and (1, 1): 1 first, then the self-edge.
  const counts = detourCounts(knn);
  assert.deepEqual([...counts.subarray(0, 2)], [2, 1]);
  assert.deepEqual([...prune(knn, counts, 1).neighbors], [1, 0, 1]);
  assert.deepEqual([...prune(knn, counts, 2).neighbors.subarray(0, 2)], [1, 0]);
});

test("prune: every copy of a chosen id is masked", () => {
  const knn = graph([
    [1, 1, 2, 1],
    [0, 2, 0, 2],
    [0, 1, 1, 0],
  ]);
  const counts = new Uint16Array(12);
  // All counts 0: node 0 takes 1 (rank 0), skips its copies, then 2.
  assert.deepEqual([...prune(knn, counts, 2).neighbors], [1, 2, 0, 2, 0, 1]);
});

test("prune: running out of distinct valid neighbours names the node and the fix", () => {
  const knn = graph([
    [1, 2, 3],
    [2, 2, INVALID_NODE],
    [0, 1, 3],
    [0, 1, 2],
  ]);
  const counts = detourCounts(knn);
  assert.equal(counts[5], MAX_DETOURS);
  assert.throws(
    () => prune(knn, counts, 2),
    (e: Error) =>
      e instanceof RangeError &&
      /node 1 has only 1 distinct valid neighbours/.test(e.message) &&
      /raise intermediateGraphDegree or lower graphDegree/.test(e.message),
  );
});

test("prune: the detour counts must be those of the graph", () => {
  const knn = graph([
    [1, 2],
    [0, 2],
    [0, 1],
  ]);
  assert.throws(() => prune(knn, new Uint16Array(5), 1), /detours holds 5 counts/);
});

test("prune matches cuVS's repeated-minimum selection on SIFT rows", () => {
  const knn = siftKnn(300, 48);
  const counts = referenceDetourCounts(knn);
  const expected = referencePrune(knn, counts, 24);
  assert.deepEqual(prune(knn, detourCounts(knn), 24).neighbors, expected);
});
