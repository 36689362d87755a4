/*
 * The visited set of a CAGRA search, as cuVS's hashmap.hpp keeps it: a power-of-two table of
 * u32 keys, open addressing with linear probing from h = (key ^ (key >> bitlen)) & mask, and
 * 0xFFFFFFFF marking an empty slot. A full table refuses new keys, which the search then treats
 * as visited. Plain data plus functions, so a WGSL kernel can mirror it line for line.
 */

/** The value of an empty slot (and of an invalid node id). */
export const HASH_EMPTY = 0xffffffff;

/** A visited table: `table.length` is 2^bitlen. */
export interface VisitedHash {
  readonly table: Uint32Array;
  readonly bitlen: number;
}

/**
 * An empty table of 2^bitlen slots.
 *
 * @example
 * const h = createVisitedHash(8); // 256 slots
 * visitedInsert(h, 42); // true: first visit
 * visitedInsert(h, 42); // false: already there
 */
export function createVisitedHash(bitlen: number): VisitedHash {
  if (!Number.isInteger(bitlen) || bitlen < 1 || bitlen > 30) {
    throw new RangeError(`createVisitedHash: bitlen must be an integer in [1, 30], got ${bitlen}.`);
  }
  return { table: new Uint32Array(1 << bitlen).fill(HASH_EMPTY), bitlen };
}

/** Empties the table (cuVS hashmap::init). */
export function visitedClear(hash: VisitedHash): void {
  hash.table.fill(HASH_EMPTY);
}

/** The first slot probed for `key` in a table of 2^bitlen slots. */
export function visitedSlot(key: number, bitlen: number): number {
  return (key ^ (key >>> bitlen)) & ((1 << bitlen) - 1);
}

/**
 * Adds `key`; true if it was absent and is now stored, false if it was present or the table
 * is full (cuVS hashmap::insert returning 1 or 0).
 */
export function visitedInsert(hash: VisitedHash, key: number): boolean {
  const table = hash.table;
  const mask = table.length - 1;
  let index = visitedSlot(key, hash.bitlen);
  for (let i = 0; i <= mask; i++) {
    const old = table[index]!;
    if (old === HASH_EMPTY) {
      table[index] = key;
      return true;
    }
    if (old === key) return false;
    index = (index + 1) & mask;
  }
  return false;
}

/** Whether `key` is stored (cuVS hashmap::search). */
export function visitedHas(hash: VisitedHash, key: number): boolean {
  const table = hash.table;
  const mask = table.length - 1;
  let index = visitedSlot(key, hash.bitlen);
  for (let i = 0; i <= mask; i++) {
    const v = table[index]!;
    if (v === key) return true;
    if (v === HASH_EMPTY) return false;
    index = (index + 1) & mask;
  }
  return false;
}
