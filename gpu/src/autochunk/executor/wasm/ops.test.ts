import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../../common/random.js";
import type { TensorData } from "../../ir/dtype.js";
import { gelu } from "../kernels/elementwise.js";
import { gemm } from "../kernels/gemm.js";
import { stridesOf } from "../../ir/shape.js";
import { allocateHeapTensor, releaseHeapTensor } from "./heap-tensors.js";
import {
  binaryScalarWasm,
  binaryWasm,
  geluWasm,
  layerNormWasm,
  matmulWasm,
  permuteWasm,
  softmaxWasm,
  stridedMatmulWasm,
  unaryWasm,
} from "./ops.js";
import { BATCH_BLOCK_COLUMNS } from "../../select/cost-table.js";
import {
  kernelConstant,
  kernelRuntime,
  setCpuThreads,
  splitRange,
  whenThreadsReady,
} from "./runtime.js";

const rand = seededRandom(7);
const random = (n: number) => new Float32Array(n).map(() => 2 * rand() - 1);

function assertClose(ours: TensorData, reference: ArrayLike<number>, tolerance: number): void {
  assert.equal(ours.length, reference.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const err = Math.abs(ours[i]! - reference[i]!) / Math.max(1, Math.abs(reference[i]!));
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  assert.ok(worst <= tolerance, `worst relative error ${worst} > ${tolerance}`);
}

// Sizes around the micro-kernel's 4 × 8 tile and the 256-deep, 256-wide packed panel.
const GEMM_SIZES: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 5],
  [4, 8, 4],
  [5, 9, 3],
  [7, 15, 255],
  [9, 17, 256],
  [6, 257, 257],
  [13, 33, 600],
];

test("gemm on the wasm kernels matches the scalar reference at sizes off the tile edges", async () => {
  for (const [m, n, k] of GEMM_SIZES) {
    const a = random(m * k);
    const b = random(k * n);
    const bias = random(n);
    const reference = new Float32Array(m * n);
    gemm(a, 0, b, 0, reference, 0, m, n, k);
    const out = new Float32Array(m * n).fill(NaN);
    await matmulWasm(a, b, undefined, out, { batch: 1, m, n, k, aStride: 0, bStride: 0 });
    assertClose(out, reference, 1e-5);
    await matmulWasm(a, b, bias, out, { batch: 1, m, n, k, aStride: 0, bStride: 0 });
    assertClose(
      out,
      reference.map((v, i) => v + bias[i % n]!),
      1e-5,
    );
  }
});

test("batched gemm with a broadcast operand, split over two threads", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  // 4 batches of 255 rows: ~42M multiply-adds, enough for a second thread, split mid-batch.
  const [batch, m, n, k] = [4, 255, 160, 257];
  const a = random(batch * m * k);
  const b = random(k * n);
  const out = new Float32Array(batch * m * n);
  await matmulWasm(a, b, undefined, out, { batch, m, n, k, aStride: m * k, bStride: 0 });
  const reference = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) gemm(a, t * m * k, b, 0, reference, t * m * n, m, n, k);
  assertClose(out, reference, 1e-5);
});

test("the cost model counts batch gathers by the kernel's block width", () => {
  assert.equal(kernelConstant("GEMM_BATCH_COLUMNS"), BATCH_BLOCK_COLUMNS);
});

test("strided gemm reads and writes operands in place, split over two threads", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  // Its own stream, so the other tests' operands stay as they were.
  const own = seededRandom(12);
  const random = (n: number) => new Float32Array(n).map(() => 2 * own() - 1);
  // "kic,kjc->ijc" (batch c innermost everywhere) at sizes off the tile and panel edges, some
  // big enough (~27M multiply-adds) for a second thread; and a unit-stride batched case.
  for (const [K, I, J, C] of [
    [3, 5, 9, 2],
    [257, 6, 270, 3],
    [300, 37, 41, 30],
    [40, 70, 9, 17],
    [270, 65, 260, 9],
    // Whole blocks of 32 batches and a partial one, past the path's 32-row and 128-column blocks.
    [40, 70, 130, 72],
  ] as const) {
    const a = random(K * I * C);
    const b = random(K * J * C);
    const out = new Float32Array(I * J * C).fill(NaN);
    await stridedMatmulWasm(a, b, out, {
      batch: C,
      m: I,
      n: J,
      k: K,
      a: [1, C, I * C],
      b: [1, J * C, C],
      out: [1, J * C, C],
    });
    const reference = new Float32Array(I * J * C);
    for (let i = 0; i < I; i++) {
      for (let j = 0; j < J; j++) {
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let k = 0; k < K; k++) sum += a[(k * I + i) * C + c]! * b[(k * J + j) * C + c]!;
          reference[(i * J + j) * C + c] = sum;
        }
      }
    }
    assertClose(out, reference, 1e-5);
  }
  const [batch, m, n, k] = [3, 9, 17, 260];
  const a = random(batch * m * k);
  const b = random(batch * k * n);
  const out = new Float32Array(batch * m * n);
  await stridedMatmulWasm(a, b, out, {
    batch,
    m,
    n,
    k,
    a: [m * k, k, 1],
    b: [k * n, n, 1],
    out: [m * n, n, 1],
  });
  const reference = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) gemm(a, t * m * k, b, t * k * n, reference, t * m * n, m, n, k);
  assertClose(out, reference, 1e-5);
});

