import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { ReduceOp } from "../../ir/op.js";
import { numel, stridesOf } from "../../ir/shape.js";
import type { GpuKernel } from "./kernel.js";
import type { StorageBinding } from "./wgsl.js";
import {
  REDUCTION_THREADS,
  grid,
  groupIndex,
  header,
  reductionSize,
  stridedOffsets,
  workgroupReductions,
} from "./wgsl.js";

const BINDINGS: StorageBinding[] = [
  { name: "x", type: "f32" },
  { name: "out", type: "f32", write: true },
];

/**
 * Sums x[shape] over `dims` (then divides by `divisor`): one workgroup per output element, its
 * threads striding over the reduced elements, combined in workgroup memory.
 */
function reduceKernel(
  shape: readonly number[],
  dims: readonly number[],
  divisor: number,
  gx: number,
): KernelSource {
  const strides = stridesOf(shape);
  const kept = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const outputs = numel(kept.map((d) => shape[d]!));
  const count = numel(dims.map((d) => shape[d]!));
  const size = reductionSize(count, REDUCTION_THREADS);
  const base = stridedOffsets(
    kept.map((d) => shape[d]!),
    [kept.map((d) => strides[d]!)],
    "o",
    ["base"],
  );
  const within = stridedOffsets(
    dims.map((d) => shape[d]!),
    [dims.map((d) => strides[d]!)],
    "r",
    ["at"],
  );
  const scaled = divisor === 1 ? "total" : `total / ${divisor}.0`;
  return {
    key: `autochunk/reduce:[${shape}]:[${dims}]:${divisor}:${gx}`,
    code: /* wgsl */ `${header(BINDINGS)}
${workgroupReductions(size)}
@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = ${groupIndex(gx)};
  if (o >= ${outputs}u) { return; }
  ${base}
  var s = 0.0;
  for (var r = li; r < ${count}u; r = r + ${size}u) {
    ${within}
    s += ld_x(base + at);
  }
  let total = reduce_sum(s, li);
  if (li == 0u) { st_out(o, ${scaled}); }
}`,
  };
}

function reduceOp<O extends ReduceOp>(op: O): GpuKernel<O> {
  return async (ctx) => {
    const [x] = ctx.inputs;
    const { dims } = ctx.attrs;
    const outputs = numel(ctx.outputs[0]!.shape);
    const divisor = op === "mean" ? numel(dims.map((d) => x!.shape[d]!)) : 1;
    const groups = grid(outputs, ctx.maxWorkgroups);
    const source = reduceKernel(x!.shape, dims, divisor, groups[0]);
    await ctx.dispatch(source, [x!, ctx.outputs[0]!], groups);
  };
}

/** WebGPU kernels of sum and mean. */
export const reduceKernels: { readonly [O in ReduceOp]: GpuKernel<O> } = {
  sum: reduceOp("sum"),
  mean: reduceOp("mean"),
};
