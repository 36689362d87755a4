/*
 * The permute kernel for permutes that move the innermost dim (the others copy whole rows, in
 * TypeScript). Element by element such a permute reads one value per cache line loaded: a
 * [256, 256, 128] → [128, 256, 256] permute took about 80 ms. Here it is a set of 2-D
 * transposes, each cut into strips whose writes fill whole cache lines, moved 4 × 4 in
 * registers. Works on any 4-byte element (f32 or i32).
 */
import { transpose4x4 } from "./transpose";

/** Rows of a transpose per unit of work: 16 floats are one cache line of each output row. */
export const PERMUTE_STRIP: i32 = 16;

/**
 * dst[c·dstStride + r] = src[r·srcStride + c] for r < rows, c < cols (strides in elements,
 * pointers in bytes).
 */
function transposeBlock(
  src: usize,
  srcStride: i32,
  dst: usize,
  dstStride: i32,
  rows: i32,
  cols: i32,
): void {
  const srcStep = (<usize>srcStride) << 2;
  const dstStep = (<usize>dstStride) << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const from = src + <usize>r * srcStep;
    const to = dst + ((<usize>r) << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      transpose4x4(from + ((<usize>c) << 2), srcStep, to + <usize>c * dstStep, dstStep, false);
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) {
        store<i32>(
          to + <usize>c * dstStep + ((<usize>i) << 2),
          load<i32>(from + <usize>i * srcStep + ((<usize>c) << 2)),
        );
      }
    }
  }
  for (; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<i32>(
        dst + <usize>c * dstStep + ((<usize>r) << 2),
        load<i32>(src + <usize>r * srcStep + ((<usize>c) << 2)),
      );
    }
  }
}

/**
 * Units [unitStart, unitEnd) of a permute described at `desc` (i32s): rows, cols, srcStride,
 * dstStride of its 2-D transpose (rows: the output's innermost dim, read at srcStride; cols: the
 * input's innermost dim, written at dstStride), then per other dim, innermost first, its extent
 * and its src and dst strides (`outer` of them). Unit u is strip u % strips (PERMUTE_STRIP rows)
 * of the transpose at outer index u / strips.
 */
export function permuteUnits(
  src: usize,
  dst: usize,
  desc: usize,
  outer: i32,
  unitStart: i32,
  unitEnd: i32,
): void {
  const rows = load<i32>(desc);
  const cols = load<i32>(desc, 4);
  const srcStride = load<i32>(desc, 8);
  const dstStride = load<i32>(desc, 12);
  const strips = (rows + PERMUTE_STRIP - 1) / PERMUTE_STRIP;
  for (let u = unitStart; u < unitEnd; u++) {
    let o = u / strips;
    const r0 = (u - o * strips) * PERMUTE_STRIP;
    let from: usize = <usize>r0 * <usize>srcStride;
    let to: usize = <usize>r0;
    for (let d = 0; d < outer; d++) {
      const at = desc + 16 + <usize>d * 12;
      const extent = load<i32>(at);
      const index = o % extent;
      o /= extent;
      from += <usize>index * <usize>load<i32>(at, 4);
      to += <usize>index * <usize>load<i32>(at, 8);
    }
    transposeBlock(
      src + (from << 2),
      srcStride,
      dst + (to << 2),
      dstStride,
      min(PERMUTE_STRIP, rows - r0),
      cols,
    );
  }
}
