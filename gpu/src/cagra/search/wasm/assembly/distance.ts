/*
 * Distances from the current query to scattered rows of the index's stored vectors (f32, f16
 * or int8, rows zero-padded to 16 bytes), four rows at a time with one f32x4 accumulator each,
 * in the order the hand-assembled kernel of ../../wasm-distance.ts adds them, so both give the
 * same f32 bits: per row, blocks in column order; lanes summed as (x0 + x2) + (x1 + x3).
 * Pointers are byte offsets into this module's memory, laid out by ../../wasm-search.ts.
 *
 * int8 rows stored exactly (every column scale 1: integer data, ../../../storage) under L2,
 * with a query whose values less the offsets are integers, are summed in integers instead:
 * i16 differences, i32x4.dot_i16x8_s, no decode. Each term and partial sum is then an integer
 * below 2^24, where the f32 sums are exact too, so the bits are the same as the float path's.
 */

export const KIND_F32 = 0;
export const KIND_F16 = 1;
export const KIND_INT8 = 2;
export const METRIC_L2 = 0;
export const METRIC_IP = 1;
export const METRIC_COSINE = 2;

// The index: set once per instance by setIndex.
let rows: usize = 0;
let rowBytes: usize = 0;
let kind: i32 = KIND_F32;
let cols: i32 = 0;
let paddedCols: i32 = 0;
/** int8 only: the column scales (paddedCols f32, zero-padded) and offsets (cols f32). */
let scale: usize = 0;
let offset: usize = 0;

// The current query (setQuery).
let metric: i32 = METRIC_L2;
let query: usize = 0;
/** Σ q·offset of an int8 dot product, added to every raw sum. */
let shift: f64 = 0;
/** int8 with every column scale 1 (set by setIndex). */
let unitScales = false;
/** The query is held as i16 (q − offset) and summed in integers (setQuery). */
let integerQuery = false;
/** Above this, an integer sum of squares may not be exact in f32. */
const EXACT_F32: f64 = 16777216;
const CODE_MAX: f64 = 127;

/** Describes the stored vectors; `query` has room for paddedCols f32. */
export function setIndex(
  rowsAt: usize,
  bytesPerRow: usize,
  storageKind: i32,
  columns: i32,
  paddedColumns: i32,
  scaleAt: usize,
  offsetAt: usize,
  queryAt: usize,
): void {
  rows = rowsAt;
  rowBytes = bytesPerRow;
  kind = storageKind;
  cols = columns;
  paddedCols = paddedColumns;
  scale = scaleAt;
  offset = offsetAt;
  query = queryAt;
  unitScales = kind == KIND_INT8;
  for (let c = 0; c < cols && unitScales; c++)
    unitScales = load<f32>(scale + ((<usize>c) << 2)) == 1;
}

/**
 * Makes the `cols` f32 at `row` (prepared for the metric) the query: zero-padded, and for int8
 * stored as q − offset (L2) or with Σ q·offset kept (dot products), in f64 as JavaScript does.
 */
export function setQuery(row: usize, queryMetric: i32): void {
  metric = queryMetric;
  memory.fill(query, 0, (<usize>paddedCols) << 2);
  shift = 0;
  const int8 = kind == KIND_INT8;
  for (let c = 0; c < cols; c++) {
    const at = (<usize>c) << 2;
    const v = load<f32>(row + at);
    if (int8 && metric == METRIC_L2) {
      store<f32>(query + at, <f32>(<f64>v - <f64>load<f32>(offset + at)));
    } else {
      store<f32>(query + at, v);
      if (int8) shift += <f64>v * <f64>load<f32>(offset + at);
    }
  }
  integerQuery = unitScales && metric == METRIC_L2 && holdAsIntegers();
}

/** Whether the current query's distances are summed in integers (for tests). */
export function queryInIntegers(): bool {
  return integerQuery;
}

/**
 * Rewrites the prepared f32 query (q − offset) as i16 when every value is an integer and the
 * largest possible sum, Σ (|q − offset| + 127)², stays below 2^24; returns whether it did.
 */
function holdAsIntegers(): bool {
  let bound: f64 = 0;
  for (let c = 0; c < cols; c++) {
    const v = <f64>load<f32>(query + ((<usize>c) << 2));
    if (v != Math.floor(v)) return false;
    const reach = Math.abs(v) + CODE_MAX;
    bound += reach * reach;
  }
  if (bound >= EXACT_F32) return false;
  // In place, front to back: i16 c lands at byte 2c, below the f32 still to be read.
  for (let c = 0; c < paddedCols; c++) {
    const at = (<usize>c) << 2;
    store<i16>(query + ((<usize>c) << 1), <i16>(c < cols ? <i32>load<f32>(query + at) : 0));
  }
  return true;
}

/*
 * The kernels are generic so that each (kind, metric) pair compiles to its own branch-free
 * loop: T is the stored value type (f32, u16 for f16 bits, i8), or i16 for int8 codes against
 * the i16 query of integerQuery (i32 sums); M is bool for squared L2 and i32 for dot products.
 */

function term<M>(x: v128, q: v128): v128 {
  if (isBoolean<M>()) {
    const d = f32x4.sub(x, q);
    return f32x4.mul(d, d);
  }
  return f32x4.mul(x, q);
}

