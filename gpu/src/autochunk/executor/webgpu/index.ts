// AutoChunk's WebGPU executor: WGSL kernels for every op and a runner with the CPU executor's
// contract. This file only re-exports.
export type { GpuTensor } from "./tensor.js";
export type { GpuKernel, GpuKernelContext, GpuSubgraphResult } from "./kernel.js";
export { webgpuKernels } from "./table.js";
export { executeWebGpu } from "./execute.js";
