import {
  assembleModule,
  i32,
  op,
  repeat,
  v128,
  type WasmFunction,
} from "../../cpu/wasm-encoding.js";
import { horizontalSums } from "../../cpu/wasm-horizontal-sums.js";
import { compileModule, instantiate, type WasmModule } from "../../cpu/wasm-instance.js";
import type { Matrix } from "../../common/matrix.js";
import type { StorageKind, VectorStorage } from "../storage/vector-storage.js";
import type { Metric } from "../types.js";
import { ensureBytes, paddedRows, writePaddedRows } from "./wasm-rows.js";

/*
 * Distances from one query to scattered dataset rows (the children of a search step), by
 * WebAssembly SIMD kernels that read the stored encoding (f32, f16 or int8) directly: one call
 * per list of ids, four rows at a time, f32x4 lanes over the dimension, f32 sums as on a GPU.
 * Plain JavaScript spends 5–10× longer per 128-d distance, which is most of a search, and a
 * call per list (not per four rows) keeps the JS↔WebAssembly crossings out of the hot loop.
 *
 * Each 16-byte block of a row holds 4 f32, 8 f16 or 16 int8 values; it is decoded in
 * registers (no scratch copy) and met by the matching 1, 2 or 4 f32x4 blocks of the query:
 * - f16: the 15 magnitude bits shifted into an f32's place and multiplied by 2^112 give the
 *   value exactly (subnormal halves included), then the sign bit is or-ed back;
 * - int8: codes are widened to i32, converted and multiplied by the column's scale, giving
 *   value − offset; the query is stored as q − offset for L2, and for dot products Σ q·offset
 *   is added once per query.
 * The dataset is copied once into the module's memory, rows zero-padded to 16 bytes.
 */

// Parameters: query, scale, ids and out byte addresses; ids to do (a multiple of 4); row bytes.
const Q = 0;
const S = 1;
const IDS = 2;
const COUNT = 3;
const ROW_BYTES = 4;
const OUT = 5;
// i32 locals.
const I = 6;
const C = 7;
const X = [8, 9, 10, 11]; // byte addresses of the four rows
const QP = 12;
const SP = 13;
// v128 locals.
const ACC = 14; // four accumulators
const B = 18; // four query blocks
const SC = 22; // four scale blocks (int8)
const RAW = 26;
const A = 27;
const T0 = 28;
const T1 = 29;
const MASK_MAG = 30;
const MASK_SIGN = 31;
const POW2_112 = 32;
const LOCALS = [...repeat(i32, 8), ...repeat(v128, 19)];

const get = op.localGet;
const set = op.localSet;

// (x − q)², using A as scratch; and x · q. Both take x, then q, on the stack.
const squaredDifference = [...op.f32x4Sub, ...set(A), ...get(A), ...get(A), ...op.f32x4Mul];
const product = [...op.f32x4Mul];

/** f32x4 of four halves held as u32 lanes on the stack (exact for finite halves). */
// prettier-ignore
const halfToFloat = [
  ...op.i32Const(13), ...op.i32x4Shl, ...set(T0),
  ...get(T0), ...get(MASK_MAG), ...op.v128And, ...get(POW2_112), ...op.f32x4Mul,
  ...get(T0), ...get(MASK_SIGN), ...op.v128And, ...op.i32Const(3), ...op.i32x4Shl,
  ...op.v128Or,
];

/** The decoded f32x4 blocks of RAW, in column order: instructions leaving each on the stack. */
function decodedBlocks(kind: StorageKind): number[][] {
  switch (kind) {
    case "f32":
      return [get(RAW)];
    case "f16":
      return [op.i32x4ExtendLowI16x8U, op.i32x4ExtendHighI16x8U].map((widen) => [
        ...get(RAW),
        ...widen,
        ...halfToFloat,
      ]);
    case "int8":
      return [op.i16x8ExtendLowI8x16S, op.i16x8ExtendHighI8x16S].flatMap((half, h) =>
        [op.i32x4ExtendLowI16x8S, op.i32x4ExtendHighI16x8S].map((quarter, q) => [
          // The i16 half is widened twice; recomputing it is cheaper than a local round trip.
          ...get(RAW),
          ...half,
          ...quarter,
          ...op.f32x4ConvertI32x4S,
          ...get(SC + 2 * h + q),
          ...op.f32x4Mul,
        ]),
      );
  }
}

