import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distanceRecall, euclideanFromSquared, idRecall } from "./recall.js";

describe("recall@k", () => {
  // Two queries, k = 3; the truth has 4 columns (ann-benchmarks keeps 100).
  const truth = {
    neighbors: [10, 11, 12, 13, 20, 21, 22, 23],
    distances: [1, 2, 3, 3, 0.5, 0.6, 0.7, 0.9],
    queries: 2,
    k: 4,
  };

  it("counts results within the true k-th distance + 1e-3, ties included (ann-benchmarks)", () => {
    // Query 0 returns 13 instead of 12: tied at distance 3, so a hit by distance, a miss by id.
    // Query 1 returns one result 0.0009 beyond the 3rd distance (a hit) and one 0.002 beyond.
    const result = {
      neighbors: [10, 11, 13, 20, 23, 99],
      distances: [1, 2, 3, 0.5, 0.7009, 0.702],
      queries: 2,
      k: 3,
    };
    assert.equal(distanceRecall(result, truth), 5 / 6);
    assert.equal(idRecall(result, truth), 3 / 6);
    assert.equal(distanceRecall(result, truth, { epsilon: 0.01 }), 1);
    assert.equal(distanceRecall(result, truth, { k: 1 }), 1);
  });

  it("counts an id returned twice once, and missing results (Infinity) as misses", () => {
    // Query 0 returns 10 twice, both within the 3rd true distance: one hit, not two; the third
    // missing (Infinity). Query 1 returns 21 twice and 20 once, all within it: two hits.
    const result = {
      neighbors: [10, 10, 99, 21, 20, 21],
      distances: [1, 1, Infinity, 0.6, 0.5, 0.6],
      queries: 2,
      k: 3,
    };
    assert.equal(idRecall(result, truth), 3 / 6);
    assert.equal(distanceRecall(result, truth), 3 / 6);
    // The same rows with distinct ids would score 5 / 6: the duplicates are what costs.
    const distinct = { ...result, neighbors: [10, 12, 99, 21, 20, 22] };
    assert.equal(distanceRecall(distinct, truth), 5 / 6);
  });

  it("checks shapes and converts squared L2", () => {
    const result = { neighbors: [1], distances: [1], queries: 1, k: 1 };
    assert.throws(
      () => distanceRecall(result, truth),
      /the result has 1 queries but the ground truth 2/,
    );
    assert.throws(
      () => idRecall({ ...result, queries: 2 }, truth, { k: 2 }),
      /needs ≥ 2 columns, but the result has 1/,
    );
    assert.deepEqual(euclideanFromSquared([4, 9, -1e-7]), new Float32Array([2, 3, 0]));
  });
});
