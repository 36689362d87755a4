import assert from "node:assert/strict";
import { test } from "node:test";
import { distribution } from "./distribution.js";

test("distribution: one bin per value when they fit", () => {
  assert.deepEqual(distribution([1, 2, 2, 4]), {
    n: 4,
    min: 1,
    max: 4,
    mean: 2.25,
    histogram: { start: 0, binWidth: 1, counts: [0, 1, 2, 0, 1] },
  });
});

test("distribution: wider bins over [0, max] when there are more values than bins", () => {
  // max 9 in at most 4 bins → width ⌈10 / 4⌉ = 3: [0,3) [3,6) [6,9) [9,12).
  const d = distribution([0, 2, 3, 5, 8, 9, 9], 4);
  assert.deepEqual(d.histogram, { start: 0, binWidth: 3, counts: [2, 2, 1, 2] });
});

test("distribution: empty input", () => {
  assert.deepEqual(distribution([]), {
    n: 0,
    min: 0,
    max: 0,
    mean: 0,
    histogram: { start: 0, binWidth: 1, counts: [] },
  });
});
