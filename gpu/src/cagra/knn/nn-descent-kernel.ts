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
 * NN-descent's list updates in WebAssembly. Each list is k (distance f32, id u32) pairs
 * sorted ascending by distance, the "new" flag in bit 31 of the id. Late iterations offer
 * mostly pairs that are linked already, so the duplicate test dominates: scanning the whole
 * list made a JavaScript version spend 90% of its time there. A join runs in two steps, so
 * that threads can share the lists (nn-descent-block.ts): `emit` reads the lists and writes
 * the entries that would enter them; `apply` offers those entries to the lists. `emit` stamps
 * a list's ids (four per SIMD load) once a partner of its batch beats the list's last entry,
 * so a listed partner costs one load; reading the lists is most of a join's time. `update`
 * finds a new entry's slot by a branch-free binary search on its distance (a pair's distance
 * is the same bits wherever it is computed, distance-kernel.ts, so a duplicate would sit in
 * the run of equal distances it scans; `apply` relies on this for entries of the same pair
 * emitted by two joins).
 */

const get = op.localGet;
const set = op.localSet;
const slot = elementAddress;

const NEW = 0x80000000 | 0;
const ID = 0x7fffffff;

// update(rowD, rowI, k, d, id) → 1 if inserted
const U_ROW_D = 0;
const U_ROW_I = 1;
const U_K = 2;
const U_D = 3;
const U_ID = 4;
const U_BASE = 5;
const U_N = 6;
const U_HALF = 7;
const U_POS = 8;

/**
 * update(rowD, rowI, k, d, id) → 1 if (d, id) was inserted (flagged new), 0 if the list holds
 * id already or (d, id) does not beat its last entry. Equal distances keep arrival order.
 * `shiftIndex` is shiftKernel's function index (top-k-kernel.ts).
 */
export function updateKernel(shiftIndex: number): WasmFunction {
  return {
    name: "update",
    params: [i32, i32, i32, f32, i32],
    results: [i32],
    locals: [i32, i32, i32, i32],
    // prettier-ignore
    body: [
    // base = the last slot whose distance is < d, found by halving without branches
    ...op.i32Const(0), ...set(U_BASE),
    ...get(U_K), ...set(U_N),
    ...op.block,
    ...op.loop,
    ...get(U_N), ...op.i32Const(1), ...op.i32GtU, ...op.i32Eqz, ...op.brIf(1),
    ...get(U_N), ...op.i32Const(1), ...op.i32ShrU, ...set(U_HALF),
    ...get(U_BASE), ...get(U_HALF), ...op.i32Add,
    ...get(U_BASE),
    ...get(U_ROW_D), ...get(U_BASE), ...get(U_HALF), ...op.i32Add, ...op.i32Const(2), ...op.i32Shl,
    ...op.i32Add, ...op.f32Load, ...get(U_D), ...op.f32Lt,
    ...op.select, ...set(U_BASE),
    ...get(U_N), ...get(U_HALF), ...op.i32Sub, ...set(U_N),
    ...op.br(0),
    ...op.end,
    ...op.end,
    // pos = the first slot whose distance is ≥ d
    ...get(U_BASE),
    ...slot(U_ROW_D, U_BASE), ...op.f32Load, ...get(U_D), ...op.f32Lt,
    ...op.i32Add, ...set(U_POS),
    // skip the entries of equal distance; one of them may be id itself
    ...op.block,
    ...op.loop,
    ...get(U_POS), ...get(U_K), ...op.i32GeU, ...op.brIf(1),
    ...slot(U_ROW_D, U_POS), ...op.f32Load, ...get(U_D), ...op.f32Eq, ...op.i32Eqz, ...op.brIf(1),
    ...slot(U_ROW_I, U_POS), ...op.i32Load, ...op.i32Const(ID), ...op.i32And, ...get(U_ID),
    ...op.i32Eq,
    ...op.if, ...op.i32Const(0), ...op.return, ...op.end,
    ...get(U_POS), ...op.i32Const(1), ...op.i32Add, ...set(U_POS),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...get(U_POS), ...get(U_K), ...op.i32GeU,
    ...op.if, ...op.i32Const(0), ...op.return, ...op.end,
    // move [pos, k − 1) one slot up in both arrays, then write (d, id | NEW) at pos
    ...[U_ROW_D, U_ROW_I].flatMap((row) => [
      ...get(row), ...get(U_POS), ...get(U_K), ...op.i32Const(1), ...op.i32Sub,
      ...op.call(shiftIndex),
    ]),
    ...slot(U_ROW_D, U_POS), ...get(U_D), ...op.f32Store,
    ...slot(U_ROW_I, U_POS), ...get(U_ID), ...op.i32Const(NEW), ...op.i32Or, ...op.i32Store,
    ...op.i32Const(1),
  ],
  };
}

