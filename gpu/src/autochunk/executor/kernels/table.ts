import type { Op, SourceOp, ViewOp } from "../../ir/op.js";
import { chunkLoopKernel } from "./chunk-loop.js";
import { elementwiseKernels } from "./elementwise.js";
import { gatherKernels } from "./gather.js";
import { contractionKernels } from "./gemm.js";
import type { Kernel } from "./kernel.js";
import { layoutKernels } from "./layout.js";
import { normKernels } from "./norm.js";
import { reduceKernels } from "./reduce.js";
import { spatialKernels } from "./spatial.js";

/** Ops a backend runs a kernel for: all but sources (fed or materialised) and views (aliased). */
export type KernelOp = Exclude<Op, SourceOp | ViewOp>;

/** The CPU backend: one kernel per op, keyed by the same union as the registry. */
export const cpuKernels: { readonly [O in KernelOp]: Kernel<O> } = {
  ...elementwiseKernels,
  ...contractionKernels,
  ...normKernels,
  ...layoutKernels,
  ...reduceKernels,
  ...spatialKernels,
  ...gatherKernels,
  chunk_loop: chunkLoopKernel,
};

/**
 * Ops whose CPU kernel writes every element of every output (a chunk loop writes each chunk's
 * slice, and the chunks cover the dim), so their storage is handed over as the heap has it:
 * zeroing it first took about 15 % of a GPT block's run. The others get zeroed storage.
 * execute.test.ts runs every model, whole and chunked, over a heap filled with NaN to check it.
 */
export const overwritesOutputs: ReadonlySet<KernelOp> = new Set<KernelOp>([
  ...(Object.keys(elementwiseKernels) as KernelOp[]),
  "linear",
  "matmul",
  "einsum",
  "softmax",
  "layer_norm",
  "permute",
  "slice",
  "concat",
  "embedding",
  "chunk_loop",
]);
