/*
 * Row-wise kernels (softmax, layer norm) over rows [rowStart, rowEnd) of contiguous data, so
 * that threads can split the rows. Pointers are byte offsets; the row tail past a multiple of
 * four lanes is done one element at a time.
 */
import { expV, maxLanes, sumLanes } from "./math";

/** out[r, :] = softmax(x[r, :]) over rows of `len` elements. */
export function softmaxRows(x: usize, out: usize, len: i32, rowStart: i32, rowEnd: i32): void {
  const vecEnd = (<usize>(len & ~3)) << 2;
  const end = (<usize>len) << 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const src = x + ((<usize>r * len) << 2);
    const dst = out + ((<usize>r * len) << 2);
    let mv = f32x4.splat(-Infinity);
    for (let j: usize = 0; j < vecEnd; j += 16) mv = f32x4.max(mv, v128.load(src + j));
    let m = maxLanes(mv);
    for (let j = vecEnd; j < end; j += 4) m = max(m, load<f32>(src + j));
    const mSplat = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let j: usize = 0; j < vecEnd; j += 16) {
      const e = expV(f32x4.sub(v128.load(src + j), mSplat));
      v128.store(dst + j, e);
      sv = f32x4.add(sv, e);
    }
    let s = sumLanes(sv);
    for (let j = vecEnd; j < end; j += 4) {
      const e = f32x4.extract_lane(expV(f32x4.splat(load<f32>(src + j) - m)), 0);
      store<f32>(dst + j, e);
      s += e;
    }
    const inv = f32x4.splat(1 / s);
    for (let j: usize = 0; j < vecEnd; j += 16)
      v128.store(dst + j, f32x4.mul(v128.load(dst + j), inv));
    for (let j = vecEnd; j < end; j += 4) store<f32>(dst + j, load<f32>(dst + j) / s);
  }
}

/**
 * out[r, :] = (x[r, :] − mean) / sqrt(var + eps) · w + b over rows of `width`, with the biased
 * variance from a second pass; `w` or `b` of 0 means none (1 and 0).
 */
export function layerNormRows(
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  width: i32,
  eps: f32,
  rowStart: i32,
  rowEnd: i32,
): void {
  const vecEnd = (<usize>(width & ~3)) << 2;
  const end = (<usize>width) << 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const src = x + ((<usize>r * width) << 2);
    const dst = out + ((<usize>r * width) << 2);
    let sv = f32x4.splat(0);
    for (let j: usize = 0; j < vecEnd; j += 16) sv = f32x4.add(sv, v128.load(src + j));
    let s = sumLanes(sv);
    for (let j = vecEnd; j < end; j += 4) s += load<f32>(src + j);
    const mean = s / <f32>width;
    const meanV = f32x4.splat(mean);
    let qv = f32x4.splat(0);
    for (let j: usize = 0; j < vecEnd; j += 16) {
      const d = f32x4.sub(v128.load(src + j), meanV);
      qv = f32x4.add(qv, f32x4.mul(d, d));
    }
    let q = sumLanes(qv);
    for (let j = vecEnd; j < end; j += 4) {
      const d = load<f32>(src + j) - mean;
      q += d * d;
    }
    const rstd = <f32>1 / Mathf.sqrt(q / <f32>width + eps);
    const rstdV = f32x4.splat(rstd);
    for (let j: usize = 0; j < vecEnd; j += 16) {
      let v = f32x4.mul(f32x4.sub(v128.load(src + j), meanV), rstdV);
      if (w != 0) v = f32x4.mul(v, v128.load(w + j));
      if (b != 0) v = f32x4.add(v, v128.load(b + j));
      v128.store(dst + j, v);
    }
    for (let j = vecEnd; j < end; j += 4) {
      let v = (load<f32>(src + j) - mean) * rstd;
      if (w != 0) v *= load<f32>(w + j);
      if (b != 0) v += load<f32>(b + j);
      store<f32>(dst + j, v);
    }
  }
}