test("softmax and layer norm rows match the formulas, at widths off the 4-lane edge", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  // The small sizes stay on one thread; 2,049 rows of 1,031 (2.1M elements) are split over two.
  for (const [rows, width] of [
    [1, 1],
    [3, 5],
    [2, 8],
    [4, 13],
    [2049, 1031],
  ] as const) {
    const x = random(rows * width).map((v) => 8 * v);
    x[0] = -1e9; // a masked score: exp underflows to 0
    const out = new Float32Array(x.length);
    await softmaxWasm(x, out, width);
    const soft = new Float64Array(x.length);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * width, (r + 1) * width));
      const max = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
      row.forEach((v, j) => (soft[r * width + j] = Math.exp(v - max) / sum));
    }
    assertClose(out, soft, 2e-6);

    const w = random(width);
    const b = random(width);
    for (const [ww, bb] of [
      [w, b],
      [undefined, undefined],
    ] as const) {
      await layerNormWasm(
        x.map((v) => v / 1e3),
        ww,
        bb,
        out,
        width,
        1e-5,
      );
      const norm = new Float64Array(x.length);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * width, (r + 1) * width), (v) => v / 1e3);
        const mean = row.reduce((s, v) => s + v, 0) / width;
        const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / width;
        row.forEach((v, j) => {
          const y = (v - mean) / Math.sqrt(variance + 1e-5);
          norm[r * width + j] = y * (ww?.[j] ?? 1) + (bb?.[j] ?? 0);
        });
      }
      assertClose(out, norm, 2e-5);
    }
  }
});

test("binary ops over equal shapes, repeated operands and scalars; exact GELU", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  const ops = {
    add: (p: number, q: number) => p + q,
    sub: (p: number, q: number) => p - q,
    mul: (p: number, q: number) => p * q,
    div: (p: number, q: number) => p / q,
  };
  const check = async (op: keyof typeof ops, n: number, period: number) => {
    const a = random(n);
    const b = random(period).map((v) => v + 2);
    const out = new Float32Array(n);
    await binaryWasm(op, a, b, out);
    assertClose(
      out,
      a.map((v, i) => ops[op](v, b[i % period]!)),
      1e-6,
    );
    await binaryScalarWasm(op, a, 1.5, out);
    assertClose(
      out,
      a.map((v) => ops[op](v, 1.5)),
      1e-6,
    );
    const x = a.map((v) => 6 * v);
    await geluWasm(x, out);
    assertClose(out, Float64Array.from(x, gelu), 1e-6);
  };
  for (const op of Object.keys(ops) as (keyof typeof ops)[]) {
    await check(op, 7, 7);
    await check(op, 12, 3);
    await check(op, 4099, 4099);
  }
  // 2 × (2^20 + 3) elements: split over two threads by blocks and by elements.
  await check("add", 2 * 1048579, 1048579);
  await check("sub", 2 * 1048579, 2 * 1048579);
});

test("tensors allocated in the heap are used in place, and freed blocks are reused", async () => {
  const { heap } = kernelRuntime();
  const before = heap.usedBytes;
  const a = allocateHeapTensor({ shape: [5, 3], dtype: "f32" });
  const b = allocateHeapTensor({ shape: [3, 6], dtype: "f32" });
  const c = allocateHeapTensor({ shape: [5, 6], dtype: "f32" });
  assert.ok(heap.holds(a.data) && c.data.every((v) => v === 0));
  a.data.set(random(15));
  b.data.set(random(18));
  await matmulWasm(a.data, b.data, undefined, c.data, {
    batch: 1,
    m: 5,
    n: 6,
    k: 3,
    aStride: 0,
    bStride: 0,
  });
  const reference = new Float32Array(30);
  gemm(a.data, 0, b.data, 0, reference, 0, 5, 6, 3);
  assertClose(c.data, reference, 1e-6);
  const start = b.data.byteOffset;
  releaseHeapTensor(b);
  const again = allocateHeapTensor({ shape: [2, 2], dtype: "i32" });
  assert.equal(again.data.byteOffset, start, "the freed block is the first that fits");
  for (const t of [a, c, again]) releaseHeapTensor(t);
  assert.equal(heap.usedBytes, before);
  assert.throws(() => heap.free(start), /no block starts at byte/);
});

