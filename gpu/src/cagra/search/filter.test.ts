import assert from "node:assert/strict";
import { test } from "node:test";
import { assertBitset, bitsetFilter, bitsetKeeps, filteringRate } from "./filter.js";

test("bitsetFilter packs row r into bit r % 32 of word ⌊r/32⌋, from ids or a predicate", () => {
  const fromIds = bitsetFilter(70, [0, 31, 32, 69]);
  assert.equal(fromIds.length, 3);
  assert.equal(fromIds[0], (1 | (1 << 31)) >>> 0);
  assert.equal(fromIds[1], 1);
  assert.equal(fromIds[2], 1 << 5);
  const odd = bitsetFilter(70, (id) => id % 2 === 1);
  for (let id = 0; id < 70; id++) {
    assert.equal(bitsetKeeps(odd, id), id % 2 === 1);
    assert.equal(bitsetKeeps(fromIds, id), [0, 31, 32, 69].includes(id));
  }
  assert.throws(() => bitsetFilter(70, [70]), { name: "RangeError", message: /keep\[0\] = 70/ });
});

test("filteringRate counts removed rows, ignores bits past N and clamps to 0.999", () => {
  const half = bitsetFilter(100, (id) => id < 50);
  assert.equal(filteringRate(half, 100), 0.5);
  const all = new Uint32Array(4).fill(0xffffffff); // bits 100..127 set but not rows
  assert.equal(filteringRate(all, 100), 0);
  assert.equal(filteringRate(new Uint32Array(4), 100), 0.999);
});

test("assertBitset checks the type and the word count", () => {
  assert.throws(() => assertBitset([1, 2], 64), { name: "TypeError" });
  assert.throws(() => assertBitset(new Uint32Array(3), 64), {
    name: "RangeError",
    message: /3 words, but 64 rows need ⌈64\/32⌉ = 2/,
  });
  assert.doesNotThrow(() => assertBitset(new Uint32Array(3), 65));
});
