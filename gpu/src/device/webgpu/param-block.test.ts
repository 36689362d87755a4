import { test } from "node:test";
import assert from "node:assert/strict";
import { paramBlock } from "./param-block.js";

const offsets = (b: { fields: readonly { name: string; offset: number }[] }) =>
  Object.fromEntries(b.fields.map((f) => [f.name, f.offset]));

test("scalars follow each other 4 bytes apart; the struct is not padded past its 4-byte alignment", () => {
  const b = paramBlock("P", { rows: "u32", cols: "u32", dimV: "u32", colBase: "u32", s: "u32" });
  assert.deepEqual(offsets(b), { rows: 0, cols: 4, dimV: 8, colBase: 12, s: 16 });
  assert.equal(b.bytes, 20);
});

test("vec2 aligns to 8, vec3 and vec4 to 16; the struct's size rounds up to its largest alignment", () => {
  assert.deepEqual(offsets(paramBlock("A", { a: "u32", b: "vec2<u32>" })), { a: 0, b: 8 });
  assert.equal(paramBlock("A", { a: "u32", b: "vec2<u32>" }).bytes, 16);
  const v3 = paramBlock("B", { a: "u32", b: "vec3<f32>" });
  assert.deepEqual(offsets(v3), { a: 0, b: 16 });
  // 16 + 12 = 28, rounded up to 16.
  assert.equal(v3.bytes, 32);
  const v4 = paramBlock("C", { a: "f32", b: "f32", c: "vec4<i32>", d: "u32" });
  assert.deepEqual(offsets(v4), { a: 0, b: 4, c: 16, d: 32 });
  assert.equal(v4.bytes, 48);
});

test("a scalar after a vec3 takes its fourth word (vec3's size is 12, not 16)", () => {
  const b = paramBlock("D", { v: "vec3<f32>", s: "u32", w: "vec2<f32>" });
  assert.deepEqual(offsets(b), { v: 0, s: 12, w: 16 });
  assert.equal(b.bytes, 32);
});

test("the WGSL struct lists the fields in the table's order", () => {
  const b = paramBlock("Params", { n: "u32", origin: "vec3<f32>" });
  assert.equal(b.wgsl, "struct Params {\n  n: u32,\n  origin: vec3<f32>,\n}\n");
  assert.equal(b.struct, "Params");
});

test("pack writes each component little-endian at its offset and zeroes the padding", () => {
  const b = paramBlock("E", { a: "u32", v: "vec3<f32>", i: "i32", w: "vec2<u32>" });
  const bytes = b.pack({ a: 0xdeadbeef, v: [1.5, -2, 3], i: -7, w: [1, 2] });
  assert.equal(bytes.byteLength, b.bytes);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(0, true), 0xdeadbeef);
  for (const at of [4, 8, 12]) assert.equal(view.getUint32(at, true), 0, `padding at ${at}`);
  assert.deepEqual(
    [16, 20, 24].map((at) => view.getFloat32(at, true)),
    [1.5, -2, 3],
  );
  assert.equal(view.getInt32(28, true), -7);
  assert.deepEqual([view.getUint32(32, true), view.getUint32(36, true)], [1, 2]);
  assert.equal(b.bytes, 48);
});

test("bad tables and bad values are errors naming the field and what it needs", () => {
  assert.throws(() => paramBlock("P", {}), /at least one field/);
  assert.throws(
    () => paramBlock("P", { "1x": "u32" }),
    /field name must be a WGSL identifier.*"1x"/,
  );
  assert.throws(() => paramBlock("P", { __x: "u32" }), /WGSL identifier/);
  assert.throws(() => paramBlock("my struct", { a: "u32" }), /struct name must be/);
  assert.throws(
    () => paramBlock("P", { a: "f16" as "f32" }),
    /P\.a: type must be u32, i32, f32 or vec2\/3\/4 of one, got "f16"/,
  );
  assert.throws(() => paramBlock("P", { a: "vec5<u32>" as "u32" }), /got "vec5<u32>"/);
  const b = paramBlock("P", { n: "u32", i: "i32", x: "f32", v: "vec2<f32>" });
  const ok = { n: 1, i: -1, x: 0.5, v: [0, 1] } as const;
  // v: 12 rounds up to 8-alignment, 16.
  assert.equal(b.pack(ok).byteLength, 24);
  assert.throws(
    () => b.pack({ ...ok, n: -1 }),
    /P\.n \(u32\) must hold integers in \[0, 2\^32\), got -1/,
  );
  assert.throws(() => b.pack({ ...ok, n: 2 ** 32 }), /P\.n/);
  assert.throws(() => b.pack({ ...ok, n: 1.5 }), /P\.n/);
  assert.throws(
    () => b.pack({ ...ok, i: 2 ** 31 }),
    /P\.i \(i32\) must hold integers in \[-2\^31, 2\^31\)/,
  );
  assert.throws(() => b.pack({ ...ok, x: Infinity }), /P\.x \(f32\) must hold finite numbers/);
  assert.throws(() => b.pack({ ...ok, x: NaN }), /finite/);
  const missing = { n: 1, i: 0, v: [0, 1] } as unknown as typeof ok;
  assert.throws(() => b.pack(missing), /P\.x \(f32\) needs a number, got undefined/);
  const short = { ...ok, v: [1] } as unknown as typeof ok;
  assert.throws(() => b.pack(short), /P\.v \(vec2<f32>\) needs 2 numbers, got 1/);
});