/** Four halves (u32 lanes) as f32, exact for finite halves: see wasm-distance.ts. */
function halves(wide: v128): v128 {
  const t = i32x4.shl(wide, 13);
  const magnitude = f32x4.mul(v128.and(t, i32x4.splat(0x0fffe000)), i32x4.splat(0x77800000));
  return v128.or(magnitude, i32x4.shl(v128.and(t, i32x4.splat(0x10000000)), 3));
}

/** acc plus the terms of the 16 bytes at byte c of the row at `row`. */
function accumulate<T, M>(acc: v128, row: usize, c: usize): v128 {
  const raw = v128.load(row + c);
  if (isFloat<T>()) return f32x4.add(acc, term<M>(raw, v128.load(query + c)));
  if (sizeof<T>() == 2 && isSigned<T>()) {
    // Σ (code − q)², the pairs summed by i32x4.dot_i16x8_s.
    const q = query + (c << 1);
    const d0 = i16x8.sub(i16x8.extend_low_i8x16_s(raw), v128.load(q));
    const d1 = i16x8.sub(i16x8.extend_high_i8x16_s(raw), v128.load(q, 16));
    return i32x4.add(i32x4.add(acc, i32x4.dot_i16x8_s(d0, d0)), i32x4.dot_i16x8_s(d1, d1));
  }
  if (sizeof<T>() == 2) {
    const q = query + (c << 1);
    acc = f32x4.add(acc, term<M>(halves(i32x4.extend_low_i16x8_u(raw)), v128.load(q)));
    return f32x4.add(acc, term<M>(halves(i32x4.extend_high_i16x8_u(raw)), v128.load(q, 16)));
  }
  const q = query + (c << 2);
  const s = scale + (c << 2);
  const lo = i16x8.extend_low_i8x16_s(raw);
  const hi = i16x8.extend_high_i8x16_s(raw);
  const x0 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(s));
  acc = f32x4.add(acc, term<M>(x0, v128.load(q)));
  const x1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(s, 16));
  acc = f32x4.add(acc, term<M>(x1, v128.load(q, 16)));
  const x2 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(s, 32));
  acc = f32x4.add(acc, term<M>(x2, v128.load(q, 32)));
  const x3 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(s, 48));
  return f32x4.add(acc, term<M>(x3, v128.load(q, 48)));
}

/** [Σa, Σb, Σc, Σd], lane i as (x0 + x2) + (x1 + x3) (cpu/wasm-horizontal-sums.ts). */
function horizontalSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

function rowAt(ids: usize, i: i32): usize {
  return rows + <usize>load<u32>(ids + ((<usize>i) << 2)) * rowBytes;
}

/**
 * out[i] = raw sum for row ids[i], i < count, four rows per pass; a short last group repeats
 * its first row, so `out` needs room for count rounded up to 4.
 */
function rawList<T, M>(ids: usize, count: i32, out: usize): void {
  for (let i = 0; i < count; i += 4) {
    const r0 = rowAt(ids, i);
    const r1 = i + 1 < count ? rowAt(ids, i + 1) : r0;
    const r2 = i + 2 < count ? rowAt(ids, i + 2) : r0;
    const r3 = i + 3 < count ? rowAt(ids, i + 3) : r0;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let c: usize = 0; c < rowBytes; c += 16) {
      a0 = accumulate<T, M>(a0, r0, c);
      a1 = accumulate<T, M>(a1, r1, c);
      a2 = accumulate<T, M>(a2, r2, c);
      a3 = accumulate<T, M>(a3, r3, c);
    }
    if (sizeof<T>() == 2 && isSigned<T>()) {
      // i32 sums below 2^24: exact as f32 (see the file comment).
      a0 = f32x4.convert_i32x4_s(a0);
      a1 = f32x4.convert_i32x4_s(a1);
      a2 = f32x4.convert_i32x4_s(a2);
      a3 = f32x4.convert_i32x4_s(a3);
    }
    v128.store(out + ((<usize>i) << 2), horizontalSums(a0, a1, a2, a3));
  }
}

/**
 * out[i] = internal distance (f32) from the query to row ids[i], for i < count: squared L2,
 * −dot for inner product, 1 − dot for cosine (the last two in f64, then rounded, as
 * wasm-distance.ts does). `out` needs room for count rounded up to 4.
 */
export function distances(ids: usize, count: i32, out: usize): void {
  const l2 = metric == METRIC_L2;
  if (kind == KIND_F32) {
    if (l2) rawList<f32, bool>(ids, count, out);
    else rawList<f32, i32>(ids, count, out);
  } else if (kind == KIND_F16) {
    if (l2) rawList<u16, bool>(ids, count, out);
    else rawList<u16, i32>(ids, count, out);
  } else if (integerQuery) {
    rawList<i16, bool>(ids, count, out);
  } else {
    if (l2) rawList<i8, bool>(ids, count, out);
    else rawList<i8, i32>(ids, count, out);
  }
  if (l2) return;
  const bias: f64 = metric == METRIC_COSINE ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const at = out + ((<usize>i) << 2);
    store<f32>(at, <f32>(bias - (<f64>load<f32>(at) + shift)));
  }
}
