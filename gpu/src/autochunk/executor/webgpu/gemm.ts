import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { ContractionOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import { planEinsum } from "../../ops/einsum-spec.js";
import { broadcastStrides } from "../kernels/strided.js";
import type { GpuKernel, Recorder } from "./kernel.js";
import { recordPermute } from "./layout.js";
import type { GpuTensor } from "./tensor.js";
import { header } from "./wgsl.js";

/** A (batched) product C[m, n] = A[m, k] · B[k, n] (+ bias) of contiguous row-major blocks. */
export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Output batch dims (one block of C per index); [] for a single product. */
  readonly batch: readonly number[];
  /** Element strides of A's and B's blocks along each batch dim (0: broadcast). */
  readonly aBatch: readonly number[];
  readonly bBatch: readonly number[];
  /** A bias added per output column (linear), per output row (conv2d's channels), or none. */
  readonly bias: "none" | "col" | "row";
}

/** Output rows and columns one 16×16 workgroup computes (a 4×4 register block per thread). */
const TILE = 64;
/** Depth of the A and B panels staged in workgroup memory per step. */
const DEPTH = 16;
/** Batch dims the kernel walks, after merging (attention's [batch, heads] merge into one). */
const MAX_BATCH_DIMS = 4;
const BIAS_MODE = { none: 0, col: 1, row: 2 } as const;

/**
 * The tiled GEMM: each 16×16 workgroup stages a 64×16 panel of A and a 16×64 panel of B in
 * workgroup memory (8 KiB) per step of k, and each thread accumulates a 4×4 block of C whose
 * rows and columns are 16 apart (so neighbouring threads read neighbouring words). Grid:
 * ⌈n/64⌉ × ⌈m/64⌉ × batch. Bindings: a, b, bias, c; extras: m, n, k, bias mode, batch rank,
 * then (extent, A stride, B stride) per batch dim, innermost first.
 *
 * Unlike the other kernels, the GEMM is not specialised to its shapes: SwiftShader takes about
 * 1.5 s to compile it, so one pipeline serves every product; the loop bounds cost a GPU little.
 */
const GEMM: KernelSource = {
  key: "autochunk/gemm",
  code: /* wgsl */ `${header([
    { name: "a", type: "f32" },
    { name: "b", type: "f32" },
    { name: "bias", type: "f32" },
    { name: "c", type: "f32", write: true },
  ])}
var<workgroup> As: array<f32, ${TILE * DEPTH}>; // [depth][row]
var<workgroup> Bs: array<f32, ${TILE * DEPTH}>; // [depth][col]

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let M = extra(0u);
  let N = extra(1u);
  let K = extra(2u);
  let mode = extra(3u);
  var rest = wid.z;
  var ao = 0u;
  var bo = 0u;
  for (var d = 0u; d < extra(4u); d = d + 1u) {
    let extent = extra(5u + 3u * d);
    let c = rest % extent;
    rest = rest / extent;
    ao += c * extra(6u + 3u * d);
    bo += c * extra(7u + 3u * d);
  }
  let co = wid.z * M * N;
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${DEPTH}u) {
    for (var t = 0u; t < 4u; t = t + 1u) {
      let e = li + t * 256u;
      let am = m0 + e / ${DEPTH}u;
      let ak = k0 + e % ${DEPTH}u;
      var av = 0.0;
      if (am < M && ak < K) { av = ld_a(ao + am * K + ak); }
      As[(e % ${DEPTH}u) * ${TILE}u + e / ${DEPTH}u] = av;
      let bk = k0 + e / ${TILE}u;
      let bn = n0 + e % ${TILE}u;
      var bv = 0.0;
      if (bk < K && bn < N) { bv = ld_b(bo + bk * N + bn); }
      Bs[e] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk = kk + 1u) {
      let r = kk * ${TILE}u;
      let bv = vec4<f32>(Bs[r + lid.x], Bs[r + lid.x + 16u], Bs[r + lid.x + 32u], Bs[r + lid.x + 48u]);
      acc[0] += As[r + lid.y] * bv;
      acc[1] += As[r + lid.y + 16u] * bv;
      acc[2] += As[r + lid.y + 32u] * bv;
      acc[3] += As[r + lid.y + 48u] * bv;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let row = m0 + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = n0 + lid.x + 16u * j;
      if (row < M && col < N) {
        var v = acc[i][j];
        if (mode == ${BIAS_MODE.col}u) { v += ld_bias(col); }
        if (mode == ${BIAS_MODE.row}u) { v += ld_bias(row); }
        st_c(co + row * N + col, v);
      }
    }
  }
}`,
};

