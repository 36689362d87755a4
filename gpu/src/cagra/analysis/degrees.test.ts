import assert from "node:assert/strict";
import { test } from "node:test";
import { INVALID_NODE } from "../optimize/validate.js";
import { degrees, degreeStats } from "./degrees.js";

const X = INVALID_NODE;

test("degrees: out-degree counts real edges, in-degree the lists pointing at a node", () => {
  const graph = { neighbors: Uint32Array.from([1, 2, 2, X, 0, 1, 0, X]), size: 4, degree: 2 };
  // 0 → 1, 2; 1 → 2; 2 → 0, 1; 3 → 0.
  const { outDegree, inDegree } = degrees(graph);
  assert.deepEqual([...outDegree], [2, 1, 2, 1]);
  assert.deepEqual([...inDegree], [2, 2, 2, 0]);
  const stats = degreeStats(graph);
  assert.deepEqual(stats.out, {
    n: 4,
    min: 1,
    max: 2,
    mean: 1.5,
    histogram: { start: 0, binWidth: 1, counts: [0, 2, 2] },
  });
  assert.deepEqual(stats.in, {
    n: 4,
    min: 0,
    max: 2,
    mean: 1.5,
    histogram: { start: 0, binWidth: 1, counts: [1, 0, 3] },
  });
});

test("degrees: rejects ids out of range", () => {
  const graph = { neighbors: Uint32Array.from([1, 5]), size: 2, degree: 1 };
  assert.throws(() => degrees(graph), /node 1, rank 0 is 5, but ids must be < 2/);
});
