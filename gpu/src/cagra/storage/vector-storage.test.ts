import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { decodeVectors, encodeVectors, storageBytes } from "./vector-storage.js";

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
  assert.equal(s.scale[2], 0); // a constant column
  const back = decodeVectors(s).data;
  for (let i = 0; i < m.data.length; i++) {
    const step = s.scale[i % 3]!;
    assert.ok(Math.abs(back[i]! - m.data[i]!) <= step / 2 + 1e-4, `element ${i}`);
  }
});

test("int8 storage refuses non-finite values, naming the row and column", () => {
  const bad = matrix(new Float32Array([1, NaN]), 1, 2);
  assert.throws(() => encodeVectors(bad, "int8"), /row 0, column 1 is NaN/);
});

test("an unknown kind is refused with the kinds that exist", () => {
  assert.throws(() => encodeVectors(m, "f8" as "f16"), /f32, f16, int8/);
});
