import assert from "node:assert/strict";
import { test } from "node:test";
import { niceTicks } from "./ticks.js";

test("niceTicks picks 1-2-5 steps and exact decimal values", () => {
  assert.deepEqual(niceTicks(0, 1, 5), {
    step: 0.2,
    values: [0, 0.2, 0.4, 0.6, 0.8, 1],
    decimals: 1,
  });
  assert.deepEqual(niceTicks(0, 0.3, 3).values, [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(0, 1000, 5), {
    step: 200,
    values: [0, 200, 400, 600, 800, 1000],
    decimals: 0,
  });
  assert.deepEqual(niceTicks(3, 47, 4), { step: 10, values: [10, 20, 30, 40], decimals: 0 });
  assert.deepEqual(niceTicks(0, 7, 2).values, [0, 5]);
});

test("niceTicks survives an empty range", () => {
  assert.deepEqual(niceTicks(5, 5, 5).values, [5]);
  assert.deepEqual(niceTicks(0, 0, 5).values, [0]);
});
