/*
 * The worker side of runtime.ts's runCalls: a task module for the worker pool that runs one
 * kernel call on an instance over the shared memory, instantiated once per worker and memory.
 */
import { instantiateWithMemory } from "../../../cpu/wasm-instance.js";
import type { WorkerTask } from "../../../cpu/worker-protocol.js";
import type { WasmKernels, WorkerCall } from "./runtime.js";

let cached: { readonly memoryId: number; readonly kernels: WasmKernels } | undefined;

export const run: WorkerTask<WorkerCall, null> = ({ module, memory, memoryId, kernel, args }) => {
  if (cached?.memoryId !== memoryId) {
    cached = { memoryId, kernels: instantiateWithMemory(module, memory) as unknown as WasmKernels };
  }
  (cached.kernels[kernel] as (...a: number[]) => void)(...args);
  return null;
};
