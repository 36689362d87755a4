/*
 * The CPU executor's kernels on the WebAssembly runtime: each takes typed arrays (staged into
 * the heap when they live elsewhere, staging.ts), splits the work into one call per thread and
 * runs the calls (runtime.ts). Work too small to repay waking a worker stays on this thread: a
 * round trip takes ~0.1 ms on an idle machine and several ms on a loaded one, where splitting a
 * 0.2 ms add of 786K elements over two threads was measured at 8-30 ms.
 */
import type { TensorData } from "../../ir/dtype.js";
import { batchIsUnitStride, type ProductStrides } from "../../ops/einsum-spec.js";
import type { Shape } from "../../ir/shape.js";
import { numel, stridesOf } from "../../ir/shape.js";
import type { KernelCall } from "./runtime.js";
import { kernelConstant, kernelRuntime, runCalls, splitRange } from "./runtime.js";
import { Staging } from "./staging.js";

// The least work worth a thread of its own: multiply-adds for products (4M, about 0.2 ms on
// one thread; once workers kept their task module, a 16M-MAC gemm split over two threads took
// 0.55-0.60 ms against 0.85 ms on one, an 8M one 0.31-0.40 against 0.44, a 4M one longer).
const MIN_MACS_PER_THREAD = 1 << 22;
// Elements otherwise, by the kernel's cost per element (one thread, 2M elements: 0.25-0.45 ns
// for a binary op, 0.9 for layer norm, 1.0 for relu, 3.4 for softmax rows of 256, 3.8-5.0 for
// sigmoid, 5.2 for gelu). Split over two threads, on a machine otherwise idle for the
// measurement (its session's scheduling group given priority): sigmoid over 256K elements
// 1.44 -> 0.98 ms, softmax 0.90 -> 0.73, layer norm over 512K 0.48 -> 0.40, relu 0.51 -> 0.43,
// an add over 2M 0.69 -> 0.55 but over 1M 0.32 -> 0.41.
const MIN_ELEMENTS_PER_THREAD = {
  binary: 1 << 20,
  cheap: 1 << 18,
  transcendental: 1 << 17,
} as const;
/** Unary ops as costly per element as an exp. */
const TRANSCENDENTAL: ReadonlySet<WasmUnaryOp> = new Set(["exp", "sigmoid", "silu"]);

/** Binary op codes, in the order of assembly/elementwise.ts. */
export const BINARY_CODES = { add: 0, sub: 1, mul: 2, div: 3 } as const;

/** Unary op codes, in the order of assembly/elementwise.ts. */
export const UNARY_CODES = { neg: 0, exp: 1, relu: 2, sigmoid: 3, silu: 4 } as const;

/** A unary op the wasm kernels run (besides scale and gelu). */
export type WasmUnaryOp = keyof typeof UNARY_CODES;

/** A binary op the wasm kernels run. */
export type WasmBinaryOp = keyof typeof BINARY_CODES;

const F32 = 4;

/** Runs `plan` with staged pointers, then writes back and frees the staging. */
async function staged(plan: (s: Staging) => KernelCall[]): Promise<void> {
  const s = new Staging(kernelRuntime().heap);
  try {
    await runCalls(plan(s));
  } finally {
    s.finish();
  }
}

/**
 * out[b, m, n] = a[b, m, k] · w[b, k, n] (+ bias[n]) for `batch` products; `aStride`/`bStride`
 * are the elements between consecutive batches of a and w (0 broadcasts one matrix to all).
 *
 * @example
 * await matmulWasm(x, w, bias, out, { batch: 1, m: rows, n: outF, k: inF, aStride: 0, bStride: 0 });
 */
export function matmulWasm(
  a: TensorData,
  b: TensorData,
  bias: TensorData | undefined,
  out: TensorData,
  shape: {
    readonly batch: number;
    readonly m: number;
    readonly n: number;
    readonly k: number;
    readonly aStride: number;
    readonly bStride: number;
  },
): Promise<void> {
  const { batch, m, n, k, aStride, bStride } = shape;
  const rt = kernelRuntime();
  return staged((s) => {
    const ap = s.input(a);
    const bp = s.input(b);
    const op = s.output(out);
    if (bias !== undefined) {
      const rows = new Float32Array(rt.heap.buffer, op, batch * m * n);
      for (let r = 0; r < batch * m; r++) rows.set(bias as Float32Array, r * n);
    }
    const accumulate = bias === undefined ? 0 : 1;
    const minRows = Math.ceil(MIN_MACS_PER_THREAD / Math.max(1, n * k));
    const align = kernelConstant("GEMM_ROWS");
    return splitRange(batch * m, rt.threads, align, minRows).map(([r0, r1], i) => ({
      kernel: "batchedGemmRows",
      args: [ap, aStride, bp, bStride, op, m, n, k, r0, r1, accumulate, rt.packs[i]!],
    }));
  });
}

