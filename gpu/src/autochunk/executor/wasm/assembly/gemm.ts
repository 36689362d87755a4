/*
 * GEMM for the AutoChunk CPU executor, in AssemblyScript (compiled to WebAssembly SIMD128 by
 * `npm run build:wasm`). Pointers are byte offsets into the shared memory, strides count
 * elements. Blocked as in GotoBLAS: a KC × NC panel of B is packed into groups of NR columns
 * and each strip of MR rows of A is packed with the rows' values at each depth side by side (so
 * the micro-kernel reads both sequentially, at constant offsets); each MR × NR tile of C
 * accumulates in registers over the panel's depth, by fused multiply-adds in the relaxed-SIMD
 * build (math.ts).
 */

import { madd } from "./math";
import { transpose4x4 } from "./transpose";

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const NC: i32 = 256;

/** Bytes of packing scratch gemm needs: one KC × NC panel of B. */
const B_PANEL_BYTES: i32 = KC * NC * 4;
/** Bytes of A's packed strip (packA4). */
const A_PANEL_BYTES: i32 = MR * KC * 4;
/** Bytes of the strided gemm's MR × NR tile of C. */
const C_TILE_BYTES: i32 = MR * NR * 4;

/**
 * Batches gathered together when the batch is every operand's unit-stride dim: 32 floats are two
 * whole cache lines, so each pass over an operand uses every byte it loads (8 used half of each
 * line, and streamed an operand twice as often: a chunk loop's einsum, which gathers its whole
 * unsliced operand every iteration, ran 1.5–1.8× slower).
 */
const TB: i32 = 32;
/** Rows of A, and columns of B, per gathered block on that path. */
const MB: i32 = 32;
const BNC: i32 = 128;
/** Bytes of that path's blocks: TB batches of a KC × BNC block of B, an MB × KC block of A, and C. */
const BATCH_BLOCK_BYTES: i32 = TB * (KC * BNC + MB * KC + MB * BNC) * 4;

/**
 * Bytes of scratch a gemm call needs (per thread): B's panel, A's strip, the strided gemm's tile,
 * then the batch-blocked path's blocks.
 */
export const GEMM_SCRATCH_BYTES: i32 =
  B_PANEL_BYTES + A_PANEL_BYTES + C_TILE_BYTES + BATCH_BLOCK_BYTES;

/** Rows of the micro-kernel's tile: threads' row ranges start on multiples of it. */
export const GEMM_ROWS: i32 = MR;
/** Batches the batch-blocked path gathers per pass: threads take whole blocks of them. */
export const GEMM_BATCH_BLOCK: i32 = TB;
/** Columns of B per gathered block on that path (the CPU cost model counts its gathers by it). */
export const GEMM_BATCH_COLUMNS: i32 = BNC;

/** Packs B[kb, nb] (row stride ldb) into `pack` as groups of NR columns, the last zero-padded. */
function packB(b: usize, ldb: i32, kb: i32, nb: i32, pack: usize): void {
  const rowBytes = (<usize>ldb) << 2;
  let dst = pack;
  for (let j = 0; j < nb; j += NR) {
    const cols = min(NR, nb - j);
    let src = b + ((<usize>j) << 2);
    if (cols == NR) {
      for (let p = 0; p < kb; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += rowBytes;
        dst += 32;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(dst + ((<usize>jj) << 2), jj < cols ? load<f32>(src + ((<usize>jj) << 2)) : 0);
        }
        src += rowBytes;
        dst += 32;
      }
    }
  }
}

