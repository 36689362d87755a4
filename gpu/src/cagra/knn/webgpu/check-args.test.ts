import { test } from "node:test";
import assert from "node:assert/strict";
import { matrix, type Matrix } from "../../../common/matrix.js";
import type { Metric } from "../../types.js";
import { checkKnnArgs } from "./check-args.js";

const rows = (n: number, cols = 4): Matrix =>
  matrix(
    Float32Array.from({ length: n * cols }, (_, i) => i % 7),
    n,
    cols,
  );

test("valid arguments pass, k up to N, or N − 1 without self", () => {
  const data = rows(10);
  checkKnnArgs(data, data, 10, "sqeuclidean", false);
  checkKnnArgs(data, data, 9, "cosine", true);
  checkKnnArgs(data, rows(0), 3, "inner_product", false);
  checkKnnArgs(rows(300), rows(5), 256, "sqeuclidean", false);
});

test("the checks every exact kNN makes apply, named after this function", () => {
  const data = rows(10);
  assert.throws(() => checkKnnArgs(data, data, 10, "sqeuclidean", true), {
    name: "RangeError",
    message: /^bruteForceKnnWebGpu: k = 10 exceeds the 9 candidate rows/,
  });
  assert.throws(() => checkKnnArgs(data, rows(3, 5), 2, "sqeuclidean", false), {
    name: "RangeError",
    message: /^bruteForceKnnWebGpu: queries have 5 columns but the dataset has 4/,
  });
  assert.throws(() => checkKnnArgs(data, rows(3), 2, "l1" as Metric, false), TypeError);
  const queries = rows(3);
  queries.data[5] = Number.NaN;
  assert.throws(() => checkKnnArgs(data, queries, 2, "cosine", false), {
    message: /^bruteForceKnnWebGpu: queries: row 1, column 1 is NaN/,
  });
});

test("k above the top-k kernel's 256 says to lower it or use the CPU", () => {
  const data = rows(300);
  assert.throws(() => checkKnnArgs(data, data, 257, "sqeuclidean", true), {
    name: "RangeError",
    message: /k = 257 exceeds 256, .*use k ≤ 256 .* or the CPU brute force/,
  });
});

test("values large enough to overflow an f32 distance are rejected, except for cosine", () => {
  const data = rows(10);
  // 4 dimensions: a difference of up to 2 · 5e18 squared, times 4, passes 3.4e38; a dot
  // product of up to 4 · (5e18)² = 1e38 does not.
  data.data[7] = 5e18;
  assert.throws(() => checkKnnArgs(data, data, 2, "sqeuclidean", false), {
    name: "RangeError",
    message: /dataset: row 1, column 3 is 4999\d+; .* beyond ±4\.61e\+18 .* scale the data down/,
  });
  checkKnnArgs(data, data, 2, "inner_product", false);
  checkKnnArgs(data, data, 2, "cosine", false);
  data.data[7] = 1e19;
  assert.throws(() => checkKnnArgs(data, data, 2, "inner_product", false), /beyond ±9\.22e\+18/);
});
