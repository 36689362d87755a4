import type { Matrix } from "../../common/matrix.js";
import { assembleModule, i32, op, v128, type WasmFunction } from "../../cpu/wasm-encoding.js";
import { compileModule, instantiate, type WasmModule } from "../../cpu/wasm-instance.js";
import type { Metric } from "../types.js";

/*
 * Distances from one query to scattered dataset rows (the children of a search step), by a
 * WebAssembly SIMD kernel: four rows per call, f32x4 lanes over the dimension, f32 sums as on
 * a GPU. Plain JavaScript spends 5–10× longer per 128-d distance, which is most of a search.
 * The dataset is copied once into the module's memory, rows zero-padded to a multiple of 4.
 */

// Kernel parameters and locals.
const Q = 0; // byte address of the query
const X = [1, 2, 3, 4]; // byte addresses of four rows
const ROW_BYTES = 5; // padded row length in bytes, a positive multiple of 16
const OUT = 6; // byte address of the four f32 results
const C = 7;
const B = 8;
const A = 9;
const ACC = 10; // four accumulators
const T0 = 14;
const T1 = 15;

const get = op.localGet;
const set = op.localSet;

/** [Σa, Σb, Σc, Σd] of four f32x4 locals, left on the stack. */
function horizontalSums(a: number, b: number, c: number, d: number): number[] {
  // prettier-ignore
  const pairSums = (u: number, v: number, t: number): number[] => [
    ...get(u), ...get(v), ...op.f32x4Shuffle([0, 1, 4, 5]),
    ...get(u), ...get(v), ...op.f32x4Shuffle([2, 3, 6, 7]),
    ...op.f32x4Add, ...set(t),
  ];
  // prettier-ignore
  return [
    ...pairSums(a, b, T0),
    ...pairSums(c, d, T1),
    ...get(T0), ...get(T1), ...op.f32x4Shuffle([0, 2, 4, 6]),
    ...get(T0), ...get(T1), ...op.f32x4Shuffle([1, 3, 5, 7]),
    ...op.f32x4Add,
  ];
}

/** out[r] = Σ term(x_r, q) over the row for r = 0..3; `term` maps (x, q) on the stack to one f32x4. */
function fourRowKernel(name: string, term: number[]): WasmFunction {
  return {
    name,
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, ...new Array<typeof v128>(8).fill(v128)],
    // prettier-ignore
    body: [
      ...[0, 1, 2, 3].flatMap((r) => [...op.v128Const0, ...set(ACC + r)]),
      ...op.i32Const(0), ...set(C),
      ...op.loop,
      ...get(Q), ...get(C), ...op.i32Add, ...op.v128Load, ...set(B),
      ...X.flatMap((x, r) => [
        ...get(ACC + r),
        ...get(x), ...get(C), ...op.i32Add, ...op.v128Load, ...get(B), ...term,
        ...op.f32x4Add, ...set(ACC + r),
      ]),
      ...get(C), ...op.i32Const(16), ...op.i32Add, ...op.localTee(C),
      ...get(ROW_BYTES), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
      ...get(OUT), ...horizontalSums(ACC, ACC + 1, ACC + 2, ACC + 3), ...op.v128Store,
    ],
  };
}

// (x − q)², using A as scratch; and x · q.
const squaredDifference = [...op.f32x4Sub, ...set(A), ...get(A), ...get(A), ...op.f32x4Mul];
const product = [...op.f32x4Mul];

let compiled: WasmModule | undefined;
function distanceModule(): WasmModule {
  compiled ??= compileModule(
    assembleModule(1, [fourRowKernel("l2x4", squaredDifference), fourRowKernel("dotx4", product)]),
  );
  return compiled;
}

type Kernel = (
  q: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
  rb: number,
  out: number,
) => void;

/** The dataset in WebAssembly memory, with a slot for the current query and the kernel output. */
interface Loaded {
  readonly rows: number;
  readonly cols: number;
  readonly l2x4: Kernel;
  readonly dotx4: Kernel;
  readonly heap: Float32Array;
  readonly rowBytes: number;
  readonly queryAt: number;
  readonly outAt: number;
}

// One copy per dataset array (and shape), reused by every search over it; a dataset is not
// expected to change in place between searches.
const loaded = new WeakMap<Float32Array, Loaded>();

function load(dataset: Matrix): Loaded {
  const cached = loaded.get(dataset.data);
  if (cached !== undefined && cached.rows === dataset.rows && cached.cols === dataset.cols) {
    return cached;
  }
  const padded = Math.ceil(dataset.cols / 4) * 4;
  const rowBytes = padded * 4;
  const queryAt = dataset.rows * rowBytes;
  const outAt = queryAt + rowBytes;
  const bytes = outAt + 16;
  const instance = instantiate(distanceModule());
  const memory = instance.memory;
  try {
    memory.grow(Math.max(0, Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536));
  } catch (cause) {
    throw new RangeError(
      `the dataset (${dataset.rows} × ${dataset.cols}, ${bytes} bytes) does not fit in WebAssembly memory; search a smaller index on the CPU.`,
      { cause },
    );
  }
  const heap = new Float32Array(memory.buffer);
  for (let r = 0; r < dataset.rows; r++) {
    heap.set(dataset.data.subarray(r * dataset.cols, (r + 1) * dataset.cols), r * padded);
  }
  const entry: Loaded = {
    rows: dataset.rows,
    cols: dataset.cols,
    l2x4: instance.exports.l2x4 as Kernel,
    dotx4: instance.exports.dotx4 as Kernel,
    heap,
    rowBytes,
    queryAt,
    outAt,
  };
  loaded.set(dataset.data, entry);
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
 * Distances to rows of `dataset` (prepared for `metric`): squared L2, −dot for inner product,
 * 1 − dot for cosine. The first call per dataset copies it into WebAssembly memory.
 *
 * @example
 * const dist = rowDistances(dataset, "sqeuclidean");
 * dist.setQuery(queries, 0);
 * dist.compute(new Uint32Array([5, 9]), 2, out); // out[0], out[1]
 */
export function rowDistances(dataset: Matrix, metric: Metric): RowDistances {
  const { l2x4, dotx4, heap, rowBytes, queryAt, outAt } = load(dataset);
  const kernel = metric === "sqeuclidean" ? l2x4 : dotx4;
  // Internal = sign·sum + offset: L2 as is, IP −dot, cosine 1 − dot.
  const sign = metric === "sqeuclidean" ? 1 : -1;
  const offset = metric === "cosine" ? 1 : 0;
  const plain = sign === 1 && offset === 0;
  const result = outAt >>> 2;
  return {
    setQuery(queries, q) {
      heap.fill(0, queryAt >>> 2, (queryAt + rowBytes) >>> 2);
      heap.set(queries.data.subarray(q * queries.cols, (q + 1) * queries.cols), queryAt >>> 2);
    },
    compute(ids, count, out) {
      for (let i = 0; i < count; i += 4) {
        // A short last group repeats its first row; the extra results are not read.
        const x0 = ids[i]! * rowBytes;
        const x1 = i + 1 < count ? ids[i + 1]! * rowBytes : x0;
        const x2 = i + 2 < count ? ids[i + 2]! * rowBytes : x0;
        const x3 = i + 3 < count ? ids[i + 3]! * rowBytes : x0;
        kernel(queryAt, x0, x1, x2, x3, rowBytes, outAt);
        const n = Math.min(4, count - i);
        if (plain) for (let r = 0; r < n; r++) out[i + r] = heap[result + r]!;
        else
          for (let r = 0; r < n; r++) out[i + r] = Math.fround(sign * heap[result + r]! + offset);
      }
    },
  };
}
