import { elementAddress, i32, op, type WasmFunction } from "../../cpu/wasm-encoding.js";

/*
 * The detour count of one kNN row in WebAssembly: the I² lookups "at which rank, after kAD,
 * does A list B?" are the whole cost of optimize(), and here each is one load from a rank
 * table indexed by id, with no branch and no bounds check (5× faster than the same loop in
 * JavaScript). The table answers only ranks > kAD: loading the row stores each id's first
 * rank and chains later copies (`next`); before D's list is scanned, D's own entry (rank kAD,
 * necessarily its first remaining copy) is replaced by its next copy. An id A does not list
 * after kAD maps to one of 8 scratch counters past `degree` (by its low bits, so successive
 * misses do not wait on each other), so every lookup increments a counter unconditionally.
 */

const get = op.localGet;
const set = op.localSet;
const tee = op.localTee;
const slot = elementAddress;

/** Scratch counters past `degree` that absent ids increment (see absentRank). */
export const SCRATCH_SLOTS = 8;

/** The rank table's value for an id the loaded row does not list (at or after kAD). */
export function absentRank(id: number, degree: number): number {
  return degree + (id & (SCRATCH_SLOTS - 1));
}

// detours(graph, n, degree, row, rank, next, counts)
const GRAPH = 0;
const N = 1;
const DEGREE = 2;
const ROW = 3;
const RANK = 4;
const NEXT = 5;
const COUNTS = 6;
const BASE = 7;
const K = 8;
const ID = 9;
const AT = 10;
const END = 11;
const ROW_BYTES = 12;
const C = 13;

/** Pushes the byte address of rank[id] for the id in local `id`. */
const rankOf = (id: number) => slot(RANK, id);

/**
 * detours(graph, n, degree, row, rank, next, counts): the detour counts of `row` of the graph
 * [n, degree] at `graph`, written to counts[0 .. degree) as cuVS's `kern_fused_prune` counts
 * them (see detour-count.ts), saturated at 0xFFFF. Ids ≥ n must have been replaced by n
 * (their count is 0xFFFF). On entry and on return, rank[id] = absentRank(id, degree) for
 * every id ≤ n; `next` has `degree` slots, `counts` degree + SCRATCH_SLOTS.
 */
export const detourKernel: WasmFunction = {
  name: "detours",
  params: [i32, i32, i32, i32, i32, i32, i32],
  locals: [i32, i32, i32, i32, i32, i32, i32],
  // prettier-ignore
  body: [
    ...get(DEGREE), ...op.i32Const(2), ...op.i32Shl, ...set(ROW_BYTES),
    ...get(GRAPH), ...get(ROW), ...get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...set(BASE),
    // Load the row backwards, so rank[id] ends at the first copy and next[k] links to the
    // following copy (or holds the absent value). A self-edge starts at `degree` detours.
    ...get(DEGREE), ...set(K),
    ...op.block,
    ...op.loop,
    ...get(K), ...op.i32Eqz, ...op.brIf(1),
    ...get(K), ...op.i32Const(1), ...op.i32Sub, ...set(K),
    ...slot(BASE, K), ...op.i32Load, ...set(ID),
    ...slot(COUNTS, K), ...get(DEGREE), ...op.i32Const(0), ...get(ID), ...get(ROW), ...op.i32Eq,
    ...op.select, ...op.i32Store,
    ...get(ID), ...get(N), ...op.i32LtU,
    ...op.if,
    ...slot(NEXT, K), ...rankOf(ID), ...op.i32Load, ...op.i32Store,
    ...rankOf(ID), ...get(K), ...op.i32Store,
    ...op.end,
    ...op.br(0),
    ...op.end,
    ...op.end,
    // For kAD = 0 .. degree − 2 and D = row[kAD] < n: drop D's copy at kAD from the table,
    // then count every B in D's list at its rank (or in a scratch counter).
    ...op.block,
    ...op.loop,
    ...get(K), ...op.i32Const(1), ...op.i32Add, ...get(DEGREE), ...op.i32GeU, ...op.brIf(1),
    ...slot(BASE, K), ...op.i32Load, ...tee(ID), ...get(N), ...op.i32LtU,
    ...op.if,
    ...rankOf(ID), ...slot(NEXT, K), ...op.i32Load, ...op.i32Store,
    ...get(GRAPH), ...get(ID), ...get(ROW_BYTES), ...op.i32Mul, ...op.i32Add, ...tee(AT),
    ...get(ROW_BYTES), ...op.i32Add, ...set(END),
    ...op.loop,
    ...get(AT), ...op.i32Load, ...op.i32Const(2), ...op.i32Shl, ...get(RANK), ...op.i32Add,
    ...op.i32Load, ...op.i32Const(2), ...op.i32Shl, ...get(COUNTS), ...op.i32Add, ...tee(C),
    ...get(C), ...op.i32Load, ...op.i32Const(1), ...op.i32Add, ...op.i32Store,
    ...get(AT), ...op.i32Const(4), ...op.i32Add, ...tee(AT),
    ...get(END), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    ...op.end,
    ...get(K), ...op.i32Const(1), ...op.i32Add, ...set(K),
    ...op.br(0),
    ...op.end,
    ...op.end,
    // Reset the row's ids in the table; saturate, and give ids ≥ n the maximum.
    ...op.i32Const(0), ...set(K),
    ...op.block,
    ...op.loop,
    ...get(K), ...get(DEGREE), ...op.i32GeU, ...op.brIf(1),
    ...slot(BASE, K), ...op.i32Load, ...tee(ID), ...get(N), ...op.i32LtU,
    ...op.if,
    ...rankOf(ID), ...get(DEGREE), ...get(ID), ...op.i32Const(SCRATCH_SLOTS - 1), ...op.i32And,
    ...op.i32Add, ...op.i32Store,
    ...op.end,
    ...slot(COUNTS, K),
    ...op.i32Const(0xffff), ...slot(COUNTS, K), ...op.i32Load, ...tee(C),
    ...get(C), ...op.i32Const(0xffff), ...op.i32GtU, ...get(ID), ...get(N), ...op.i32GeU, ...op.i32Or,
    ...op.select, ...op.i32Store,
    ...get(K), ...op.i32Const(1), ...op.i32Add, ...set(K),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ],
};
