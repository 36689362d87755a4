/**
 * A seeded pseudo-random generator returning floats in [0, 1). Every random step in
 * Tessera takes one, so runs repeat exactly for the same seed (d3-force's lcg lesson).
 */
export type Random = () => number;

/**
 * mulberry32: a 32-bit generator with a full 2^32 period, fast in JavaScript.
 *
 * @example
 * const rand = seededRandom(42);
 * rand(); // the same first value every run
 */
export function seededRandom(seed = 0x2545f491): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample from `rand` (Box–Muller; one value per call). */
export function gaussian(rand: Random): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