/** Writes (or adds, with `add`) the first `cols` ≤ 8 lanes of lo ‖ hi to C at `c`. */
function storeRow(c: usize, lo: v128, hi: v128, cols: i32, add: bool): void {
  if (cols == NR) {
    if (add) {
      lo = f32x4.add(lo, v128.load(c));
      hi = f32x4.add(hi, v128.load(c, 16));
    }
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  for (let j = 0; j < cols; j++) {
    const v = j < 4 ? lane(lo, j) : lane(hi, j - 4);
    const at = c + ((<usize>j) << 2);
    store<f32>(at, add ? load<f32>(at) + v : v);
  }
}

/** Lane `j` (0–3) of `v`; extract_lane needs a constant index. */
function lane(v: v128, j: i32): f32 {
  if (j == 0) return f32x4.extract_lane(v, 0);
  if (j == 1) return f32x4.extract_lane(v, 1);
  if (j == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

/**
 * C[4, cols] (+)= A[4, kb] · one packed group, A packed by packA4 (the 4 rows' values at each
 * depth side by side), so every load in the loop is at a constant offset from one of two
 * pointers; `ldc` is C's row stride in bytes.
 */
function micro4x8(pa: usize, pb: usize, kb: i32, c: usize, ldc: usize, cols: i32, add: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  const end = pa + ((<usize>kb) << 4);
  while (pa < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    pa += 16;
    pb += 32;
  }
  storeRow(c, c00, c01, cols, add);
  storeRow(c + ldc, c10, c11, cols, add);
  storeRow(c + 2 * ldc, c20, c21, cols, add);
  storeRow(c + 3 * ldc, c30, c31, cols, add);
}

/**
 * Packs A[4, kb] (rows `ldaBytes` apart, unit stride along k) for micro4x8: at each depth p the
 * four rows' values, 16 bytes at pa + 16p; blocks of four depths move as 4 × 4 transposes.
 */
function packA4(a: usize, ldaBytes: usize, kb: i32, pa: usize): void {
  let p = 0;
  for (; p + 4 <= kb; p += 4) {
    transpose4x4(a + ((<usize>p) << 2), ldaBytes, pa + ((<usize>p) << 4), 16, false);
  }
  for (; p < kb; p++) {
    const at = (<usize>p) << 2;
    const to = pa + ((<usize>p) << 4);
    store<f32>(to, load<f32>(a + at));
    store<f32>(to, load<f32>(a + ldaBytes + at), 4);
    store<f32>(to, load<f32>(a + 2 * ldaBytes + at), 8);
    store<f32>(to, load<f32>(a + 3 * ldaBytes + at), 12);
  }
}

/**
 * Packs `mr` ≤ 4 rows of A[·, kb] read through element strides (sam between rows, sak along k)
 * as packA4 lays them out, the rows below `mr` zero.
 */
function packA4Strided(a: usize, sam: i32, sak: i32, mr: i32, kb: i32, pa: usize): void {
  if (sak == 1 && mr == MR) {
    packA4(a, (<usize>sam) << 2, kb, pa);
    return;
  }
  for (let p = 0; p < kb; p++) {
    const to = pa + ((<usize>p) << 4);
    for (let r = 0; r < MR; r++) {
      const v: f32 = r < mr ? load<f32>(a + ((<usize>r * sam + <usize>p * sak) << 2)) : 0;
      store<f32>(to + ((<usize>r) << 2), v);
    }
  }
}

/** C[1, cols] (+)= A[1, kb] · one packed group: the rows left below a multiple of MR. */
function micro1x8(a: usize, pb: usize, kb: i32, c: usize, cols: i32, add: bool): void {
  let lo = f32x4.splat(0);
  let hi = f32x4.splat(0);
  const end = (<usize>kb) << 2;
  for (let p: usize = 0; p < end; p += 4) {
    const x = v128.load32_splat(a + p);
    lo = madd(x, v128.load(pb), lo);
    hi = madd(x, v128.load(pb, 16), hi);
    pb += 32;
  }
  storeRow(c, lo, hi, cols, add);
}

/**
 * C[m, n] = A[m, k] · B[k, n] (or C += A · B with `accumulate` ≠ 0) for row-major operands with
 * row strides lda, ldb, ldc. `pack` points at GEMM_SCRATCH_BYTES of scratch owned by the caller.
 */
export function gemm(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  m: i32,
  n: i32,
  k: i32,
  accumulate: i32,
  pack: usize,
): void {
  const ldaBytes = (<usize>lda) << 2;
  const ldcBytes = (<usize>ldc) << 2;
  if (k == 0 && accumulate == 0) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcBytes, 0, (<usize>n) << 2);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kb = min(KC, k - p0);
      packB(b + ((<usize>p0 * ldb + j0) << 2), ldb, kb, nb, pack);
      const add = accumulate != 0 || p0 > 0;
      gemmPacked(
        a + ((<usize>p0) << 2),
        ldaBytes,
        pack,
        pack + <usize>B_PANEL_BYTES,
        kb,
        nb,
        c + ((<usize>j0) << 2),
        ldcBytes,
        m,
        add,
      );
    }
  }
}

/**
 * C[m, nb] = A[m, kb] · B (or C += A · B with `add`) for B packed as packB lays it out; row
 * strides in bytes; `pa` is scratch for A's packed strip.
 */
