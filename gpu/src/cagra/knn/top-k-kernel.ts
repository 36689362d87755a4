import {
  elementAddress,
  f32,
  i32,
  op,
  repeat,
  v128,
  type WasmFunction,
} from "../../cpu/wasm-encoding.js";

/*
 * Bounded top-k lists in WebAssembly memory for the brute-force scan: row r holds distances
 * (f32) and ids (u32) at r·kp (kp = k rounded up to 4, padding +∞), sorted ascending by
 * (distance, id), the worst entry at k − 1. A candidate's slot is the count of entries before
 * it, taken with SIMD compares, and the tail moves up four entries at a time: no
 * data-dependent branch. A binary heap mispredicts at every one of its log2(k) levels, which made selection
 * cost as much as the distances on SIFT-5k (about 90 ns per accepted candidate, in
 * JavaScript and in WebAssembly alike); this costs about a third of that.
 */

const get = op.localGet;
const set = op.localSet;
const tee = op.localTee;
const slot = elementAddress;

// shift(base, from, to)
const S_BASE = 0;
const S_FROM = 1;
const S_TO = 2;
const S_I = 3;

/**
 * shift(base, from, to): moves the 4-byte elements base[from .. to) one slot up, from the top
 * down, four at a time. Inline moves beat memory.copy, a call into the runtime, on the short
 * tails of top-k lists.
 */
export const shiftKernel: WasmFunction = {
  name: "shift",
  params: [i32, i32, i32],
  locals: [i32],
  // prettier-ignore
  body: [
    ...get(S_TO), ...set(S_I),
    ...op.block,
    ...op.loop,
    ...get(S_I), ...get(S_FROM), ...op.i32Sub, ...op.i32Const(4), ...op.i32LtU, ...op.brIf(1),
    ...get(S_I), ...op.i32Const(4), ...op.i32Sub, ...set(S_I),
    ...slot(S_BASE, S_I), ...op.i32Const(4), ...op.i32Add,
    ...slot(S_BASE, S_I), ...op.v128Load,
    ...op.v128Store,
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.block,
    ...op.loop,
    ...get(S_FROM), ...get(S_I), ...op.i32LtU, ...op.i32Eqz, ...op.brIf(1),
    ...get(S_I), ...op.i32Const(1), ...op.i32Sub, ...set(S_I),
    ...slot(S_BASE, S_I), ...op.i32Const(4), ...op.i32Add,
    ...slot(S_BASE, S_I), ...op.i32Load,
    ...op.i32Store,
    ...op.br(0),
    ...op.end,
    ...op.end,
  ],
};

// insert(rowD, rowI, kp, k, d, id)
const I_ROW_D = 0;
const I_ROW_I = 1;
const I_KP = 2;
const I_K = 3;
const I_D = 4;
const I_ID = 5;
const I_C = 6;
const I_POS = 7;
const I_ACC = 8;
const I_SD = 9;
const I_SI = 10;
const I_VD = 11;
const I_TIES = 12;

/**
 * insert(rowD, rowI, kp, k, d, id): inserts (d, id), which must beat the row's entry k − 1,
 * at its rank, dropping that entry. The rank counts entries of smaller distance; ids are
 * compared only when some distance equals d. `shiftIndex` is shiftKernel's function index.
 */
export function insertKernel(shiftIndex: number): WasmFunction {
  /** Loops c over the row's bytes, four entries at a time, around `body`. */
  // prettier-ignore
  const forEachQuad = (body: number[]) => [
    ...op.i32Const(0), ...set(I_C),
    ...op.loop,
    ...body,
    ...get(I_C), ...op.i32Const(16), ...op.i32Add, ...tee(I_C),
    ...get(I_KP), ...op.i32Const(2), ...op.i32Shl, ...op.i32LtU, ...op.brIf(0),
    ...op.end,
  ];
  return {
    name: "insert",
    params: [i32, i32, i32, i32, f32, i32],
    locals: [i32, i32, ...repeat(v128, 5)],
    // prettier-ignore
    body: [
      ...get(I_D), ...op.f32x4Splat, ...set(I_SD),
      ...get(I_ID), ...op.i32x4Splat, ...set(I_SI),
      ...op.v128Const0, ...set(I_ACC),
      ...op.v128Const0, ...set(I_TIES),
      // count dᵢ < d (true lanes are −1), and note any dᵢ = d
      ...forEachQuad([
        ...get(I_ROW_D), ...get(I_C), ...op.i32Add, ...op.v128Load, ...set(I_VD),
        ...get(I_ACC), ...get(I_VD), ...get(I_SD), ...op.f32x4Lt, ...op.i32x4Sub, ...set(I_ACC),
        ...get(I_TIES), ...get(I_VD), ...get(I_SD), ...op.f32x4Eq, ...op.v128Or, ...set(I_TIES),
      ]),
      // count dᵢ = d with idᵢ < id
      ...get(I_TIES), ...op.v128AnyTrue,
      ...op.if,
      ...forEachQuad([
        ...get(I_ACC),
        ...get(I_ROW_D), ...get(I_C), ...op.i32Add, ...op.v128Load, ...get(I_SD), ...op.f32x4Eq,
        ...get(I_ROW_I), ...get(I_C), ...op.i32Add, ...op.v128Load, ...get(I_SI), ...op.i32x4LtU,
        ...op.v128And, ...op.i32x4Sub, ...set(I_ACC),
      ]),
      ...op.end,
      ...get(I_ACC), ...op.i32x4ExtractLane(0), ...get(I_ACC), ...op.i32x4ExtractLane(1),
      ...op.i32Add,
      ...get(I_ACC), ...op.i32x4ExtractLane(2), ...get(I_ACC), ...op.i32x4ExtractLane(3),
      ...op.i32Add, ...op.i32Add, ...set(I_POS),
      // move [pos, k − 1) one slot up in both arrays, then write (d, id) at pos
      ...[I_ROW_D, I_ROW_I].flatMap((row) => [
        ...get(row), ...get(I_POS), ...get(I_K), ...op.i32Const(1), ...op.i32Sub,
        ...op.call(shiftIndex),
      ]),
      ...slot(I_ROW_D, I_POS), ...get(I_D), ...op.f32Store,
      ...slot(I_ROW_I, I_POS), ...get(I_ID), ...op.i32Store,
    ],
  };
}