/**
 * out[t, i, j] = Σ_p a[t, i, p] · b[t, p, j] for `batch` products with every operand read or
 * written where it lies through element strides [batch, row, column] (an einsum's operands in
 * their own letter order: no permuted copies).
 *
 * @example
 * // "kic,kjc->ijc" on [K, I, C] and [K, J, C]: batch c, rows i, columns j, depth k
 * await stridedMatmulWasm(a, b, out, { batch: C, m: I, n: J, k: K,
 *   a: [1, C, I * C], b: [1, J * C, C], out: [1, J * C, C] });
 */
export function stridedMatmulWasm(
  a: TensorData,
  b: TensorData,
  out: TensorData,
  shape: ProductStrides & {
    readonly batch: number;
    readonly m: number;
    readonly n: number;
    readonly k: number;
  },
): Promise<void> {
  const { batch, m, n, k } = shape;
  const rt = kernelRuntime();
  return staged((s) => {
    const ap = s.input(a);
    const bp = s.input(b);
    const op = s.output(out);
    const minRows = Math.ceil(MIN_MACS_PER_THREAD / Math.max(1, n * k));
    // A batch that is every operand's unit-stride dim is gathered in blocks of batches
    // (stridedGemmRows), so each thread takes whole batches.
    const ranges = batchIsUnitStride(batch, shape)
      ? splitRange(
          batch,
          rt.threads,
          kernelConstant("GEMM_BATCH_BLOCK"),
          Math.ceil(minRows / m),
        ).map(([t0, t1]): [number, number] => [t0 * m, t1 * m])
      : splitRange(batch * m, rt.threads, kernelConstant("GEMM_ROWS"), minRows);
    return ranges.map(([r0, r1], i) => ({
      kernel: "stridedGemmRows",
      args: [ap, ...shape.a, bp, ...shape.b, op, ...shape.out, m, n, k, r0, r1, rt.packs[i]!],
    }));
  });
}

/** out = softmax(x) along contiguous rows of `len`. */
export function softmaxWasm(x: TensorData, out: TensorData, len: number): Promise<void> {
  const rt = kernelRuntime();
  const rows = x.length / len;
  return staged((s) => {
    const xp = s.input(x);
    const op = s.output(out);
    const minRows = Math.ceil(MIN_ELEMENTS_PER_THREAD.transcendental / Math.max(1, len));
    return splitRange(rows, rt.threads, 1, minRows).map(([r0, r1]) => ({
      kernel: "softmaxRows",
      args: [xp, op, len, r0, r1],
    }));
  });
}

/** out = layer norm of x over contiguous rows of `width`, scaled by w and shifted by b if given. */
export function layerNormWasm(
  x: TensorData,
  w: TensorData | undefined,
  b: TensorData | undefined,
  out: TensorData,
  width: number,
  eps: number,
): Promise<void> {
  const rt = kernelRuntime();
  const rows = x.length / width;
  return staged((s) => {
    const xp = s.input(x);
    const wp = w === undefined ? 0 : s.input(w);
    const bp = b === undefined ? 0 : s.input(b);
    const op = s.output(out);
    const minRows = Math.ceil(MIN_ELEMENTS_PER_THREAD.cheap / Math.max(1, width));
    return splitRange(rows, rt.threads, 1, minRows).map(([r0, r1]) => ({
      kernel: "layerNormRows",
      args: [xp, wp, bp, op, width, eps, r0, r1],
    }));
  });
}

/**
 * out[i] = a[i] op b[i % b.length]: equal lengths, or b repeated along a's leading dims (a bias,
 * a mask over heads); b.length must divide a.length.
 */
