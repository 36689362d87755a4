import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { LayoutOp } from "../../ir/op.js";
import type { Shape } from "../../ir/shape.js";
import { numel, stridesOf } from "../../ir/shape.js";
import type { GpuKernel, Recorder } from "./kernel.js";
import type { GpuTensor } from "./tensor.js";
import { viewOf } from "./tensor.js";
import { WORKGROUP, grid, groupIndex, header, stridedOffsets } from "./wgsl.js";

/** Kernels that only move elements: u32 bindings, so f32 and i32 tensors share them. */
const COPY_BINDINGS = [
  { name: "x", type: "u32" },
  { name: "out", type: "u32", write: true },
] as const;

/** out[i] = x[offset(i)] over `count` elements; `offsets` defines `ix` from `i`. */
function gatherKernel(key: string, offsets: string, count: number, gx: number): KernelSource {
  return {
    key: `autochunk/${key}`,
    code: /* wgsl */ `${header(COPY_BINDINGS)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(gx)} * ${WORKGROUP}u + li;
  if (i >= ${count}u) { return; }
  ${offsets}
  st_out(i, ld_x(ix));
}`,
  };
}

/**
 * Records dst = src with its dims reordered by `perm` (output dim d = input dim perm[d]).
 *
 * @example
 * await recordPermute(ctx, x, [0, 2, 1, 3], out);
 */
export async function recordPermute(
  ctx: Recorder,
  src: GpuTensor,
  perm: readonly number[],
  dst: GpuTensor,
): Promise<void> {
  const count = numel(src.shape);
  if (perm.every((p, d) => p === d)) return ctx.copy(src, dst, count);
  const shape = perm.map((p) => src.shape[p]!);
  const own = stridesOf(src.shape);
  const strides = perm.map((p) => own[p]!);
  const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
  const offsets = stridedOffsets(shape, [strides], "i", ["ix"]);
  const key = `permute:[${shape}]:[${strides}]:${groups[0]}`;
  await ctx.dispatch(gatherKernel(key, offsets, count, groups[0]), [src, dst], groups);
}

/**
 * Records a copy of `rows` rows of `rowLength` elements, row r read at r·srcStride from `src`
 * and written at r·dstStride into `dst` (from their offsets): a buffer copy when contiguous.
 */
async function recordRows(
  ctx: Recorder,
  src: GpuTensor,
  dst: GpuTensor,
  rows: number,
  rowLength: number,
  srcStride: number,
  dstStride: number,
): Promise<void> {
  const count = rows * rowLength;
  if (count === 0) return;
  if (rows === 1 || (srcStride === rowLength && dstStride === rowLength)) {
    return ctx.copy(src, dst, count);
  }
  const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
  const source: KernelSource = {
    key: `autochunk/rows:${count}:${rowLength}:${srcStride}:${dstStride}:${groups[0]}`,
    code: /* wgsl */ `${header(COPY_BINDINGS)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(groups[0])} * ${WORKGROUP}u + li;
  if (i >= ${count}u) { return; }
  let r = i / ${rowLength}u;
  let c = i % ${rowLength}u;
  st_out(r * ${dstStride}u + c, ld_x(r * ${srcStride}u + c));
}`,
  };
  await ctx.dispatch(source, [src, dst], groups);
}

/** Extents before, along and after `dim`: a contiguous tensor is [outer, extent, inner]. */
function split(shape: Shape, dim: number): [number, number, number] {
  return [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))];
}

/**
 * Records dst = indices [start, start + size) along `dim` of `src` (dst is contiguous, with
 * extent `size` along `dim`): the device form of the CPU's copySlice.
 *
 * @example
 * await recordSlice(ctx, x, 1, 16, 8, slice);
 */
export function recordSlice(
  ctx: Recorder,
  src: GpuTensor,
  dim: number,
  start: number,
  size: number,
  dst: GpuTensor,
): Promise<void> {
  const [outer, extent, inner] = split(src.shape, dim);
  const from = viewOf(src, start * inner, [outer, size, inner]);
  return recordRows(ctx, from, dst, outer, size * inner, extent * inner, size * inner);
}

/**
 * Records src (extent `size` along `dim`) into indices [start, start + size) along `dim` of
 * `dst`: the inverse of recordSlice, the device form of the CPU's writeSlice.
 *
 * @example
 * await recordWriteSlice(ctx, chunk, out, 1, 16, 8);
 */
export function recordWriteSlice(
  ctx: Recorder,
  src: GpuTensor,
  dst: GpuTensor,
  dim: number,
  start: number,
  size: number,
): Promise<void> {
  const [outer, extent, inner] = split(dst.shape, dim);
  const into = viewOf(dst, start * inner, [outer, size, inner]);
  return recordRows(ctx, src, into, outer, size * inner, size * inner, extent * inner);
}

/** WebGPU kernels of the copying layout ops (reshape is a view and has none). */
export const layoutKernels: { readonly [O in Exclude<LayoutOp, "reshape">]: GpuKernel<O> } = {
  permute: (ctx) => recordPermute(ctx, ctx.inputs[0]!, ctx.attrs.perm, ctx.outputs[0]!),
  slice: (ctx) => {
    const { dim, start, end } = ctx.attrs;
    return recordSlice(ctx, ctx.inputs[0]!, dim, start, end - start, ctx.outputs[0]!);
  },
  async concat(ctx) {
    const { dim } = ctx.attrs;
    const out = ctx.outputs[0]!;
    let start = 0;
    for (const x of ctx.inputs) {
      const size = x.shape[dim]!;
      await recordWriteSlice(ctx, x, out, dim, start, size);
      start += size;
    }
  },
};
