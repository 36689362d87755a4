import type { ContractionOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import { planEinsum } from "../../ops/einsum-spec.js";
import type { Tensor } from "../tensor.js";
import { matmulWasm, stridedMatmulWasm } from "../wasm/ops.js";
import type { Kernel } from "./kernel.js";
import { permuteInto } from "./layout.js";
import { broadcastStrides } from "./strided.js";

type F32 = Float32Array | Int32Array;

// B is packed panel by panel (K_BLOCK × N_BLOCK, 64 KiB) into groups of 4 columns, so the
// 4×4 register tile below reads it sequentially. This fixed scratch is the CPU's analogue of GPU
// workgroup memory: a constant per kernel, not an activation, so it is not tracked.
const K_BLOCK = 256;
const N_BLOCK = 64;
const panel = new Float32Array(K_BLOCK * N_BLOCK);

/**
 * C[m, n] = A[m, k] · B[k, n] for contiguous row-major operands at the given offsets
 * (overwrites C). Blocked over n and k; each 4×4 tile of C accumulates in registers.
 *
 * @example
 * gemm(a, 0, b, 0, c, 0, m, n, k);
 */
export function gemm(
  a: F32,
  aOff: number,
  b: F32,
  bOff: number,
  c: F32,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  c.fill(0, cOff, cOff + m * n);
  for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
    const nb = Math.min(N_BLOCK, n - j0);
    const groups = Math.ceil(nb / 4);
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const kb = Math.min(K_BLOCK, k - p0);
      packPanel(b, bOff + p0 * n + j0, n, kb, nb);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        for (let g = 0; g < groups; g++) {
          tile4x4(
            a,
            aOff + i * k + p0,
            k,
            kb,
            g * kb * 4,
            c,
            cOff + i * n + j0 + g * 4,
            n,
            nb - g * 4,
          );
        }
      }
      for (; i < m; i++) {
        for (let g = 0; g < groups; g++) {
          tile1x4(a, aOff + i * k + p0, kb, g * kb * 4, c, cOff + i * n + j0 + g * 4, nb - g * 4);
        }
      }
    }
  }
}

/** Packs B[kb, nb] (row stride `ld`) into `panel` as groups of 4 columns, zero-padded. */
function packPanel(b: F32, from: number, ld: number, kb: number, nb: number): void {
  for (let g = 0; g * 4 < nb; g++) {
    for (let p = 0; p < kb; p++) {
      const src = from + p * ld + g * 4;
      const dst = (g * kb + p) * 4;
      for (let jj = 0; jj < 4; jj++) panel[dst + jj] = g * 4 + jj < nb ? b[src + jj]! : 0;
    }
  }
}

/** C[4, cols ≤ 4] += A[4, kb] · panel group; `lda`/`ldc` are row strides. */
function tile4x4(
  a: F32,
  a0: number,
  lda: number,
  kb: number,
  q0: number,
  c: F32,
  c0: number,
  ldc: number,
  cols: number,
): void {
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0, q = q0; p < kb; p++, q += 4) {
    const b0 = panel[q]!;
    const b1 = panel[q + 1]!;
    const b2 = panel[q + 2]!;
    const b3 = panel[q + 3]!;
    const x0 = a[a0 + p]!;
    const x1 = a[a1 + p]!;
    const x2 = a[a2 + p]!;
    const x3 = a[a3 + p]!;
    c00 += x0 * b0;
    c01 += x0 * b1;
    c02 += x0 * b2;
    c03 += x0 * b3;
    c10 += x1 * b0;
    c11 += x1 * b1;
    c12 += x1 * b2;
    c13 += x1 * b3;
    c20 += x2 * b0;
    c21 += x2 * b1;
    c22 += x2 * b2;
    c23 += x2 * b3;
    c30 += x3 * b0;
    c31 += x3 * b1;
    c32 += x3 * b2;
    c33 += x3 * b3;
  }
  addRow(c, c0, cols, c00, c01, c02, c03);
  addRow(c, c0 + ldc, cols, c10, c11, c12, c13);
  addRow(c, c0 + 2 * ldc, cols, c20, c21, c22, c23);
  addRow(c, c0 + 3 * ldc, cols, c30, c31, c32, c33);
}

/** C[1, cols ≤ 4] += A[1, kb] · panel group. */
function tile1x4(
  a: F32,
  a0: number,
  kb: number,
  q0: number,
  c: F32,
  c0: number,
  cols: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let p = 0, q = q0; p < kb; p++, q += 4) {
    const x = a[a0 + p]!;
    s0 += x * panel[q]!;
    s1 += x * panel[q + 1]!;
    s2 += x * panel[q + 2]!;
    s3 += x * panel[q + 3]!;
  }
  addRow(c, c0, cols, s0, s1, s2, s3);
}