export function binaryWasm(
  op: WasmBinaryOp,
  a: TensorData,
  b: TensorData,
  out: TensorData,
): Promise<void> {
  const rt = kernelRuntime();
  const code = BINARY_CODES[op];
  const period = b.length;
  return staged((s) => {
    const ap = s.input(a);
    const bp = s.input(b);
    const outp = s.output(out);
    if (period === a.length) {
      // One block: each thread takes a slice of it as a block of its own.
      return splitRange(a.length, rt.threads, 16, MIN_ELEMENTS_PER_THREAD.binary).map(
        ([i0, i1]) => ({
          kernel: "binaryPeriodic",
          args: [code, ap + i0 * F32, bp + i0 * F32, outp + i0 * F32, i1 - i0, 0, 1],
        }),
      );
    }
    const minBlocks = Math.ceil(MIN_ELEMENTS_PER_THREAD.binary / period);
    return splitRange(a.length / period, rt.threads, 1, minBlocks).map(([t0, t1]) => ({
      kernel: "binaryPeriodic",
      args: [code, ap, bp, outp, period, t0, t1],
    }));
  });
}

/** out[i] = a[i] op s. */
export function binaryScalarWasm(
  op: WasmBinaryOp,
  a: TensorData,
  scalar: number,
  out: TensorData,
): Promise<void> {
  const rt = kernelRuntime();
  return staged((s) => {
    const ap = s.input(a);
    const outp = s.output(out);
    return splitRange(a.length, rt.threads, 16, MIN_ELEMENTS_PER_THREAD.binary).map(([i0, i1]) => ({
      kernel: "binaryScalar",
      args: [BINARY_CODES[op], ap, scalar, outp, i0, i1],
    }));
  });
}

/** out[i] = gelu(x[i]), the exact (erf) GELU. */
export function geluWasm(x: TensorData, out: TensorData): Promise<void> {
  const rt = kernelRuntime();
  return staged((s) => {
    const xp = s.input(x);
    const op = s.output(out);
    const min = MIN_ELEMENTS_PER_THREAD.transcendental;
    return splitRange(x.length, rt.threads, 16, min).map(([i0, i1]) => ({
      kernel: "geluRange",
      args: [xp, op, i0, i1],
    }));
  });
}

/** out[i] = f(x[i]) for f one of neg, exp, relu, sigmoid, silu. */
export function unaryWasm(op: WasmUnaryOp, x: TensorData, out: TensorData): Promise<void> {
  const rt = kernelRuntime();
  return staged((s) => {
    const xp = s.input(x);
    const outp = s.output(out);
    const min = TRANSCENDENTAL.has(op)
      ? MIN_ELEMENTS_PER_THREAD.transcendental
      : MIN_ELEMENTS_PER_THREAD.cheap;
    return splitRange(x.length, rt.threads, 16, min).map(([i0, i1]) => ({
      kernel: "unaryRange",
      args: [UNARY_CODES[op], xp, outp, i0, i1],
    }));
  });
}

/**
 * dst = src (of `shape`) with its dims reordered by `perm` (output dim d = input dim perm[d]),
 * for a perm that moves the innermost dim (perm.at(-1) ≠ rank − 1): the transposes of
 * assembly/layout.ts, threads taking strips of them. 4-byte elements of either dtype.
 *
 * @example
 * await permuteWasm(x.data, [256, 256, 128], [2, 0, 1], out.data); // out is [128, 256, 256]
 */
export async function permuteWasm(
  src: TensorData,
  shape: Shape,
  perm: readonly number[],
  dst: TensorData,
): Promise<void> {
  const rank = shape.length;
  const last = rank - 1;
  if (rank < 2 || perm[last] === last) {
    throw new Error(`permuteWasm: perm [${perm.join(", ")}] keeps the innermost dim in place`);
  }
  if (numel(shape) === 0) return;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const q = perm.indexOf(last);
  const desc = [outShape[last]!, outShape[q]!, inStrides[perm[last]!]!, outStrides[q]!];
  let outer = 0;
  for (let d = last - 1; d >= 0; d--) {
    if (d === q || outShape[d] === 1) continue;
    desc.push(outShape[d]!, inStrides[perm[d]!]!, outStrides[d]!);
    outer++;
  }
  const strip = kernelConstant("PERMUTE_STRIP");
  const units = (numel(outShape) / (outShape[last]! * outShape[q]!)) * Math.ceil(desc[0]! / strip);
  const minUnits = Math.ceil(MIN_ELEMENTS_PER_THREAD.binary / (strip * desc[1]!));
  return staged((s) => {
    const from = s.input(src);
    const to = s.output(dst);
    const at = s.input(Int32Array.from(desc));
    return splitRange(units, kernelRuntime().threads, 1, minUnits).map(([u0, u1]) => ({
      kernel: "permuteUnits",
      args: [from, to, at, outer, u0, u1],
    }));
  });
}
