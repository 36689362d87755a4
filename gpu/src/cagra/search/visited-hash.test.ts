import assert from "node:assert/strict";
import { test } from "node:test";
import {
  HASH_EMPTY,
  createVisitedHash,
  visitedClear,
  visitedHas,
  visitedInsert,
  visitedSlot,
} from "./visited-hash.js";

test("insert reports first visits only; has and clear agree", () => {
  const hash = createVisitedHash(8);
  assert.equal(hash.table.length, 256);
  assert.ok(hash.table.every((v) => v === HASH_EMPTY));
  assert.equal(visitedInsert(hash, 42), true);
  assert.equal(visitedInsert(hash, 42), false);
  assert.equal(visitedHas(hash, 42), true);
  assert.equal(visitedHas(hash, 43), false);
  visitedClear(hash);
  assert.equal(visitedHas(hash, 42), false);
  assert.equal(visitedInsert(hash, 42), true);
});

test("slots follow (key ^ (key >> bits)) & mask, collisions probe linearly", () => {
  const hash = createVisitedHash(4);
  assert.equal(visitedSlot(0x35, 4), (0x35 ^ 0x3) & 15);
  // 0x10 and 0x01 both hash to slot 1; 0x21 hashes to 3 (0x21 ^ 0x2 = 0x23).
  assert.equal(visitedSlot(0x10, 4), 1);
  assert.equal(visitedSlot(0x01, 4), 1);
  visitedInsert(hash, 0x10);
  visitedInsert(hash, 0x01);
  assert.equal(hash.table[1], 0x10);
  assert.equal(hash.table[2], 0x01);
  assert.equal(visitedHas(hash, 0x01), true);
  // Probing wraps around the end of the table.
  const last = [...Array(64).keys()].find((k) => visitedSlot(k, 4) === 15)!;
  const other = [...Array(64).keys()].find((k) => k !== last && visitedSlot(k, 4) === 15)!;
  visitedInsert(hash, last);
  visitedInsert(hash, other);
  assert.equal(hash.table[15], last);
  assert.equal(hash.table[0], other);
  assert.equal(visitedHas(hash, other), true);
});

test("a full table refuses new keys but still finds old ones; large ids hash too", () => {
  const hash = createVisitedHash(2);
  for (let k = 0; k < 4; k++) assert.equal(visitedInsert(hash, k * 7), true);
  assert.equal(visitedInsert(hash, 100), false);
  assert.equal(visitedHas(hash, 100), false);
  assert.equal(visitedHas(hash, 21), true);
  const wide = createVisitedHash(11);
  assert.equal(visitedInsert(wide, 0x7ffffffe), true);
  assert.equal(visitedHas(wide, 0x7ffffffe), true);
  assert.ok(visitedSlot(0x7ffffffe, 11) < 2048);
  assert.throws(() => createVisitedHash(0), { name: "RangeError", message: /bitlen/ });
});