test("splitRange keeps ranges aligned, covers the whole range and respects the minimum", () => {
  assert.deepEqual(splitRange(10, 3, 4, 1), [
    [0, 4],
    [4, 8],
    [8, 10],
  ]);
  assert.deepEqual(splitRange(100, 4, 1, 60), [[0, 100]]);
  assert.deepEqual(splitRange(0, 2, 1, 1), []);
});

test("a heap that cannot grow says how much was asked and what to do", () => {
  const { heap } = kernelRuntime();
  assert.throws(() => heap.alloc(2 ** 32), /cannot grow to \d+ bytes .*chunk the program/);
  const at = heap.alloc(64);
  heap.free(at);
});

test("neg, exp, relu, sigmoid and silu match Math, overflow and underflow included", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  const fs = {
    neg: (v: number) => -v,
    exp: Math.exp,
    relu: (v: number) => Math.max(v, 0),
    sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
    silu: (v: number) => v / (1 + Math.exp(-v)),
  };
  // A tail past the 4-lane edge (the splitting is tested with the binary ops).
  const x = random(4099).map((v) => 16 * v);
  x.set([100, -100, 0, 88, -87, 1e-4]);
  for (const [op, f] of Object.entries(fs) as [keyof typeof fs, (v: number) => number][]) {
    const out = new Float32Array(x.length);
    await unaryWasm(op, x, out);
    const reference = Float64Array.from(x, f);
    assert.equal(out[0], Math.fround(reference[0]!), `${op}(100)`);
    const finite = (a: ArrayLike<number>) => Array.from(a).slice(1);
    assertClose(Float32Array.from(finite(out)), finite(reference), 2e-6);
  }
});

test("two products awaited together both come out right", async () => {
  setCpuThreads(2);
  await whenThreadsReady();
  const [m, n, k] = [512, 192, 400]; // 39M multiply-adds each: split over two threads
  const pairs = [0, 1].map(() => [random(m * k), random(k * n)] as const);
  const outs = pairs.map(() => new Float32Array(m * n));
  const shape = { batch: 1, m, n, k, aStride: 0, bStride: 0 };
  await Promise.all(pairs.map(([a, b], i) => matmulWasm(a, b, undefined, outs[i]!, shape)));
  pairs.forEach(([a, b], i) => {
    const reference = new Float32Array(m * n);
    gemm(a, 0, b, 0, reference, 0, m, n, k);
    assertClose(outs[i]!, reference, 1e-5);
  });
});

test("kernels stay on this thread until the workers have started", async () => {
  setCpuThreads(1);
  assert.equal(kernelRuntime().threads, 1);
  setCpuThreads(2);
  await whenThreadsReady();
  assert.equal(kernelRuntime().threads, 2);
  assert.throws(() => setCpuThreads(0), /threads must be a positive integer, got 0/);
});

/** The permute of `x` (of `shape`) by `perm`, one element at a time. */
function permuteReference(x: TensorData, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const out: number[] = [];
  const index = outShape.map(() => 0);
  for (let i = 0; i < x.length; i++) {
    out.push(x[perm.reduce((at, p, d) => at + index[d]! * inStrides[p]!, 0)]!);
    for (let d = index.length - 1; d >= 0 && ++index[d]! === outShape[d]; d--) index[d] = 0;
  }
  return out;
}

test("permutes that move the innermost dim match the reference, off the 4 × 4 and strip edges", async () => {
  const cases: [number[], number[]][] = [
    [
      [5, 3],
      [1, 0],
    ],
    [
      [17, 33],
      [1, 0],
    ],
    [
      [3, 18, 7],
      [2, 0, 1],
    ],
    [
      [6, 5, 19],
      [2, 1, 0],
    ],
    [
      [4, 1, 9, 6],
      [0, 3, 1, 2],
    ],
    [
      [2, 3, 4, 5, 6],
      [4, 2, 0, 3, 1],
    ],
    [
      [256, 40, 36],
      [1, 2, 0],
    ], // 368,640 elements: split over both threads
  ];
  for (const threads of [1, 2]) {
    setCpuThreads(threads);
    await whenThreadsReady();
    for (const [shape, perm] of cases) {
      const x = random(shape.reduce((a, b) => a * b, 1));
      const out = new Float32Array(x.length).fill(NaN);
      await permuteWasm(x, shape, perm, out);
      assert.deepEqual(Array.from(out), permuteReference(x, shape, perm), `${shape} by ${perm}`);
    }
  }
  const ids = Int32Array.from({ length: 6 * 10 }, (_, i) => i * 7 - 100);
  const moved = new Int32Array(ids.length);
  await permuteWasm(ids, [6, 10], [1, 0], moved);
  assert.deepEqual(Array.from(moved), permuteReference(ids, [6, 10], [1, 0]));
  await assert.rejects(
    permuteWasm(ids, [6, 10], [0, 1], moved),
    /perm \[0, 1\] keeps the innermost dim in place/,
  );
});
