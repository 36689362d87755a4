/*
 * cuVS's bitset filter: one bit per dataset row, 1 = keep, packed little-endian into ⌈N/32⌉
 * u32 words (row r is bit r % 32 of word ⌊r/32⌋). A search still walks through filtered
 * nodes, as bridges, and drops them from its results.
 */

/**
 * A bitset over `n` rows keeping those listed in `keep` (row ids) or those for which `keep`
 * returns true.
 *
 * @example
 * const evens = bitsetFilter(10, (id) => id % 2 === 0);
 * bitsetKeeps(evens, 4); // true
 * bitsetKeeps(bitsetFilter(10, [1, 3]), 4); // false
 */
export function bitsetFilter(
  n: number,
  keep: ArrayLike<number> | ((id: number) => boolean),
): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`bitsetFilter: n must be a non-negative integer, got ${n}.`);
  }
  const bits = new Uint32Array(Math.ceil(n / 32));
  if (typeof keep === "function") {
    for (let id = 0; id < n; id++) if (keep(id)) bits[id >>> 5]! |= 1 << (id & 31);
  } else {
    for (let i = 0; i < keep.length; i++) {
      const id = keep[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= n) {
        throw new RangeError(`bitsetFilter: keep[${i}] = ${id} is not a row id in [0, ${n}).`);
      }
      bits[id >>> 5]! |= 1 << (id & 31);
    }
  }
  return bits;
}

/** Whether row `id` passes the filter. */
export function bitsetKeeps(bitset: Uint32Array, id: number): boolean {
  return ((bitset[id >>> 5]! >>> (id & 31)) & 1) === 1;
}

/** Throws unless `bitset` is a Uint32Array of ⌈n/32⌉ words. */
export function assertBitset(bitset: unknown, n: number): asserts bitset is Uint32Array {
  if (!(bitset instanceof Uint32Array)) {
    throw new TypeError(
      `filter must be a Uint32Array bitset (1 = keep); build one with bitsetFilter().`,
    );
  }
  const words = Math.ceil(n / 32);
  if (bitset.length !== words) {
    throw new RangeError(
      `filter has ${bitset.length} words, but ${n} rows need ⌈${n}/32⌉ = ${words}; build it with bitsetFilter(${n}, …).`,
    );
  }
}

/**
 * The fraction of the `n` rows the filter removes, clamped to [0, 0.999] as cuVS's automatic
 * `filtering_rate` is (multi-CTA uses it to widen itopk).
 */
export function filteringRate(bitset: Uint32Array, n: number): number {
  if (n === 0) return 0;
  let kept = 0;
  for (let w = 0; w < bitset.length; w++) {
    // Bits past row n - 1 in the last word do not count.
    const valid = w === bitset.length - 1 && n % 32 !== 0 ? (1 << (n % 32)) - 1 : 0xffffffff;
    kept += popcount(bitset[w]! & valid);
  }
  return Math.min(Math.max((n - kept) / n, 0), 0.999);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