function gemmPacked(
  a: usize,
  ldaBytes: usize,
  pack: usize,
  pa: usize,
  kb: i32,
  nb: i32,
  c: usize,
  ldcBytes: usize,
  m: i32,
  add: bool,
): void {
  let i = 0;
  for (; i + MR <= m; i += MR) {
    packA4(a + <usize>i * ldaBytes, ldaBytes, kb, pa);
    const ci = c + <usize>i * ldcBytes;
    for (let j = 0; j < nb; j += NR) {
      const pb = pack + ((<usize>j * kb) << 2);
      micro4x8(pa, pb, kb, ci + ((<usize>j) << 2), ldcBytes, min(NR, nb - j), add);
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * ldaBytes;
    const ci = c + <usize>i * ldcBytes;
    for (let j = 0; j < nb; j += NR) {
      const pb = pack + ((<usize>j * kb) << 2);
      micro1x8(ai, pb, kb, ci + ((<usize>j) << 2), min(NR, nb - j), add);
    }
  }
}

/**
 * Rows [rowStart, rowEnd) of a batched product, rows numbered across the batch (row r is row
 * r % m of batch r / m): C[t] (+)= A[t] · B[t] with A[t] at a + t·aStride, B[t] at
 * b + t·bStride, C[t] at c + t·m·n (strides in elements; 0 broadcasts an operand).
 */
export function batchedGemmRows(
  a: usize,
  aStride: i32,
  b: usize,
  bStride: i32,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  rowStart: i32,
  rowEnd: i32,
  accumulate: i32,
  pack: usize,
): void {
  let r = rowStart;
  while (r < rowEnd) {
    const t = r / m;
    const i = r - t * m;
    const rows = min(m - i, rowEnd - r);
    gemm(
      a + ((<usize>t * aStride + <usize>i * k) << 2),
      k,
      b + ((<usize>t * bStride) << 2),
      n,
      c + ((<usize>t * m * n + <usize>i * n) << 2),
      n,
      rows,
      n,
      k,
      accumulate,
      pack,
    );
    r += rows;
  }
}

/** Packs B[kb, nb] with element strides (sbk, sbn) into `pack` as packB does, gathering. */
function packBStrided(b: usize, sbk: i32, sbn: i32, kb: i32, nb: i32, pack: usize): void {
  if (sbn == 1) {
    packB(b, sbk, kb, nb, pack);
    return;
  }
  let dst = pack;
  for (let j = 0; j < nb; j += NR) {
    const cols = min(NR, nb - j);
    for (let p = 0; p < kb; p++) {
      const src = b + ((<usize>p * sbk + <usize>j * sbn) << 2);
      for (let jj = 0; jj < NR; jj++) {
        store<f32>(
          dst + ((<usize>jj) << 2),
          jj < cols ? load<f32>(src + ((<usize>jj * sbn) << 2)) : 0,
        );
      }
      dst += 32;
    }
  }
}

/**
 * C[m, n] (+)= A[m, k] · B[k, n] with every operand read or written in place through element
 * strides (A: sam, sak; B: sbk, sbn; C: scm, scn), so an einsum needs no permuted copies. Rows
 * of A whose k stride is not 1 are gathered MR at a time, and a C whose column stride is not 1
 * is written from a register tile element by element; unit strides take gemm's paths.
 */
function stridedGemm(
  a: usize,
  sam: i32,
  sak: i32,
  b: usize,
  sbk: i32,
  sbn: i32,
  c: usize,
  scm: i32,
  scn: i32,
  m: i32,
  n: i32,
  k: i32,
  pack: usize,
): void {
  if (sak == 1 && sbn == 1 && scn == 1) {
    gemm(a, sam, b, sbk, c, scm, m, n, k, 0, pack);
    return;
  }
  if (k == 0) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) store<f32>(c + ((<usize>i * scm + <usize>j * scn) << 2), 0);
    }
    return;
  }
  const pa = pack + <usize>B_PANEL_BYTES;
  const tile = pa + <usize>A_PANEL_BYTES;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kb = min(KC, k - p0);
      packBStrided(b + ((<usize>p0 * sbk + <usize>j0 * sbn) << 2), sbk, sbn, kb, nb, pack);
      const add = p0 > 0;
      for (let i = 0; i < m; i += MR) {
        const mr = min(MR, m - i);
        packA4Strided(a + ((<usize>i * sam + <usize>p0 * sak) << 2), sam, sak, mr, kb, pa);
        for (let j = 0; j < nb; j += NR) {
          const cols = min(NR, nb - j);
          const pb = pack + ((<usize>j * kb) << 2);
          const cij = c + ((<usize>i * scm + <usize>(j0 + j) * scn) << 2);
          if (mr == MR && scn == 1) {
            micro4x8(pa, pb, kb, cij, (<usize>scm) << 2, cols, add);
            continue;
          }
          // A partial strip or strided C: the tile in registers goes through scratch.
          micro4x8(pa, pb, kb, tile, 32, NR, false);
          for (let r = 0; r < mr; r++) {
            for (let jj = 0; jj < cols; jj++) {
              const at = cij + ((<usize>r * scm + <usize>jj * scn) << 2);
              const v = load<f32>(tile + 32 * r + ((<usize>jj) << 2));
              store<f32>(at, add ? load<f32>(at) + v : v);
            }
          }
        }
      }
    }
  }
}