/** out[i] = Σ term(x_ids[i], q) for i < count, four rows per pass. */
function listKernel(name: string, kind: StorageKind, term: number[]): WasmFunction {
  const blocks = decodedBlocks(kind);
  const step = 16 * blocks.length; // query (and scale) bytes per 16 row bytes
  // prettier-ignore
  const constants = kind === "f16" ? [
    ...op.v128ConstI32x4([0x0fffe000, 0x0fffe000, 0x0fffe000, 0x0fffe000]), ...set(MASK_MAG),
    ...op.v128ConstI32x4([0x10000000, 0x10000000, 0x10000000, 0x10000000]), ...set(MASK_SIGN),
    ...op.v128ConstI32x4([0x77800000, 0x77800000, 0x77800000, 0x77800000]), ...set(POW2_112),
  ] : [];
  // prettier-ignore
  const loadBlocks = blocks.flatMap((_, j) => [
    ...get(QP), ...op.i32Const(16 * j), ...op.i32Add, ...op.v128Load, ...set(B + j),
    ...(kind === "int8"
      ? [...get(SP), ...op.i32Const(16 * j), ...op.i32Add, ...op.v128Load, ...set(SC + j)]
      : []),
  ]);
  // prettier-ignore
  const accumulateRow = (r: number): number[] => [
    ...get(X[r]!), ...get(C), ...op.i32Add, ...op.v128Load, ...set(RAW),
    ...blocks.flatMap((decode, j) => [
      ...get(ACC + r), ...decode, ...get(B + j), ...term, ...op.f32x4Add, ...set(ACC + r),
    ]),
  ];
  // prettier-ignore
  const body = [
    ...constants,
    ...op.i32Const(0), ...set(I),
    ...op.block, ...op.loop,
    ...get(I), ...get(COUNT), ...op.i32GeU, ...op.brIf(1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(IDS), ...get(I), ...op.i32Const(r), ...op.i32Add, ...op.i32Const(2), ...op.i32Shl,
      ...op.i32Add, ...op.i32Load, ...get(ROW_BYTES), ...op.i32Mul, ...set(X[r]!),
      ...op.v128Const0, ...set(ACC + r),
    ]),
    ...op.i32Const(0), ...set(C),
    ...get(Q), ...set(QP),
    ...get(S), ...set(SP),
    ...op.loop,
    ...loadBlocks,
    ...[0, 1, 2, 3].flatMap(accumulateRow),
    ...get(QP), ...op.i32Const(step), ...op.i32Add, ...set(QP),
    ...get(SP), ...op.i32Const(step), ...op.i32Add, ...set(SP),
    ...get(C), ...op.i32Const(16), ...op.i32Add, ...op.localTee(C),
    ...get(ROW_BYTES), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    ...get(OUT), ...get(I), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add,
    ...horizontalSums([ACC, ACC + 1, ACC + 2, ACC + 3], [T0, T1]), ...op.v128Store,
    ...get(I), ...op.i32Const(4), ...op.i32Add, ...set(I),
    ...op.br(0),
    ...op.end, ...op.end,
  ];
  return { name, params: repeat(i32, 6), locals: LOCALS, body };
}

const KINDS: readonly StorageKind[] = ["f32", "f16", "int8"];

let compiled: WasmModule | undefined;
function distanceModule(): WasmModule {
  compiled ??= compileModule(
    assembleModule(
      1,
      KINDS.flatMap((kind) => [
        listKernel(`l2_${kind}`, kind, squaredDifference),
        listKernel(`dot_${kind}`, kind, product),
      ]),
    ),
  );
  return compiled;
}

type Kernel = (q: number, s: number, ids: number, count: number, rb: number, out: number) => void;

/** Ids per kernel call; longer lists are done in pieces. */
const CHUNK = 1024;

/** A dataset in WebAssembly memory, with slots for the query, scales, ids and results. */
interface Loaded {
  readonly storage: VectorStorage;
  readonly l2: Kernel;
  readonly dot: Kernel;
  readonly memory: ArrayBuffer;
  readonly rowBytes: number;
  /** Query (and scale) length in f32, a multiple of the kind's values per block. */
  readonly paddedCols: number;
  readonly queryAt: number;
  readonly scaleAt: number;
  readonly idsAt: number;
  readonly outAt: number;
}

// One copy per stored array (and shape), reused by every search over it; the vectors are not
// expected to change in place between searches.
const loaded = new WeakMap<ArrayBufferView, Loaded>();

