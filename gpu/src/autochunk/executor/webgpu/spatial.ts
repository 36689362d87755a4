import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { SpatialOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import type { ConvGeometry } from "../../ops/spatial.js";
import { convGeometry } from "../../ops/spatial.js";
import { recordGemm } from "./gemm.js";
import type { GpuKernel } from "./kernel.js";
import { viewOf } from "./tensor.js";
import type { StorageBinding } from "./wgsl.js";
import { WORKGROUP, grid, groupIndex, header } from "./wgsl.js";

/**
 * Unfolds one image (the x binding's offset picks it) into col[cin·kh·kw, ho·wo], zeros where
 * the window hits padding: one invocation per element of col.
 */
function im2colKernel(g: ConvGeometry, stride: number, padding: number, gx: number): KernelSource {
  const pixels = g.ho * g.wo;
  const bindings: StorageBinding[] = [
    { name: "x", type: "f32" },
    { name: "col", type: "f32", write: true },
  ];
  const key = [g.cin, g.h, g.w, g.kh, g.kw, g.ho, g.wo, stride, padding, gx].join(":");
  return {
    key: `autochunk/im2col:${key}`,
    code: /* wgsl */ `${header(bindings)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(gx)} * ${WORKGROUP}u + li;
  if (i >= ${g.colElements}u) { return; }
  let r = i / ${pixels}u;
  let p = i % ${pixels}u;
  let c = r / ${g.kh * g.kw}u;
  let ky = i32((r / ${g.kw}u) % ${g.kh}u);
  let kx = i32(r % ${g.kw}u);
  let y = i32(p / ${g.wo}u) * ${stride} - ${padding} + ky;
  let xx = i32(p % ${g.wo}u) * ${stride} - ${padding} + kx;
  var v = 0.0;
  if (y >= 0 && y < ${g.h} && xx >= 0 && xx < ${g.w}) {
    v = ld_x(c * ${g.h * g.w}u + u32(y) * ${g.w}u + u32(xx));
  }
  st_col(i, v);
}`,
  };
}

/** Nearest-neighbour upsampling of [planes, h, w] by `scale`: one invocation per output element. */
function upsampleKernel(
  planes: number,
  h: number,
  w: number,
  scale: number,
  gx: number,
): KernelSource {
  const wo = w * scale;
  const count = planes * h * scale * wo;
  const bindings: StorageBinding[] = [
    { name: "x", type: "u32" },
    { name: "out", type: "u32", write: true },
  ];
  return {
    key: `autochunk/upsample:${planes}:${h}:${w}:${scale}:${gx}`,
    code: /* wgsl */ `${header(bindings)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(gx)} * ${WORKGROUP}u + li;
  if (i >= ${count}u) { return; }
  let ox = i % ${wo}u;
  let oy = (i / ${wo}u) % ${h * scale}u;
  let plane = i / ${h * scale * wo}u;
  st_out(i, ld_x((plane * ${h}u + oy / ${scale}u) * ${w}u + ox / ${scale}u));
}`,
  };
}

/**
 * WebGPU kernels of conv2d (as the CPU: per image, im2col into the workspace, then the GEMM
 * w[cout, cin·kh·kw] · col with the bias per output row) and nearest upsampling.
 */
export const spatialKernels: { readonly [O in SpatialOp]: GpuKernel<O> } = {
  async conv2d(ctx) {
    const { stride, padding } = ctx.attrs;
    const [x, w, b] = ctx.inputs;
    const out = ctx.outputs[0]!;
    const g = convGeometry(x!.shape, w!.shape, stride, padding);
    const depth = g.cin * g.kh * g.kw;
    const pixels = g.ho * g.wo;
    const col = g.colElements === 0 ? null : ctx.scratch([depth, pixels]);
    const groups = grid(Math.ceil(g.colElements / WORKGROUP), ctx.maxWorkgroups);
    const shape = {
      m: g.cout,
      n: pixels,
      k: depth,
      batch: [],
      aBatch: [],
      bBatch: [],
      bias: b === undefined ? "none" : "row",
    } as const;
    for (let n = 0; n < g.n; n++) {
      const image = viewOf(x!, n * g.cin * g.h * g.w, [g.cin, g.h, g.w]);
      const into = viewOf(out, n * g.cout * pixels, [g.cout, pixels]);
      if (col !== null) {
        await ctx.dispatch(im2colKernel(g, stride, padding, groups[0]), [image, col], groups);
      }
      await recordGemm(ctx, w!, col ?? image, b, into, shape);
    }
  },

  async upsample(ctx) {
    const { scale } = ctx.attrs;
    const [x] = ctx.inputs;
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const count = numel(ctx.outputs[0]!.shape);
    const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
    const source = upsampleKernel(n * c, h, w, scale, groups[0]);
    await ctx.dispatch(source, [x!, ctx.outputs[0]!], groups);
  },
};