/**
 * Copies `nt` consecutive batches (the unit-stride dim) of a rows × cols matrix read through
 * element strides (rowStride, colStride) into `nt` matrices at `dst`, `dstStride` elements
 * apart: row-major, or with `packed` as packB lays out B (groups of NR columns, the last
 * zero-padded), so gemmPacked reads them without packing again. One pass reads each source
 * cache line once for all batches; a full block of TB batches moves 4 columns at a time as two
 * 4 × 4 transposes in registers.
 */
function gatherBatches(
  src: usize,
  rowStride: i32,
  colStride: i32,
  rows: i32,
  cols: i32,
  nt: i32,
  dst: usize,
  dstStride: i32,
  packed: bool,
): void {
  const colBytes = (<usize>colStride) << 2;
  const step = (<usize>dstStride) << 2;
  for (let r = 0; r < rows; r++) {
    let q = 0;
    if (nt == TB) {
      for (; q + 4 <= cols; q += 4) {
        const from = src + ((<usize>r * rowStride + <usize>q * colStride) << 2);
        const to = dst + gatheredOffset(r, q, rows, cols, packed);
        for (let g: usize = 0; g < <usize>TB; g += 4) {
          transpose4x4(from + 4 * g, colBytes, to + g * step, step, false);
        }
      }
    }
    for (; q < cols; q++) {
      const from = src + ((<usize>r * rowStride + <usize>q * colStride) << 2);
      const to = dst + gatheredOffset(r, q, rows, cols, packed);
      for (let t = 0; t < nt; t++) {
        store<f32>(to + <usize>t * step, load<f32>(from + ((<usize>t) << 2)));
      }
    }
  }
  const padded = ((cols + NR - 1) / NR) * NR;
  if (!packed || padded == cols) return;
  for (let t = 0; t < nt; t++) {
    for (let r = 0; r < rows; r++) {
      for (let q = cols; q < padded; q++) {
        store<f32>(dst + <usize>t * step + gatheredOffset(r, q, rows, cols, true), 0);
      }
    }
  }
}

/** Byte offset of element (r, q) of a gathered rows × cols matrix (packed: packB's layout). */
function gatheredOffset(r: i32, q: i32, rows: i32, cols: i32, packed: bool): usize {
  const at = packed ? (q / NR) * rows * NR + r * NR + (q % NR) : r * cols + q;
  return (<usize>at) << 2;
}

/**
 * Batches [t0, t1) of a strided batched product whose batch is the unit-stride dim of A, B and C
 * (an einsum such as "ikc,jkc->ijc" that carries c through). Gathering one batch at a time would
 * read one float per cache line and stream all of B once per batch; this gathers TB batches per
 * pass into contiguous blocks, runs gemm on each, and scatters the TB results back together.
 */
