import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import { numel } from "../../ir/shape.js";
import type { GpuKernel } from "./kernel.js";
import { WORKGROUP, grid, groupIndex, header } from "./wgsl.js";

/**
 * out[p, c] = table[indices[p], c]. An index outside [0, vocab) writes zeros and is reported
 * through the run's status buffer (the first report wins): the device cannot throw, so the
 * executor raises the CPU kernel's RangeError after the run.
 */
function embeddingKernel(vocab: number, width: number, count: number, gx: number): KernelSource {
  const bindings = [
    { name: "table", type: "f32" },
    { name: "indices", type: "i32" },
    { name: "out", type: "f32", write: true },
    { name: "status", type: "atomic<u32>", write: true },
  ] as const;
  return {
    key: `autochunk/embedding:${vocab}:${width}:${count}:${gx}`,
    code: /* wgsl */ `${header(bindings)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(gx)} * ${WORKGROUP}u + li;
  if (i >= ${count}u) { return; }
  let p = i / ${width}u;
  let c = i % ${width}u;
  let index = ld_indices(p);
  if (index < 0 || index >= ${vocab}) {
    if (c == 0u && atomicAdd(&status[0], 1u) == 0u) {
      atomicStore(&status[1], extra(0u));
      atomicStore(&status[2], bitcast<u32>(index));
      atomicStore(&status[3], p);
    }
    st_out(i, 0.0);
    return;
  }
  st_out(i, ld_table(u32(index) * ${width}u + c));
}`,
  };
}

/** The WebGPU kernel of embedding. */
export const gatherKernels: { readonly embedding: GpuKernel<"embedding"> } = {
  async embedding(ctx) {
    const [table, indices] = ctx.inputs;
    const out = ctx.outputs[0]!;
    const [vocab, width] = table!.shape as [number, number];
    const count = numel(out.shape);
    const { status, tag } = ctx.check(
      (index, position) =>
        `embedding "${ctx.node.name}": index ${index} at position ${position} is outside the ` +
        `table's ${vocab} rows`,
    );
    const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
    const source = embeddingKernel(vocab, width, count, groups[0]);
    await ctx.dispatch(source, [table!, indices!, out, status], groups, [tag]);
  },
};
