/*
 * The CPU backend's allocation (the walk's allocate/release/handOver, walk.ts): tensors
 * live in the wasm kernels' shared memory (heap.ts), so every kernel call on every thread reads
 * its inputs and writes its outputs in place. The walk still records each activation's exact
 * bytes in the MemoryTracker; the heap only rounds blocks up to 64 bytes, which `heapGauge`
 * shows beside the tracked figure.
 */
import type { TensorType } from "../../ir/dtype.js";
import { tensorBytes } from "../../ir/dtype.js";
import type { TensorData } from "../../ir/dtype.js";
import { numel } from "../../ir/shape.js";
import type { ResidentGauge } from "../resident.js";
import type { Tensor } from "../tensor.js";
import { kernelRuntime } from "./runtime.js";

function view(dtype: Tensor["dtype"], at: number, length: number): TensorData {
  const { buffer } = kernelRuntime().heap;
  return dtype === "i32"
    ? new Int32Array(buffer, at, length)
    : new Float32Array(buffer, at, length);
}

/**
 * A tensor of `type` in the heap, zeroed unless `zeroed` is false (then it holds whatever the
 * heap's block held: for a kernel that writes every element); give it back with
 * `releaseHeapTensor`.
 *
 * @example
 * const t = allocateHeapTensor({ shape: [2, 3], dtype: "f32" });
 * releaseHeapTensor(t);
 */
export function allocateHeapTensor(type: TensorType, zeroed = true): Tensor {
  const bytes = tensorBytes(type);
  const at = kernelRuntime().heap.alloc(bytes);
  const data = view(type.dtype, at, numel(type.shape));
  if (zeroed) data.fill(0);
  return { data, shape: type.shape, dtype: type.dtype };
}

/** Frees a tensor from `allocateHeapTensor` (not a view of one). */
export function releaseHeapTensor(t: Tensor): void {
  kernelRuntime().heap.free(t.data.byteOffset);
}

/**
 * `bytes` bytes in the heap, not cleared (a kernel's workspace, so the wasm kernels read and
 * write it in place, as they do activations; every CPU kernel writes its scratch before reading
 * it, and clearing an einsum's 38 MiB of permuted copies once per loop iteration cost more than
 * the loop's slicing); give them back with `releaseHeapBytes`.
 *
 * @example
 * const scratch = allocateHeapBytes(1024);
 * releaseHeapBytes(scratch);
 */
export function allocateHeapBytes(bytes: number): Uint8Array {
  if (bytes === 0) return new Uint8Array(0);
  const heap = kernelRuntime().heap;
  const at = heap.alloc(bytes);
  return new Uint8Array(heap.buffer, at, bytes);
}

/** Frees bytes from `allocateHeapBytes`. */
export function releaseHeapBytes(bytes: Uint8Array): void {
  if (bytes.byteLength > 0) kernelRuntime().heap.free(bytes.byteOffset);
}

/** Copies of `outputs` outside the heap, so the walk may release the heap tensors after. */
export function copyOutOfHeap(outputs: readonly Tensor[]): Tensor[] {
  return outputs.map((t) => ({ data: t.data.slice(), shape: t.shape, dtype: t.dtype }));
}

// Node's count of ArrayBuffer backing stores (garbage not yet collected included) leaves out
// wasm memories, so the heap's blocks are added.
const memoryUsage = (
  globalThis as { process?: { memoryUsage?: () => { readonly arrayBuffers: number } } }
).process?.memoryUsage;

/**
 * Bytes held by the CPU backend by its own counts, for the resident peak (resident.ts): Node's
 * ArrayBuffers (inputs, workspaces, copies) plus the heap's blocks in use (activations rounded
 * up to 64 bytes, staging copies, parameters' resident copies).
 */
export const heapGauge: ResidentGauge = {
  source: "process.memoryUsage().arrayBuffers + wasm heap blocks in use",
  read: () => (memoryUsage?.().arrayBuffers ?? 0) + kernelRuntime().heap.usedBytes,
};
