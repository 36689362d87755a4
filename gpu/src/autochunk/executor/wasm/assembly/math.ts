/*
 * Vector transcendental functions for the kernels: WebAssembly has no exp, so exp is a range
 * reduction to 2^n · e^r (|r| ≤ ln2/2) and a degree-6 Taylor polynomial for e^r (relative error
 * below 2e-7, about one f32 ulp).
 */

/**
 * a · b + c per lane: one fused multiply-add where the module is built with relaxed SIMD (the
 * `relaxed` target of asconfig.json; fused or not is the engine's choice, within one rounding),
 * otherwise a multiply and an add. Small enough that the optimizer inlines it.
 */
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x per lane; 0 below −87.3 (where f32 turns subnormal) and +∞ from about 88.4 up. */
export function expV(x: v128): v128 {
  const normal = f32x4.ge(x, f32x4.splat(-87.3));
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.7)), f32x4.splat(-87.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  // r = x − n·ln2 with ln2 split in two, so the subtraction loses no bits.
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145752)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.42860677e-6)));
  let p = f32x4.splat(1.0 / 720.0);
  p = madd(p, r, f32x4.splat(1.0 / 120.0));
  p = madd(p, r, f32x4.splat(1.0 / 24.0));
  p = madd(p, r, f32x4.splat(1.0 / 6.0));
  p = madd(p, r, f32x4.splat(0.5));
  p = madd(p, r, f32x4.splat(1.0));
  p = madd(p, r, f32x4.splat(1.0));
  // 2^n built in the exponent field; n ≥ −126 after the clamp, so the scale stays normal.
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.and(f32x4.mul(p, scale), normal);
}

/** Sum of the four lanes. */
export function sumLanes(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    f32x4.extract_lane(v, 2) +
    f32x4.extract_lane(v, 3)
  );
}

/** Largest of the four lanes. */
export function maxLanes(v: v128): f32 {
  return max(
    max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)),
  );
}

/**
 * erf per lane by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7), the formula the
 * TypeScript and WGSL kernels use (kernels/elementwise.ts).
 */
export function erfV(x: v128): v128 {
  const a = f32x4.abs(x);
  const t = f32x4.div(
    f32x4.splat(1),
    f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.3275911), a)),
  );
  let poly = f32x4.splat(1.061405429);
  poly = madd(poly, t, f32x4.splat(-1.453152027));
  poly = madd(poly, t, f32x4.splat(1.421413741));
  poly = madd(poly, t, f32x4.splat(-0.284496736));
  poly = madd(poly, t, f32x4.splat(0.254829592));
  poly = f32x4.mul(poly, t);
  const y = f32x4.sub(f32x4.splat(1), f32x4.mul(poly, expV(f32x4.neg(f32x4.mul(a, a)))));
  // Copy x's sign onto y (y ≥ 0).
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}
