import { test } from "node:test";
import assert from "node:assert/strict";
import { matrix } from "../../../common/matrix.js";
import { encodeVectors } from "../../storage/vector-storage.js";
import { deviceQueries, deviceRows } from "./stored-rows.js";

// 2 rows of 5 values: rows pad to 8 values (dimV 2).
const m = matrix(new Float32Array([1, -2, 3, 0.5, 4, -1, 0, 2, 8, -4]), 2, 5);

test("f32 and f16 rows are zero-padded to whole vec4s, in their own element size; whole rows are not copied", () => {
  const aligned = matrix(new Float32Array(8), 2, 4);
  assert.equal(deviceRows(encodeVectors(aligned, "f32"), 1).buffer, aligned.data.buffer);
  const f32 = new Float32Array(deviceRows(encodeVectors(m, "f32"), 2).buffer);
  assert.deepEqual([...f32], [1, -2, 3, 0.5, 4, 0, 0, 0, -1, 0, 2, 8, -4, 0, 0, 0]);
  const f16 = encodeVectors(m, "f16");
  const halves = new Uint16Array(deviceRows(f16, 2).buffer);
  assert.equal(halves.length, 16);
  assert.deepEqual([...halves.subarray(0, 5)], [...f16.data.subarray(0, 5)]);
  assert.deepEqual([...halves.subarray(5, 8)], [0, 0, 0]);
  assert.deepEqual([...halves.subarray(8, 13)], [...f16.data.subarray(5, 10)]);
});

test("int8 rows: codes padded to 8 a row, then the column scales (zero-padded) as f32", () => {
  const s = encodeVectors(m, "int8");
  if (s.kind !== "int8") throw new Error("int8 expected");
  const bytes = deviceRows(s, 2);
  assert.equal(bytes.byteLength, 2 * 8 + 8 * 4);
  const codes = new Int8Array(bytes.buffer, 0, 16);
  assert.deepEqual([...codes.subarray(0, 5)], [...s.data.subarray(0, 5)]);
  assert.deepEqual([...codes.subarray(5, 8)], [0, 0, 0]);
  assert.deepEqual([...codes.subarray(8, 13)], [...s.data.subarray(5, 10)]);
  assert.deepEqual([...new Float32Array(bytes.buffer, 16, 8)], [...s.scale, 0, 0, 0]);
});

test("queries: padded; int8 L2 subtracts the column offsets, int8 dot products get Σ q·offset", () => {
  const q = matrix(new Float32Array([1, 2, 3, 4, 5]), 1, 5);
  const plain = deviceQueries(q, encodeVectors(m, "f16"), "sqeuclidean", 2);
  assert.deepEqual([...plain.data], [1, 2, 3, 4, 5, 0, 0, 0]);
  assert.equal(plain.shift, undefined);
  const s = encodeVectors(m, "int8");
  if (s.kind !== "int8") throw new Error("int8 expected");
  const l2 = deviceQueries(q, s, "sqeuclidean", 2);
  const less = [...q.data].map((x, c) => Math.fround(x - s.offset[c]!));
  assert.deepEqual([...l2.data], [...less, 0, 0, 0]);
  assert.equal(l2.shift, undefined);
  const dot = deviceQueries(q, s, "inner_product", 2);
  assert.deepEqual([...dot.data], [1, 2, 3, 4, 5, 0, 0, 0]);
  const shift = [...q.data].reduce((sum, x, c) => sum + x * s.offset[c]!, 0);
  assert.deepEqual([...dot.shift!], [shift]);
});