// offer(tile, stride, nx, nq, hd, hi, kp, k, xIds, qIds)
const O_TILE = 0;
const O_STRIDE = 1;
const O_NX = 2;
const O_NQ = 3;
const O_HD = 4;
const O_HI = 5;
const O_KP = 6;
const O_K = 7;
const O_X_IDS = 8;
const O_Q_IDS = 9;
const O_R = 10;
const O_ROW_T = 11;
const O_ROW_D = 12;
const O_ROW_I = 13;
const O_LAST = 14;
const O_SELF = 15;
const O_X = 16;
const O_J = 17;
const O_ID = 18;
const O_WORST = 19;
const O_D = 20;

/** Pushes base + r · n · 4 for locals base, r, n. */
// prettier-ignore
const rowAddress = (base: number, r: number, n: number) => [
  ...get(base), ...get(r), ...get(n), ...op.i32Mul, ...op.i32Const(2), ...op.i32Shl, ...op.i32Add,
];

/**
 * offer(tile, stride, nx, nq, hd, hi, kp, k, xIds, qIds): offers distances tile[r·stride + x]
 * (x < nx) as ids xIds[x] to list r < nq, skipping the id qIds[r] (0xFFFFFFFF skips none).
 * Groups of four that cannot enter are skipped with one SIMD compare. `insertIndex` is
 * insertKernel's function index.
 */
export function offerKernel(insertIndex: number): WasmFunction {
  return {
    name: "offer",
    params: [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32],
    locals: [...repeat(i32, 9), f32, f32],
    // prettier-ignore
    body: [
      ...op.i32Const(0), ...set(O_R),
      ...op.loop, // for each row r
      ...rowAddress(O_TILE, O_R, O_STRIDE), ...set(O_ROW_T),
      ...rowAddress(O_HD, O_R, O_KP), ...set(O_ROW_D),
      ...rowAddress(O_HI, O_R, O_KP), ...set(O_ROW_I),
      ...get(O_K), ...op.i32Const(1), ...op.i32Sub, ...op.i32Const(2), ...op.i32Shl, ...set(O_LAST),
      ...slot(O_Q_IDS, O_R), ...op.i32Load, ...set(O_SELF),
      ...get(O_ROW_D), ...get(O_LAST), ...op.i32Add, ...op.f32Load, ...set(O_WORST),
      ...op.i32Const(0), ...set(O_X),
      ...op.loop, // for each group of four columns x .. x + 3
      ...slot(O_ROW_T, O_X), ...op.v128Load, ...get(O_WORST), ...op.f32x4Splat, ...op.f32x4Le,
      ...op.v128AnyTrue,
      ...op.if,
      ...get(O_X), ...set(O_J),
      ...op.loop, // for each column j of the group, j < nx
      ...slot(O_ROW_T, O_J), ...op.f32Load, ...set(O_D),
      ...slot(O_X_IDS, O_J), ...op.i32Load, ...set(O_ID),
      ...get(O_D), ...get(O_WORST), ...op.f32Lt,
      ...get(O_D), ...get(O_WORST), ...op.f32Eq,
      ...get(O_ID), ...get(O_ROW_I), ...get(O_LAST), ...op.i32Add, ...op.i32Load, ...op.i32LtU,
      ...op.i32And,
      ...op.i32Or,
      ...get(O_ID), ...get(O_SELF), ...op.i32Ne, ...op.i32And,
      ...op.if,
      ...get(O_ROW_D), ...get(O_ROW_I), ...get(O_KP), ...get(O_K), ...get(O_D), ...get(O_ID),
      ...op.call(insertIndex),
      ...get(O_ROW_D), ...get(O_LAST), ...op.i32Add, ...op.f32Load, ...set(O_WORST),
      ...op.end,
      ...get(O_J), ...op.i32Const(1), ...op.i32Add, ...tee(O_J),
      ...get(O_X), ...op.i32Const(4), ...op.i32Add, ...op.i32LtU,
      ...get(O_J), ...get(O_NX), ...op.i32LtU, ...op.i32And,
      ...op.brIf(0),
      ...op.end,
      ...op.end,
      ...get(O_X), ...op.i32Const(4), ...op.i32Add, ...tee(O_X),
      ...get(O_NX), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
      ...get(O_R), ...op.i32Const(1), ...op.i32Add, ...tee(O_R),
      ...get(O_NQ), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
    ],
  };
}