// emit(tile, ldo, rows, nNew, count, gd, gi, k, stamps, mark, out) → entries written
const J_TILE = 0;
const J_LDO = 1;
const J_ROWS = 2;
const J_NNEW = 3;
const J_COUNT = 4;
const J_GD = 5;
const J_GI = 6;
const J_K = 7;
const J_STAMPS = 8;
const J_MARK = 9;
const J_OUT = 10;
const J_EMITTED = 11;
const J_P = 12;
const J_X = 13;
const J_Y = 14;
const J_A = 15;
const J_B = 16;
const J_ROW_BYTES = 17;
const J_LIST_D = 18;
const J_LIST_I = 19;
const J_S = 20;
const J_END = 21;
const J_M = 22;
const J_STAMPED = 23;
const J_AT = 24;
const J_STEP = 25;
const J_LAST = 26;
const J_D = 27;
const J_IDS = 28;
const J_MASK = 29;
const J_BASE = 30;

/** Pushes the byte address of stamps[id] for the id on top of the stack. */
// prettier-ignore
const stampOf = [...op.i32Const(2), ...op.i32Shl, ...get(J_STAMPS), ...op.i32Add];

/**
 * Stamps the ids of list J_LIST_I with J_M, four at a time: the ids' stamp addresses come from
 * one SIMD load (id & ID, times 4, plus the stamps' base), then four scalar stores.
 */
// prettier-ignore
const stampList = [
  ...op.i32Const(0), ...set(J_S),
  ...op.block,
  ...op.loop,
  ...get(J_S), ...op.i32Const(4), ...op.i32Add, ...get(J_K), ...op.i32GtU, ...op.brIf(1),
  ...slot(J_LIST_I, J_S), ...op.v128Load, ...get(J_MASK), ...op.v128And, ...op.localTee(J_IDS),
  ...get(J_IDS), ...op.i32x4Add, ...op.localTee(J_IDS), ...get(J_IDS), ...op.i32x4Add,
  ...get(J_BASE), ...op.i32x4Add, ...set(J_IDS),
  ...[0, 1, 2, 3].flatMap((lane) => [
    ...get(J_IDS), ...op.i32x4ExtractLane(lane), ...get(J_M), ...op.i32Store,
  ]),
  ...get(J_S), ...op.i32Const(4), ...op.i32Add, ...set(J_S),
  ...op.br(0),
  ...op.end,
  ...op.end,
  ...op.block,
  ...op.loop,
  ...get(J_S), ...get(J_K), ...op.i32GeU, ...op.brIf(1),
  ...slot(J_LIST_I, J_S), ...op.i32Load, ...op.i32Const(ID), ...op.i32And, ...stampOf,
  ...get(J_M), ...op.i32Store,
  ...get(J_S), ...op.i32Const(1), ...op.i32Add, ...set(J_S),
  ...op.br(0),
  ...op.end,
  ...op.end,
];