function batchBlockedGemm(
  a: usize,
  saM: i32,
  saK: i32,
  b: usize,
  sbK: i32,
  sbN: i32,
  c: usize,
  scM: i32,
  scN: i32,
  m: i32,
  n: i32,
  k: i32,
  t0: i32,
  t1: i32,
  pack: usize,
): void {
  const bBlock = pack + <usize>(B_PANEL_BYTES + A_PANEL_BYTES + C_TILE_BYTES);
  const aBlock = bBlock + <usize>(TB * KC * BNC * 4);
  const cBlock = aBlock + <usize>(TB * MB * KC * 4);
  for (let tb = t0; tb < t1; tb += TB) {
    const nt = min(TB, t1 - tb);
    for (let j0 = 0; j0 < n; j0 += BNC) {
      const nb = min(BNC, n - j0);
      for (let p0 = 0; p0 < k; p0 += KC) {
        const kb = min(KC, k - p0);
        const bAt = b + ((<usize>tb + <usize>p0 * sbK + <usize>j0 * sbN) << 2);
        gatherBatches(bAt, sbK, sbN, kb, nb, nt, bBlock, KC * BNC, true);
        for (let i0 = 0; i0 < m; i0 += MB) {
          const mb = min(MB, m - i0);
          const aAt = a + ((<usize>tb + <usize>i0 * saM + <usize>p0 * saK) << 2);
          gatherBatches(aAt, saM, saK, mb, kb, nt, aBlock, MB * KC, false);
          for (let t = 0; t < nt; t++) {
            gemmPacked(
              aBlock + <usize>(t * MB * KC * 4),
              (<usize>kb) << 2,
              bBlock + <usize>(t * KC * BNC * 4),
              pack + <usize>B_PANEL_BYTES,
              kb,
              nb,
              cBlock + <usize>(t * MB * BNC * 4),
              (<usize>nb) << 2,
              mb,
              false,
            );
          }
          // The TB results back into C's unit-stride batch dim, 4 columns at a time when full.
          const batchBytes = <usize>(MB * BNC * 4);
          for (let i = 0; i < mb; i++) {
            let j = 0;
            if (nt == TB) {
              for (; j + 4 <= nb; j += 4) {
                const dst = c + ((<usize>tb + <usize>(i0 + i) * scM + <usize>(j0 + j) * scN) << 2);
                const src = cBlock + ((<usize>i * nb + <usize>j) << 2);
                const step = (<usize>scN) << 2;
                for (let g: usize = 0; g < <usize>TB; g += 4) {
                  transpose4x4(src + g * batchBytes, batchBytes, dst + 4 * g, step, p0 > 0);
                }
              }
            }
            for (; j < nb; j++) {
              const dst = c + ((<usize>tb + <usize>(i0 + i) * scM + <usize>(j0 + j) * scN) << 2);
              const src = cBlock + ((<usize>i * nb + <usize>j) << 2);
              for (let t = 0; t < nt; t++) {
                const at = dst + ((<usize>t) << 2);
                const v = load<f32>(src + <usize>t * batchBytes);
                store<f32>(at, p0 > 0 ? load<f32>(at) + v : v);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Rows [rowStart, rowEnd) of a batched product read and written in place through element
 * strides, rows numbered across the batch (row r is row r % m of batch r / m):
 * C[t][i, j] = Σ_p A[t][i, p] · B[t][p, j], with A[t][i, p] at a + t·saT + i·saM + p·saK,
 * B[t][p, j] at b + t·sbT + p·sbK + j·sbN and C[t][i, j] at c + t·scT + i·scM + j·scN
 * (pointers in bytes, strides in elements). `pack` points at GEMM_SCRATCH_BYTES.
 */
export function stridedGemmRows(
  a: usize,
  saT: i32,
  saM: i32,
  saK: i32,
  b: usize,
  sbT: i32,
  sbK: i32,
  sbN: i32,
  c: usize,
  scT: i32,
  scM: i32,
  scN: i32,
  m: i32,
  n: i32,
  k: i32,
  rowStart: i32,
  rowEnd: i32,
  pack: usize,
): void {
  if (
    saT == 1 &&
    sbT == 1 &&
    scT == 1 &&
    m > 0 &&
    rowStart % m == 0 &&
    rowEnd % m == 0 &&
    rowEnd - rowStart > m
  ) {
    batchBlockedGemm(
      a,
      saM,
      saK,
      b,
      sbK,
      sbN,
      c,
      scM,
      scN,
      m,
      n,
      k,
      rowStart / m,
      rowEnd / m,
      pack,
    );
    return;
  }
  let r = rowStart;
  while (r < rowEnd) {
    const t = r / m;
    const i = r - t * m;
    const rows = min(m - i, rowEnd - r);
    stridedGemm(
      a + ((<usize>t * saT + <usize>i * saM) << 2),
      saM,
      saK,
      b + ((<usize>t * sbT) << 2),
      sbK,
      sbN,
      c + ((<usize>t * scT + <usize>i * scM) << 2),
      scM,
      scN,
      rows,
      n,
      k,
      pack,
    );
    r += rows;
  }
}
