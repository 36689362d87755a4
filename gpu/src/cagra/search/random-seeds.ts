/*
 * CAGRA's random entry points (cuVS device_common.hpp, compute_distance_to_random_nodes):
 * slot i of the result buffer tries `numRandomSamplings` nodes j = 0.., node =
 * xorshift64((i + slots·j) ^ mask) mod N, with the index computed in u32 and the hash in u64.
 * JavaScript has no fast u64, so the generator runs on two u32 halves, the way a WGSL kernel
 * (no u64 either) would; the test checks it against BigInt.
 */

const TWO_32 = 4294967296;
// 0x2545F4914F6CDD1D, Vigna's xorshift64* multiplier, as cuVS uses it.
const MUL_HI = 0x2545f491;
const MUL_LO = 0x4f6cdd1d;

/**
 * `xorshift64(u) mod n` for u = maskHi·2³² + (index ^ maskLo), exactly as cuVS computes a seed
 * from its u32 slot index and u64 XOR mask.
 *
 * @example
 * randomSeedId(0, 0x128394, 1000); // the node slot 0 starts from, for N = 1000
 */
export function randomSeedId(index: number, mask: number, n: number): number {
  let hi = Math.floor(mask / TWO_32) >>> 0;
  let lo = (index ^ mask) >>> 0;
  // u ^= u >> 12 (lo first: it reads the old hi)
  lo = (lo ^ ((lo >>> 12) | (hi << 20))) >>> 0;
  hi = (hi ^ (hi >>> 12)) >>> 0;
  // u ^= u << 25 (hi first: it reads the old lo)
  hi = (hi ^ ((hi << 25) | (lo >>> 7))) >>> 0;
  lo = (lo ^ (lo << 25)) >>> 0;
  // u ^= u >> 27
  lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
  hi = (hi ^ (hi >>> 27)) >>> 0;
  // u · MUL mod 2^64: the full 64-bit lo·MUL_LO from 16-bit limbs (every partial < 2^53),
  // plus the low 32 bits of the cross terms in the high word.
  const a1 = lo >>> 16;
  const a0 = lo & 0xffff;
  const b1 = MUL_LO >>> 16;
  const b0 = MUL_LO & 0xffff;
  const mid = a1 * b0 + a0 * b1;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const prodLo = low >>> 0;
  const carry = Math.floor(low / TWO_32);
  const prodHi =
    (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(hi, MUL_LO) + Math.imul(lo, MUL_HI)) >>>
    0;
  // (prodHi·2^32 + prodLo) mod n by Horner over 16-bit limbs, so every step stays below 2^53.
  let r = (prodHi >>> 16) % n;
  r = (r * 65536 + (prodHi & 0xffff)) % n;
  r = (r * 65536 + (prodLo >>> 16)) % n;
  return (r * 65536 + (prodLo & 0xffff)) % n;
}

/**
 * The seed node of every (slot, sampling) pair for a single-CTA search, laid out as cuVS's
 * `seed_ptr`: entry `i + slots·j` is sampling j of slot i. Every query starts from these same
 * nodes, so a GPU kernel can take this array instead of re-deriving the u64 hash in WGSL.
 *
 * @example
 * const seeds = initialSeedIds(4000, 128, 1, 0x128394); // 128 node ids in [0, 4000)
 */
export function initialSeedIds(
  n: number,
  slots: number,
  numRandomSamplings: number,
  mask: number,
): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 1 || n > 0xffffffff) {
    throw new RangeError(`initialSeedIds: n must be an integer in [1, 2^32), got ${n}.`);
  }
  if (!Number.isSafeInteger(slots) || slots < 0) {
    throw new RangeError(`initialSeedIds: slots must be a non-negative integer, got ${slots}.`);
  }
  if (!Number.isSafeInteger(numRandomSamplings) || numRandomSamplings < 1) {
    throw new RangeError(
      `initialSeedIds: numRandomSamplings must be an integer ≥ 1, got ${numRandomSamplings}.`,
    );
  }
  assertXorMask(mask);
  const out = new Uint32Array(slots * numRandomSamplings);
  for (let j = 0; j < numRandomSamplings; j++) {
    for (let i = 0; i < slots; i++) {
      // cuVS computes the slot index in u32, so it wraps.
      const index = (i + Math.imul(slots, j)) >>> 0;
      out[i + slots * j] = randomSeedId(index, mask, n);
    }
  }
  return out;
}

/** Throws unless `mask` is a non-negative safe integer (cuVS's mask is a u64). */
export function assertXorMask(mask: number): void {
  if (!Number.isSafeInteger(mask) || mask < 0) {
    throw new RangeError(
      `randXorMask must be a non-negative integer below 2^53, got ${mask}; use the default 0x128394.`,
    );
  }
}
