/**
 * The smallest power of two ≥ x (and ≥ 1): list and sort sizes of the bitonic networks.
 *
 * @example
 * nextPowerOfTwo(96); // 128
 */
export function nextPowerOfTwo(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/**
 * x rounded up to a multiple of m.
 *
 * @example
 * roundUp(65, 32); // 96
 */
export function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}
