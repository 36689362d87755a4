import type { KernelOp } from "../kernels/table.js";
import { chunkLoopKernel } from "./chunk-loop.js";
import { elementwiseKernels } from "./elementwise.js";
import { gatherKernels } from "./gather.js";
import { contractionKernels } from "./gemm.js";
import type { GpuKernel } from "./kernel.js";
import { layoutKernels } from "./layout.js";
import { normKernels } from "./norm.js";
import { reduceKernels } from "./reduce.js";
import { spatialKernels } from "./spatial.js";

/** The WebGPU backend: one kernel per op, keyed by the same union as the CPU table. */
export const webgpuKernels: { readonly [O in KernelOp]: GpuKernel<O> } = {
  ...elementwiseKernels,
  ...contractionKernels,
  ...normKernels,
  ...layoutKernels,
  ...reduceKernels,
  ...spatialKernels,
  ...gatherKernels,
  chunk_loop: chunkLoopKernel,
};
