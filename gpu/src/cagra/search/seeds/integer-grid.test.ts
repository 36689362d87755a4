import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../../common/matrix.js";
import { gaussianMixture } from "../../../datasets/synthetic.js";
import { encodeVectors } from "../../storage/vector-storage.js";
import { integerGrid, onGrid } from "./integer-grid.js";

const sample = gaussianMixture({ rows: 500, dim: 16, clusters: 10, spread: 0.3, seed: 3 });

test("integerGrid: one step, the widest column's range over 254; centres in the middle of each range", () => {
  const m = matrix(Float32Array.from([0, 10, 4, 2, 10, 2, -1, 6]), 4, 2);
  const grid = integerGrid(m);
  assert.equal(grid.step, 11 / 254); // column 0 spans [−1, 10]
  assert.deepEqual([...grid.centre], [4.5, 6]);
  assert.equal(integerGrid(matrix(new Float32Array(6).fill(3), 3, 2)).step, 1);
});

test("onGrid: the sample becomes integers within ±127, stored exactly by int8", () => {
  const grid = integerGrid(sample);
  const gridded = onGrid(sample, grid);
  assert.ok(
    gridded.data.every((v) => Number.isInteger(v) && Math.abs(v) <= 127 && !Object.is(v, -0)),
  );
  const storage = encodeVectors(gridded, "int8");
  assert.ok(storage.kind === "int8" && storage.scale.every((s) => s === 1));
});

test("onGrid: distances on the grid are the true ones over step², up to the rounding", () => {
  const grid = integerGrid(sample);
  const gridded = onGrid(sample, grid);
  const { cols } = sample;
  const squared = (data: Float32Array, a: number, b: number) => {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (data[a * cols + c]! - data[b * cols + c]!) ** 2;
    return s;
  };
  // Each coordinate moves by at most half a step: the distance by at most √cols steps.
  for (const [a, b] of [
    [0, 1],
    [0, 250],
    [17, 499],
    [100, 300],
  ] as const) {
    const truth = Math.sqrt(squared(sample.data, a, b)) / grid.step;
    const onIt = Math.sqrt(squared(gridded.data, a, b));
    assert.ok(Math.abs(onIt - truth) <= Math.sqrt(cols), `rows ${a}, ${b}: ${onIt} vs ${truth}`);
  }
});

test("onGrid: a query far outside the sample stays finite and integral (clamped to ±2^24)", () => {
  const grid = integerGrid(matrix(Float32Array.from([0, 1e-30]), 2, 1));
  const far = onGrid(matrix(Float32Array.from([1e30, -1e30, 5e-31]), 3, 1), grid);
  assert.deepEqual([...far.data], [2 ** 24, -(2 ** 24), 0]);
});
