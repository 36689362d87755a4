import assert from "node:assert/strict";
import { test } from "node:test";
import { stepArea, stepLine } from "./path.js";

test("stepArea outlines a step band: top edge forward, bottom edge back", () => {
  assert.equal(stepArea([0, 10, 20], [0, 0], [5, 8]), "M0 5L10 5L10 8L20 8L20 0L0 0Z");
});

test("stepLine merges equal steps and rounds to 0.1 px", () => {
  assert.equal(stepLine([0, 10, 20, 30], [5, 5, 7.04]), "M0 5L20 5L20 7L30 7");
});

test("paths collapse many sub-pixel steps at one x to the first and last point", () => {
  const edges = [0, 0.01, 0.02, 0.03, 10];
  assert.equal(stepLine(edges, [1, 9, 2, 4]), "M0 1L0 4L10 4");
});