/**
 * Batch dims without extent-1 dims, adjacent dims merged where both operands step through them
 * as one (innermost first, as the kernel reads them): [extent, A stride, B stride] per dim.
 */
function batchDims(shape: GemmShape): [number, number, number][] {
  const dims: [number, number, number][] = [];
  for (let d = shape.batch.length - 1; d >= 0; d--) {
    const extent = shape.batch[d]!;
    if (extent === 1) continue;
    const a = shape.aBatch[d]!;
    const b = shape.bBatch[d]!;
    const inner = dims[dims.length - 1];
    if (inner !== undefined && a === inner[1] * inner[0] && b === inner[2] * inner[0]) {
      inner[0] *= extent;
    } else dims.push([extent, a, b]);
  }
  return dims;
}

/**
 * Records C = A · B (+ bias) for `shape`, reading A, B and C from their tensors' offsets.
 *
 * @example
 * await recordGemm(ctx, x, w, b, out, { m: rows, n: out, k: in, batch: [], aBatch: [], bBatch: [], bias: "col" });
 */
export async function recordGemm(
  ctx: Recorder,
  a: GpuTensor,
  b: GpuTensor,
  bias: GpuTensor | undefined,
  c: GpuTensor,
  shape: GemmShape,
): Promise<void> {
  const dims = batchDims(shape);
  if (dims.length > MAX_BATCH_DIMS) {
    throw new RangeError(
      `the batch dims [${shape.batch}] need ${dims.length} strided dims; the WebGPU GEMM walks ` +
        `at most ${MAX_BATCH_DIMS} (reshape or permute the operands to merge some)`,
    );
  }
  const extras = [shape.m, shape.n, shape.k, BIAS_MODE[shape.bias], dims.length, ...dims.flat()];
  const workgroups = [
    Math.ceil(shape.n / TILE),
    Math.ceil(shape.m / TILE),
    numel(shape.batch),
  ] as const;
  // Without a bias, A is bound in its place (read-only twice is allowed) and mode 0 ignores it.
  await ctx.dispatch(GEMM, [a, b, bias ?? a, c], workgroups, extras);
}

/** WebGPU kernels of linear, matmul and einsum (as the CPU: permutes around one batched GEMM). */
export const contractionKernels: { readonly [O in ContractionOp]: GpuKernel<O> } = {
  linear(ctx) {
    const [x, w, b] = ctx.inputs;
    const [inF, outF] = w!.shape as [number, number];
    const m = numel(x!.shape) / inF;
    const bias = b === undefined ? "none" : "col";
    const shape = { m, n: outF, k: inF, batch: [], aBatch: [], bBatch: [], bias } as const;
    return recordGemm(ctx, x!, w!, b, ctx.outputs[0]!, shape);
  },

  matmul(ctx) {
    const [a, b] = ctx.inputs;
    const out = ctx.outputs[0]!;
    const [m, n] = out.shape.slice(-2) as [number, number];
    const k = a!.shape[a!.shape.length - 1]!;
    const batch = out.shape.slice(0, -2);
    const aBatch = broadcastStrides(a!.shape.slice(0, -2), batch).map((s) => s * m * k);
    const bBatch = broadcastStrides(b!.shape.slice(0, -2), batch).map((s) => s * k * n);
    return recordGemm(ctx, a!, b!, undefined, out, {
      m,
      n,
      k,
      batch,
      aBatch,
      bBatch,
      bias: "none",
    });
  },

  // The scratch parts (permuted A, permuted B, the product) add up to the registry's
  // workspace; they are separate buffers because one dispatch may not read and write one buffer.
  async einsum(ctx) {
    const [a, b] = ctx.inputs;
    const out = ctx.outputs[0]!;
    const plan = planEinsum(ctx.attrs.spec, a!.shape, b!.shape);
    const permuted = async (x: GpuTensor, perm: number[] | null) => {
      if (perm === null) return x;
      const into = ctx.scratch(perm.map((p) => x.shape[p]!));
      await recordPermute(ctx, x, perm, into);
      return into;
    };
    const aT = await permuted(a!, plan.permA);
    const bT = await permuted(b!, plan.permB);
    const product = plan.permOut === null ? out : ctx.scratch(plan.productShape);
    const { batch, m, n, k } = plan;
    await recordGemm(ctx, aT, bT, undefined, product, {
      m,
      n,
      k,
      batch: [batch],
      aBatch: [m * k],
      bBatch: [k * n],
      bias: "none",
    });
    if (plan.permOut !== null) await recordPermute(ctx, product, plan.permOut, out);
  },
};