/** Adds up to four values to C at `at`, the first `cols` of them. */
function addRow(
  c: F32,
  at: number,
  cols: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  if (cols >= 4) {
    c[at]! += v0;
    c[at + 1]! += v1;
    c[at + 2]! += v2;
    c[at + 3]! += v3;
    return;
  }
  c[at]! += v0;
  if (cols > 1) c[at + 1]! += v1;
  if (cols > 2) c[at + 2]! += v2;
}

/**
 * Batched matmul with broadcast batch dims on the wasm kernels: one call for all batches when
 * each operand's batches are evenly spaced (all its own, or one shared), else one per batch.
 */
async function batchedMatmul(a: Tensor, b: Tensor, out: Tensor): Promise<void> {
  const rank = out.shape.length;
  const [m, n] = out.shape.slice(-2) as [number, number];
  const k = a.shape[a.shape.length - 1]!;
  const batchShape = out.shape.slice(0, -2);
  const batches = numel(batchShape);
  const aStride = uniformBatchStride(a, batchShape, m * k);
  const bStride = uniformBatchStride(b, batchShape, k * n);
  if (aStride !== null && bStride !== null) {
    await matmulWasm(a.data, b.data, undefined, out.data, {
      batch: batches,
      m,
      n,
      k,
      aStride,
      bStride,
    });
    return;
  }
  const aBatch = broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * k);
  const bBatch = broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * k * n);
  const index = new Array<number>(rank - 2).fill(0);
  for (let t = 0; t < batches; t++) {
    let aOff = 0;
    let bOff = 0;
    for (let d = 0; d < rank - 2; d++) {
      aOff += index[d]! * aBatch[d]!;
      bOff += index[d]! * bBatch[d]!;
    }
    await matmulWasm(
      a.data.subarray(aOff, aOff + m * k),
      b.data.subarray(bOff, bOff + k * n),
      undefined,
      out.data.subarray(t * m * n, (t + 1) * m * n),
      { batch: 1, m, n, k, aStride: 0, bStride: 0 },
    );
    for (let d = rank - 3; d >= 0; d--) {
      if (++index[d]! < batchShape[d]!) break;
      index[d] = 0;
    }
  }
}

/** `matrix` elements between an operand's consecutive batches if they are evenly spaced: all
 * the operand's own, or one matrix for every batch (0); else null. */
function uniformBatchStride(
  x: Tensor,
  batchShape: readonly number[],
  matrix: number,
): number | null {
  const batches = numel(x.shape.slice(0, -2));
  if (batches === 1) return 0;
  return batches === numel(batchShape) ? matrix : null;
}

/** CPU kernels of linear, matmul and einsum. */
export const contractionKernels: { readonly [O in ContractionOp]: Kernel<O> } = {
  linear({ inputs: [x, w, b], outputs: [out] }) {
    const [inF, outF] = w!.shape as [number, number];
    const rows = x!.data.length / inF;
    return matmulWasm(x!.data, w!.data, b?.data, out!.data, {
      batch: 1,
      m: rows,
      n: outF,
      k: inF,
      aStride: 0,
      bStride: 0,
    });
  },

  matmul({ inputs: [a, b], outputs: [out] }) {
    return batchedMatmul(a!, b!, out!);
  },

  async einsum({ attrs, inputs: [a, b], outputs: [out], workspace }) {
    const plan = planEinsum(attrs.spec, a!.shape, b!.shape);
    if (plan.inPlace !== null) {
      const { batch, m, n, k, inPlace } = plan;
      return stridedMatmulWasm(a!.data, b!.data, out!.data, { batch, m, n, k, ...inPlace });
    }
    let offset = 0;
    const scratch = async (like: Tensor, perm: number[]): Promise<Float32Array> => {
      const view = new Float32Array(
        workspace.buffer,
        workspace.byteOffset + offset,
        like.data.length,
      );
      offset += view.byteLength;
      await permuteInto(like, perm, view);
      return view;
    };
    const aData = plan.permA === null ? a!.data : await scratch(a!, plan.permA);
    const bData = plan.permB === null ? b!.data : await scratch(b!, plan.permB);
    const product =
      plan.permOut === null
        ? out!.data
        : new Float32Array(workspace.buffer, workspace.byteOffset + offset, out!.data.length);
    const { batch, m, n, k } = plan;
    await matmulWasm(aData, bData, undefined, product, {
      batch,
      m,
      n,
      k,
      aStride: m * k,
      bStride: k * n,
    });
    if (plan.permOut !== null) {
      await permuteInto(
        { data: product, shape: plan.productShape, dtype: "f32" },
        plan.permOut,
        out!.data,
      );
    }
  },
};
