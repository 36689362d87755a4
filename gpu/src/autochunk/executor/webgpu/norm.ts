import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { NormOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import type { GpuKernel } from "./kernel.js";
import type { StorageBinding } from "./wgsl.js";
import {
  REDUCTION_THREADS,
  f32,
  grid,
  groupIndex,
  header,
  reductionSize,
  workgroupReductions,
} from "./wgsl.js";

/** The start of workgroup `row`'s work, and the early exit of surplus groups. */
function rowPrologue(rows: number, gx: number): string {
  return `let row = ${groupIndex(gx)};
  if (row >= ${rows}u) { return; }`;
}

/**
 * Softmax along a dim of extent `len` with `inner` elements after it: one workgroup per row
 * (outer × inner rows, elements `inner` apart), a max and a sum reduced in workgroup memory.
 */
function softmaxKernel(rows: number, len: number, inner: number, gx: number): KernelSource {
  const size = reductionSize(len, REDUCTION_THREADS);
  const bindings: StorageBinding[] = [
    { name: "x", type: "f32" },
    { name: "out", type: "f32", write: true },
  ];
  return {
    key: `autochunk/softmax:${rows}:${len}:${inner}:${gx}`,
    code: /* wgsl */ `${header(bindings)}
${workgroupReductions(size)}
@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  ${rowPrologue(rows, gx)}
  let base = (row / ${inner}u) * ${len * inner}u + row % ${inner}u;
  var m = ${f32(-3.4028234663852886e38)};
  for (var j = li; j < ${len}u; j = j + ${size}u) { m = max(m, ld_x(base + j * ${inner}u)); }
  let mx = reduce_max(m, li);
  var s = 0.0;
  for (var j = li; j < ${len}u; j = j + ${size}u) { s += exp(ld_x(base + j * ${inner}u) - mx); }
  let inv = 1.0 / reduce_sum(s, li);
  for (var j = li; j < ${len}u; j = j + ${size}u) {
    let at = base + j * ${inner}u;
    st_out(at, exp(ld_x(at) - mx) * inv);
  }
}`,
  };
}

/**
 * Normalises `rows` contiguous segments of `width` elements to zero mean and unit variance
 * (biased, + eps), then applies weight and bias at index `paramIndex` (WGSL of `row` and `j`)
 * when `affine`: layer_norm (index j) and group_norm (the channel of element j) alike.
 */
function segmentNormKernel(
  name: string,
  rows: number,
  width: number,
  eps: number,
  affine: "none" | "weight" | "weight+bias",
  paramIndex: string,
  gx: number,
): KernelSource {
  const size = reductionSize(width, REDUCTION_THREADS);
  const bindings: StorageBinding[] = [
    { name: "x", type: "f32" },
    ...(affine === "none" ? [] : [{ name: "w", type: "f32" } as const]),
    ...(affine === "weight+bias" ? [{ name: "b", type: "f32" } as const] : []),
    { name: "out", type: "f32", write: true },
  ];
  const apply =
    affine === "none"
      ? "v"
      : `v * ld_w(${paramIndex})${affine === "weight+bias" ? ` + ld_b(${paramIndex})` : ""}`;
  return {
    key: `autochunk/${name}:${rows}:${width}:${f32(eps)}:${affine}:${paramIndex}:${gx}`,
    code: /* wgsl */ `${header(bindings)}
${workgroupReductions(size)}
@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  ${rowPrologue(rows, gx)}
  let base = row * ${width}u;
  var s = 0.0;
  for (var j = li; j < ${width}u; j = j + ${size}u) { s += ld_x(base + j); }
  let mean = reduce_sum(s, li) / ${width}.0;
  var q = 0.0;
  for (var j = li; j < ${width}u; j = j + ${size}u) {
    let d = ld_x(base + j) - mean;
    q += d * d;
  }
  let rstd = inverseSqrt(reduce_sum(q, li) / ${width}.0 + ${f32(eps)});
  for (var j = li; j < ${width}u; j = j + ${size}u) {
    let v = (ld_x(base + j) - mean) * rstd;
    st_out(base + j, ${apply});
  }
}`,
  };
}

function affineOf(inputs: number): "none" | "weight" | "weight+bias" {
  return inputs === 1 ? "none" : inputs === 2 ? "weight" : "weight+bias";
}

/** WebGPU kernels of softmax, layer_norm and group_norm: one workgroup per row or group. */
export const normKernels: { readonly [O in NormOp]: GpuKernel<O> } = {
  async softmax(ctx) {
    const { dim } = ctx.attrs;
    const [x] = ctx.inputs;
    const shape = x!.shape;
    const len = shape[dim]!;
    const inner = numel(shape.slice(dim + 1));
    const rows = numel(shape) / Math.max(len, 1);
    const groups = grid(rows, ctx.maxWorkgroups);
    await ctx.dispatch(softmaxKernel(rows, len, inner, groups[0]), [x!, ctx.outputs[0]!], groups);
  },

  async layer_norm(ctx) {
    const { axes, eps } = ctx.attrs;
    const [x] = ctx.inputs;
    const width = numel(x!.shape.slice(x!.shape.length - axes));
    const rows = numel(x!.shape) / Math.max(width, 1);
    const groups = grid(rows, ctx.maxWorkgroups);
    const affine = affineOf(ctx.inputs.length);
    const source = segmentNormKernel("layer_norm", rows, width, eps, affine, "j", groups[0]);
    await ctx.dispatch(source, [...ctx.inputs, ctx.outputs[0]!], groups);
  },

  async group_norm(ctx) {
    const { groups: count, eps } = ctx.attrs;
    const [x] = ctx.inputs;
    const [n, channels] = x!.shape as [number, number];
    const spatial = numel(x!.shape.slice(2));
    const perGroup = channels / count;
    const rows = n * count;
    const groups = grid(rows, ctx.maxWorkgroups);
    const channel = `(row % ${count}u) * ${perGroup}u + j / ${spatial}u`;
    const affine = affineOf(ctx.inputs.length);
    const source = segmentNormKernel(
      "group_norm",
      rows,
      perGroup * spatial,
      eps,
      affine,
      channel,
      groups[0],
    );
    await ctx.dispatch(source, [...ctx.inputs, ctx.outputs[0]!], groups);
  },
};
