import { op } from "./wasm-encoding.js";

/**
 * WebAssembly SIMD instructions that leave [Σa, Σb, Σc, Σd] on the stack: the horizontal
 * sums of four f32x4 locals as one f32x4, for distance kernels that keep one accumulator per
 * row. Lane i of the result is (x0 + x2) + (x1 + x3) of local i; `scratch` names two v128
 * locals the sequence overwrites.
 *
 * @example
 * const body = [...op.localGet(OUT), ...horizontalSums([A0, A1, A2, A3], [T0, T1]), ...op.v128Store];
 */
export function horizontalSums(
  [a, b, c, d]: readonly [number, number, number, number],
  [t0, t1]: readonly [number, number],
): number[] {
  const get = op.localGet;
  // prettier-ignore
  const pairSums = (u: number, v: number, t: number): number[] => [
    ...get(u), ...get(v), ...op.f32x4Shuffle([0, 1, 4, 5]),
    ...get(u), ...get(v), ...op.f32x4Shuffle([2, 3, 6, 7]),
    ...op.f32x4Add, ...op.localSet(t),
  ];
  // prettier-ignore
  return [
    ...pairSums(a, b, t0),
    ...pairSums(c, d, t1),
    ...get(t0), ...get(t1), ...op.f32x4Shuffle([0, 2, 4, 6]),
    ...get(t0), ...get(t1), ...op.f32x4Shuffle([1, 3, 5, 7]),
    ...op.f32x4Add,
  ];
}
