import assert from "node:assert/strict";
import { test } from "node:test";
import { INVALID_NODE } from "../optimize/validate.js";
import { twoHopReach } from "./two-hop.js";

const X = INVALID_NODE;

// 0 → 1, 2; 1 → 2, 3; 2 → 0, 3; 3 → 4; 4 → 0.
const GRAPH = {
  neighbors: Uint32Array.from([1, 2, 2, 3, 0, 3, 4, X, 0, X]),
  size: 5,
  degree: 2,
};

test("twoHopReach: distinct nodes within two hops, self excluded", () => {
  // 0: {1,2} ∪ {2,3} ∪ {0,3} − 0 = {1,2,3}          → 3
  // 1: {2,3} ∪ {0,3} ∪ {4}                          → 4
  // 2: {0,3} ∪ {1,2} ∪ {4} − 2 = {0,1,3,4}          → 4
  // 3: {4} ∪ {0}                                     → 2
  // 4: {0} ∪ {1,2}                                   → 3
  const r = twoHopReach(GRAPH);
  assert.deepEqual([...r.nodes], [0, 1, 2, 3, 4]);
  assert.deepEqual([...r.reach], [3, 4, 4, 2, 3]);
  assert.equal(r.min, 2);
  assert.equal(r.max, 4);
  assert.equal(r.mean, 3.2);
  assert.deepEqual(r.histogram.counts, [0, 0, 1, 2, 2]);
});

test("twoHopReach: a seeded sample measures distinct nodes, the same for the same seed", () => {
  const full = twoHopReach(GRAPH);
  const a = twoHopReach(GRAPH, { sample: 3, seed: 7 });
  const b = twoHopReach(GRAPH, { sample: 3, seed: 7 });
  assert.equal(a.nodes.length, 3);
  assert.equal(new Set(a.nodes).size, 3);
  assert.deepEqual(
    [...a.nodes],
    [...a.nodes].sort((x, y) => x - y),
  );
  assert.deepEqual(a.nodes, b.nodes);
  assert.deepEqual(
    [...a.reach],
    [...a.nodes].map((v) => full.reach[v]),
  );
  assert.deepEqual(twoHopReach(GRAPH, { sample: 9 }).nodes, full.nodes);
  assert.throws(() => twoHopReach(GRAPH, { sample: -1 }), /sample must be a non-negative integer/);
});

test("twoHopReach: seeds spread over the graph", () => {
  // 10 samples of 50 from 1000 nodes with different seeds should not all coincide.
  const size = 1000;
  const neighbors = Uint32Array.from({ length: size }, (_, i) => (i + 1) % size);
  const picks = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    picks.add(twoHopReach({ neighbors, size, degree: 1 }, { sample: 50, seed }).nodes.join());
  }
  assert.equal(picks.size, 10);
});