function load(storage: VectorStorage): Loaded {
  const cached = loaded.get(storage.data);
  if (
    cached !== undefined &&
    cached.storage.kind === storage.kind &&
    cached.storage.rows === storage.rows &&
    cached.storage.cols === storage.cols
  ) {
    return cached;
  }
  const { rows, cols, kind } = storage;
  const { paddedCols, rowBytes } = paddedRows(kind, cols);
  const queryAt = rows * rowBytes;
  const scaleAt = queryAt + paddedCols * 4;
  const idsAt = scaleAt + paddedCols * 4;
  const outAt = idsAt + CHUNK * 4;
  const total = outAt + CHUNK * 4;
  const instance = instantiate(distanceModule());
  const memory = instance.memory;
  const buffer = ensureBytes(memory, total, () => `the dataset (${rows} × ${cols} ${kind})`);
  writePaddedRows(storage, buffer, 0, paddedCols);
  if (storage.kind === "int8") new Float32Array(buffer, scaleAt, cols).set(storage.scale);
  const exports = instance.exports;
  const entry: Loaded = {
    storage,
    l2: exports[`l2_${kind}`] as Kernel,
    dot: exports[`dot_${kind}`] as Kernel,
    memory: buffer,
    rowBytes,
    paddedCols,
    queryAt,
    scaleAt,
    idsAt,
    outAt,
  };
  loaded.set(storage.data, entry);
  return entry;
}

/** Internal distances from one query at a time to any rows of a dataset. */
export interface RowDistances {
  /** Makes row `q` of `queries` (prepared for the metric) the query of later calls. */
  setQuery(queries: Matrix, q: number): void;
  /** out[i] = internal distance (f32) from the query to row ids[i], for i < count. */
  compute(ids: Uint32Array, count: number, out: Float32Array): void;
}

/**
 * Distances to rows of `vectors` (prepared for `metric`, in any storage kind): squared L2,
 * −dot for inner product, 1 − dot for cosine, over the values the storage decodes to. The
 * first call per stored array copies it into WebAssembly memory.
 *
 * @example
 * const dist = rowDistances(encodeVectors(dataset, "f16"), "sqeuclidean");
 * dist.setQuery(queries, 0);
 * dist.compute(new Uint32Array([5, 9]), 2, out); // out[0], out[1]
 */
export function rowDistances(vectors: VectorStorage, metric: Metric): RowDistances {
  const { l2, dot, memory, rowBytes, paddedCols, queryAt, scaleAt, idsAt, outAt } = load(vectors);
  const kernel = metric === "sqeuclidean" ? l2 : dot;
  const heap = new Float32Array(memory);
  const ids32 = new Uint32Array(memory);
  const query = heap.subarray(queryAt >>> 2, (queryAt >>> 2) + paddedCols);
  const offset = vectors.kind === "int8" ? vectors.offset : undefined;
  // Internal = sign·(sum + shift) + bias: L2 as is, IP −dot, cosine 1 − dot; the shift is
  // Σ q·offset for an int8 dot product (see the note above).
  const sign = metric === "sqeuclidean" ? 1 : -1;
  const bias = metric === "cosine" ? 1 : 0;
  let shift = 0;
  const result = outAt >>> 2;
  return {
    setQuery(queries, q) {
      query.fill(0);
      const row = queries.data.subarray(q * queries.cols, (q + 1) * queries.cols);
      query.set(row);
      shift = 0;
      if (offset === undefined) return;
      if (metric === "sqeuclidean") {
        for (let c = 0; c < row.length; c++) query[c] = row[c]! - offset[c]!;
      } else {
        for (let c = 0; c < row.length; c++) shift += row[c]! * offset[c]!;
      }
    },
    compute(ids, count, out) {
      for (let start = 0; start < count; start += CHUNK) {
        const n = Math.min(CHUNK, count - start);
        const padded = Math.ceil(n / 4) * 4;
        const at = idsAt >>> 2;
        ids32.set(ids.subarray(start, start + n), at);
        // A short last group repeats the list's first row; the extra results are not read.
        ids32.fill(ids[start]!, at + n, at + padded);
        kernel(queryAt, scaleAt, idsAt, padded, rowBytes, outAt);
        if (sign === 1 && bias === 0 && shift === 0) {
          out.set(heap.subarray(result, result + n), start);
        } else {
          for (let i = 0; i < n; i++) {
            out[start + i] = Math.fround(sign * (heap[result + i]! + shift) + bias);
          }
        }
      }
    },
  };
}
