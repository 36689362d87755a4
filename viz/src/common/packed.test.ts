import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeBase64, encodeBase64, pack, packedLength, unpack } from "./packed.js";

test("encodeBase64 matches Node's base64 for every remainder and a large array", () => {
  for (const n of [0, 1, 2, 3, 4, 5, 100_003]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7919 + 13) & 255);
    const expected = Buffer.from(bytes).toString("base64");
    assert.equal(encodeBase64(bytes), expected, `n = ${n}`);
    assert.deepEqual(decodeBase64(expected), bytes, `n = ${n}`);
  }
});

test("pack/unpack round-trip every dtype, and packedLength predicts the text length", () => {
  const f = new Float32Array([1.5, -2, Math.PI, 1e-30]);
  const p = pack("f32", f);
  assert.equal(p.base64.length, packedLength("f32", 4));
  assert.deepEqual(unpack(p), f);
  assert.deepEqual(
    unpack(pack("u32", new Uint32Array([0, 0xffffffff]))),
    new Uint32Array([0, 0xffffffff]),
  );
  assert.deepEqual(
    unpack(pack("u16", new Uint16Array([65535, 1, 2]))),
    new Uint16Array([65535, 1, 2]),
  );
  assert.deepEqual(unpack(pack("u8", new Uint8Array([9]))), new Uint8Array([9]));
  // A view into a larger buffer packs only its own elements.
  const view = new Uint32Array([1, 2, 3, 4]).subarray(1, 3);
  assert.deepEqual(unpack(pack("u32", view)), new Uint32Array([2, 3]));
});

test("bad input names the path and what is wrong", () => {
  assert.throws(() => pack("f32", new Uint32Array(1) as never), /f32 array must be a Float32Array/);
  assert.throws(
    () =>
      unpack({ dtype: "u32", length: 3, base64: pack("u32", new Uint32Array(2)).base64 }, "edges"),
    /edges: 3 u32 values need 12 bytes, the base64 holds 8/,
  );
  assert.throws(
    () => decodeBase64("ab$d", "positions"),
    /positions: not base64 \(character 2 is \$\)/,
  );
});
