import assert from "node:assert/strict";
import { test } from "node:test";
import { reverseGraph } from "./reverse-graph.js";
import { INVALID_NODE } from "./validate.js";

const X = INVALID_NODE;

test("reverseGraph: ordered by the edge's rank at its source, then by source id", () => {
  const pruned = {
    neighbors: Uint32Array.from(
      [
        [3, 1], // 0
        [3, 0], // 1
        [0, 3], // 2
        [2, 1], // 3
      ].flat(),
    ),
    size: 4,
    degree: 2,
  };
  // Rank 0: 0→3, 1→3, 2→0, 3→2. Rank 1: 0→1, 1→0, 2→3 (3 already full: dropped), 3→1.
  const rev = reverseGraph(pruned);
  assert.deepEqual([...rev.neighbors], [2, 1, 0, 3, 3, X, 0, 1]);
  assert.deepEqual([...rev.counts], [2, 2, 1, 3]);
});

test("reverseGraph: skips ids ≥ size", () => {
  const pruned = { neighbors: Uint32Array.from([1, X, 0, X]), size: 2, degree: 2 };
  const rev = reverseGraph(pruned);
  assert.deepEqual([...rev.neighbors], [1, X, 0, X]);
  assert.deepEqual([...rev.counts], [1, 1]);
});