/**
 * emit(tile, ldo, rows, nNew, count, gd, gi, k, stamps, mark, out) → entries written: the
 * first phase of a parallel iteration, which reads the lists and writes none. Every pair
 * (rows[x], rows[y]) with x or y < nNew, at distance tile[min·ldo + max] (the tile's rows are
 * the first nNew ids), that beats the last entry of a = rows[x]'s list (at gd/gi + a·k·4) and
 * is not in it yet, is written at `out` as (a, b, d): 12 bytes an entry, row by row. When a
 * partner first beats a list's last entry, the list's ids are stamped (stamps[id] = mark + x),
 * so that a partner already listed costs one load instead of a search; `stamps` has a slot for
 * every id and for the empty id N. Row x's distances are read down column x of the tile up
 * to the diagonal, then along row x. `apply` offers the entries to the lists afterwards.
 */
export const emitKernel: WasmFunction = {
  name: "emit",
  params: repeat(i32, 11),
  results: [i32],
  locals: [...repeat(i32, 15), f32, f32, v128, v128, v128],
  // prettier-ignore
  body: [
      ...op.i32Const(0), ...set(J_EMITTED),
      ...get(J_OUT), ...set(J_P),
      ...get(J_K), ...op.i32Const(2), ...op.i32Shl, ...set(J_ROW_BYTES),
      ...op.i32Const(ID), ...op.i32x4Splat, ...set(J_MASK),
      ...get(J_STAMPS), ...op.i32x4Splat, ...set(J_BASE),
      ...op.i32Const(0), ...set(J_X),
      ...op.loop, // for each gathered row x: the list of a = rows[x]
      ...slot(J_ROWS, J_X), ...op.i32Load, ...set(J_A),
      ...get(J_GD), ...get(J_A), ...get(J_ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...set(J_LIST_D),
      ...get(J_GI), ...get(J_A), ...get(J_ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...set(J_LIST_I),
      ...get(J_MARK), ...get(J_X), ...op.i32Add, ...set(J_M),
      ...op.i32Const(0), ...set(J_STAMPED),
      ...get(J_LIST_D), ...get(J_ROW_BYTES), ...op.i32Add, ...op.i32Const(4), ...op.i32Sub,
      ...op.f32Load, ...set(J_LAST),
      // partners: every other row if x is new, else the new rows
      ...get(J_COUNT), ...get(J_NNEW), ...get(J_X), ...get(J_NNEW), ...op.i32LtU, ...op.select,
      ...set(J_END),
      // tile[y][x] for y < x: down column x
      ...slot(J_TILE, J_X), ...set(J_AT),
      ...get(J_LDO), ...op.i32Const(2), ...op.i32Shl, ...set(J_STEP),
      ...op.i32Const(0), ...set(J_Y),
      ...op.block,
      ...op.loop,
      ...get(J_Y), ...get(J_END), ...op.i32GeU, ...op.brIf(1),
      ...op.block,
      // at the diagonal, go on along row x: tile[x][y] for y > x
      ...get(J_Y), ...get(J_X), ...op.i32Eq,
      ...op.if,
      ...get(J_TILE), ...get(J_X), ...get(J_LDO), ...op.i32Mul, ...get(J_X), ...op.i32Add,
      ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...set(J_AT),
      ...op.i32Const(4), ...set(J_STEP),
      ...op.br(1),
      ...op.end,
      // skip unless it beats the last entry and is not listed yet
      ...get(J_AT), ...op.f32Load, ...op.localTee(J_D), ...get(J_LAST), ...op.f32Lt, ...op.i32Eqz,
      ...op.brIf(0),
      ...slot(J_ROWS, J_Y), ...op.i32Load, ...set(J_B),
      ...get(J_STAMPED), ...op.i32Eqz,
      ...op.if,
      ...stampList,
      ...op.i32Const(1), ...set(J_STAMPED),
      ...op.end,
      ...get(J_B), ...stampOf, ...op.i32Load, ...get(J_M), ...op.i32Eq, ...op.brIf(0),
      ...get(J_B), ...stampOf, ...get(J_M), ...op.i32Store,
      ...get(J_P), ...get(J_A), ...op.i32Store,
      ...get(J_P), ...op.i32Const(4), ...op.i32Add, ...get(J_B), ...op.i32Store,
      ...get(J_P), ...op.i32Const(8), ...op.i32Add, ...get(J_D), ...op.f32Store,
      ...get(J_P), ...op.i32Const(12), ...op.i32Add, ...set(J_P),
      ...get(J_EMITTED), ...op.i32Const(1), ...op.i32Add, ...set(J_EMITTED),
      ...op.end,
      ...get(J_Y), ...op.i32Const(1), ...op.i32Add, ...set(J_Y),
      ...get(J_AT), ...get(J_STEP), ...op.i32Add, ...set(J_AT),
      ...op.br(0),
      ...op.end,
      ...op.end,
      ...get(J_X), ...op.i32Const(1), ...op.i32Add, ...op.localTee(J_X),
      ...get(J_COUNT), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
      ...get(J_EMITTED),
    ],
};

// apply(entries, count, shift, mask, stripe, gd, gi, k) → entries inserted
const A_ENTRIES = 0;
const A_COUNT = 1;
const A_SHIFT = 2;
const A_MASK = 3;
const A_STRIPE = 4;
const A_GD = 5;
const A_GI = 6;
const A_K = 7;
const A_INSERTED = 8;
const A_END = 9;
const A_P = 10;
const A_ID = 11;
const A_ROW_BYTES = 12;

/**
 * apply(entries, count, shift, mask, stripe, gd, gi, k) → entries inserted: the second phase
 * of a parallel iteration. Offers each of the `count` entries (a, b, d) that `emit` wrote at
 * `entries`, in order, to the list of a if a lies in the stripe (a >> shift & mask ===
 * stripe), through `update`, which skips ids already listed. Threads applying different
 * stripes touch different lists, and each list gets its offers in the order they were
 * emitted. `updateIndex` is updateKernel's function index.
 */
export function applyKernel(updateIndex: number): WasmFunction {
  return {
    name: "apply",
    params: repeat(i32, 8),
    results: [i32],
    locals: repeat(i32, 5),
    // prettier-ignore
    body: [
      ...op.i32Const(0), ...set(A_INSERTED),
      ...get(A_K), ...op.i32Const(2), ...op.i32Shl, ...set(A_ROW_BYTES),
      ...get(A_ENTRIES), ...set(A_P),
      ...get(A_ENTRIES), ...get(A_COUNT), ...op.i32Const(12), ...op.i32Mul, ...op.i32Add,
      ...set(A_END),
      ...op.block,
      ...op.loop,
      ...get(A_P), ...get(A_END), ...op.i32GeU, ...op.brIf(1),
      ...get(A_P), ...op.i32Load, ...set(A_ID),
      ...get(A_ID), ...get(A_SHIFT), ...op.i32ShrU, ...get(A_MASK), ...op.i32And,
      ...get(A_STRIPE), ...op.i32Eq,
      ...op.if,
      ...get(A_INSERTED),
      ...get(A_GD), ...get(A_ID), ...get(A_ROW_BYTES), ...op.i32Mul, ...op.i32Add,
      ...get(A_GI), ...get(A_ID), ...get(A_ROW_BYTES), ...op.i32Mul, ...op.i32Add,
      ...get(A_K),
      ...get(A_P), ...op.i32Const(8), ...op.i32Add, ...op.f32Load,
      ...get(A_P), ...op.i32Const(4), ...op.i32Add, ...op.i32Load,
      ...op.call(updateIndex),
      ...op.i32Add, ...set(A_INSERTED),
      ...op.end,
      ...get(A_P), ...op.i32Const(12), ...op.i32Add, ...set(A_P),
      ...op.br(0),
      ...op.end,
      ...op.end,
      ...get(A_INSERTED),
    ],
  };
}
