import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { decodeVectors, defaultStorage, encodeVectors, storageBytes } from "./vector-storage.js";

const m = matrix(new Float32Array([0, -2, 10, 0.1, 3, 10, 255, 1.5, 10]), 3, 3);

test("f32 storage wraps the data without copying", () => {
  const s = encodeVectors(m, "f32");
  assert.equal(s.data, m.data);
  assert.equal(decodeVectors(s).data, m.data);
  assert.equal(storageBytes(s), 36);
});

test("f16 storage takes half the bytes and decodes to the half-precision values", () => {
  const s = encodeVectors(m, "f16");
  assert.equal(s.kind, "f16");
  assert.equal(storageBytes(s), 18);
  const back = decodeVectors(s).data;
  for (let i = 0; i < m.data.length; i++) {
    assert.ok(Math.abs(back[i]! - m.data[i]!) <= Math.abs(m.data[i]!) * 2 ** -11, `element ${i}`);
  }
  assert.equal(back[3], 0.0999755859375); // 0.1 rounded to half precision
});

test("int8 storage maps each column's range onto [-127, 127] within half a step", () => {
  const s = encodeVectors(m, "int8");
  assert.equal(s.kind, "int8");
  if (s.kind !== "int8") return;
  assert.equal(storageBytes(s), 9 + 2 * 12);
  assert.deepEqual([...s.data.subarray(0, 3)], [-127, -127, 0]);
  assert.deepEqual([...s.data.subarray(3, 9)], [-127, 127, 0, 127, 51, 0]);
  assert.equal(s.scale[2], 1); // a constant column of integers, kept exactly
  const back = decodeVectors(s).data;
  for (let i = 0; i < m.data.length; i++) {
    const step = s.scale[i % 3]!;
    assert.ok(Math.abs(back[i]! - m.data[i]!) <= step / 2 + 1e-4, `element ${i}`);
  }
});

test("int8 storage keeps integer columns that span at most 254 exactly, with scale 1", () => {
  // Column 0 spans 254 and column 1 a constant (both exact); column 2 spans 255 and column 3
  // holds a fraction (both quantized as before).
  const bytes = matrix(new Float32Array([0, 7, 0, 1, 254, 7, 255, 2.5, 100, 7, 3, 2]), 3, 4);
  const s = encodeVectors(bytes, "int8");
  if (s.kind !== "int8") return assert.fail("not int8");
  assert.deepEqual([...s.scale], [1, 1, 255 / 254, 1.5 / 254].map(Math.fround));
  assert.deepEqual([...s.offset.subarray(0, 2)], [127, 7]);
  assert.deepEqual([...s.data.subarray(0, 2)], [-127, 0]);
  assert.deepEqual([...s.data.subarray(4, 6)], [127, 0]);
  const back = decodeVectors(s).data;
  for (const i of [0, 1, 4, 5, 8, 9]) assert.equal(back[i], bytes.data[i], `element ${i}`);
  assert.notEqual(back[10], bytes.data[10]); // steps of 255 / 254: 3 comes back as 3.012
});

test("int8 storage refuses non-finite values, naming the row and column", () => {
  const bad = matrix(new Float32Array([1, NaN]), 1, 2);
  assert.throws(() => encodeVectors(bad, "int8"), /row 0, column 1 is NaN/);
});

test("an unknown kind is refused with the kinds that exist", () => {
  assert.throws(() => encodeVectors(m, "f8" as "f16"), /f32, f16, int8/);
});

test("defaultStorage: exact int8 for integer columns spanning at most 254 under squared L2, else none", () => {
  const bytes = matrix(new Float32Array([0, 7, 254, 7, 100, 7]), 3, 2);
  const s = defaultStorage(bytes, "sqeuclidean");
  assert.equal(s?.kind, "int8");
  assert.deepEqual(decodeVectors(s!).data, bytes.data);
  // A fraction, a column spanning 255, or a dot-product metric: the f32 rows are read.
  assert.equal(defaultStorage(m, "sqeuclidean"), undefined);
  assert.equal(defaultStorage(matrix(new Float32Array([0, 255]), 2, 1), "sqeuclidean"), undefined);
  assert.equal(defaultStorage(bytes, "inner_product"), undefined);
  assert.equal(defaultStorage(bytes, "cosine"), undefined);
  assert.equal(defaultStorage(matrix(new Float32Array(0), 0, 2), "sqeuclidean"), undefined);
});
