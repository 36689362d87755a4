import assert from "node:assert/strict";
import { test } from "node:test";
import { bruteForceKnn } from "../cagra/knn/brute-force.js";
import { matrix } from "../common/matrix.js";
import { groundTruth } from "./ground-truth.js";
import { idRecall } from "./recall.js";

const dataset = matrix(Float32Array.from([1, 0, 0, 1, 2, 2, -1, 0]), 4, 2);
const queries = matrix(Float32Array.from([1, 1, 0, -3]), 2, 2);

test("groundTruth reports +dot for inner product, largest first", async () => {
  const truth = await groundTruth(dataset, queries, 2, "inner_product");
  assert.equal(truth.queries, 2);
  assert.equal(truth.k, 2);
  // [1,1]·[2,2] = 4, then 1 for ids 0 and 1 (the tie goes to 0); [0,−3]: 0 for ids 0 and 3.
  assert.deepEqual([...truth.neighbors], [2, 0, 0, 3]);
  assert.deepEqual(
    Array.from(truth.distances, (d) => d + 0), // + 0 folds −0 into 0
    [4, 1, 0, 0],
  );
});

test("groundTruth reports squared L2 as searched, and equals brute force ids", async () => {
  const truth = await groundTruth(dataset, queries, 3, "sqeuclidean");
  const knn = await bruteForceKnn(dataset, queries, 3, "sqeuclidean");
  assert.deepEqual(truth.neighbors, knn.neighbors);
  assert.deepEqual(truth.distances, knn.distances);
  assert.deepEqual([...truth.distances.subarray(0, 3)], [1, 1, 2]);
  assert.equal(idRecall(truth, truth, { k: 3 }), 1);
});

test("groundTruth rejects a k larger than the dataset", async () => {
  await assert.rejects(groundTruth(dataset, queries, 5, "cosine"), /k = 5 exceeds the 4/);
});
