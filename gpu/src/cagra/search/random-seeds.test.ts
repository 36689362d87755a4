import assert from "node:assert/strict";
import { test } from "node:test";
import { initialSeedIds, randomSeedId } from "./random-seeds.js";

const U64 = (1n << 64n) - 1n;

/** cuVS's xorshift64, step by step in BigInt. */
function xorshift64(u: bigint): bigint {
  u ^= u >> 12n;
  u = (u ^ (u << 25n)) & U64;
  u ^= u >> 27n;
  return (u * 0x2545f4914f6cdd1dn) & U64;
}

const reference = (index: number, mask: number, n: number): number =>
  Number(xorshift64(BigInt(index) ^ BigInt(mask)) % BigInt(n));

test("xorshift64 of u = 1 matches the hand-derived value", () => {
  // u = 1: >>12 leaves 1; ^(1<<25) = 0x2000001; >>27 leaves it; times the multiplier.
  assert.equal(xorshift64(1n), (0x2000001n * 0x2545f4914f6cdd1dn) & U64);
  assert.equal(randomSeedId(1, 0, 2 ** 31 - 1), Number(xorshift64(1n) % BigInt(2 ** 31 - 1)));
});

test("randomSeedId agrees with the BigInt reference across indices, masks and N", () => {
  const masks = [0, 0x128394, 0xffffffff, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER];
  const ns = [1, 2, 7, 1000, 65_537, 1_000_000, 2 ** 31 - 1, 0xffffffff];
  const indices = [0, 1, 31, 127, 4095, 0x7fffffff, 0x80000000, 0xffffffff];
  for (const mask of masks) {
    for (const n of ns) {
      for (const index of indices) {
        assert.equal(
          randomSeedId(index, mask, n),
          reference(index, mask, n),
          `${index} ${mask} ${n}`,
        );
      }
    }
  }
});

test("initialSeedIds lays out sampling j of slot i at i + slots·j", () => {
  const n = 4000;
  const slots = 128;
  const seeds = initialSeedIds(n, slots, 3, 0x128394);
  assert.equal(seeds.length, 3 * slots);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < slots; i++) {
      assert.equal(seeds[i + slots * j], reference(i + slots * j, 0x128394, n));
    }
  }
  assert.ok(seeds.every((id) => id < n));
  // Different masks start the search elsewhere.
  assert.notDeepEqual(initialSeedIds(n, slots, 1, 1), seeds.subarray(0, slots));
});

test("initialSeedIds rejects bad arguments", () => {
  assert.throws(() => initialSeedIds(0, 4, 1, 0), { name: "RangeError", message: /n must be/ });
  assert.throws(() => initialSeedIds(10, 4, 0, 0), /numRandomSamplings/);
  assert.throws(() => initialSeedIds(10, 4, 1, 0.5), /randXorMask/);
});
