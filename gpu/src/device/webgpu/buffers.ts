/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../backend.js";
import { assertAlive } from "./device.js";
import { BufferUsage, MapMode } from "./usage.js";

/** A device buffer whose allocation and release are recorded in the backend's MemoryTracker. */
export interface TrackedBuffer {
  readonly buffer: GPUBuffer;
  /** Bytes as requested (the GPU buffer is rounded up to 4). */
  readonly bytes: number;
  readonly label: string;
  /** The id of this buffer's allocation in the tracker. */
  readonly allocation: number;
}

/**
 * Allocates a labelled device buffer through the tracked allocator (DESIGN.md: every device
 * buffer goes through it). A size beyond the device's limits is a clear RangeError rather than
 * a validation error later.
 *
 * @example
 * const ids = createBuffer(gpu, 4 * n, BufferUsage.STORAGE | BufferUsage.COPY_SRC, "ids", "search");
 * destroyBuffer(gpu, ids);
 */
export function createBuffer(
  backend: WebGpuBackend,
  bytes: number,
  usage: number,
  label: string,
  op = "user",
): TrackedBuffer {
  assertAlive(backend);
  checkSize(backend, bytes, usage, label);
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  const buffer = backend.device.createBuffer({ size, usage, label });
  const allocation = backend.memory.alloc(size, label, op);
  return { buffer, bytes, label, allocation };
}

/** Releases `b` and records the free. */
export function destroyBuffer(backend: WebGpuBackend, b: TrackedBuffer): void {
  b.buffer.destroy();
  backend.memory.free(b.allocation);
}

/** A storage buffer holding a copy of `data`. */
export function uploadBuffer(
  backend: WebGpuBackend,
  data: ArrayBufferView,
  label: string,
  op = "user",
  usage: number = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC,
): TrackedBuffer {
  const b = createBuffer(backend, data.byteLength, usage | BufferUsage.COPY_DST, label, op);
  writeBuffer(backend, b, data);
  return b;
}

/** Copies `data` into `b` at byte `offset` (padded to a multiple of 4 as WebGPU requires). */
export function writeBuffer(
  backend: WebGpuBackend,
  b: TrackedBuffer,
  data: ArrayBufferView,
  offset = 0,
): void {
  assertAlive(backend);
  // The spec takes shared memory too (AllowSharedBufferSource); @webgpu/types says ArrayBuffer.
  const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength % 4 === 0) {
    backend.device.queue.writeBuffer(b.buffer, offset, bytes);
  } else {
    const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    padded.set(bytes);
    backend.device.queue.writeBuffer(b.buffer, offset, padded);
  }
}

/**
 * Reads `bytes` (default all) of `b` back to the host through a tracked staging buffer.
 * `b` needs COPY_SRC usage.
 */
export async function readBuffer(
  backend: WebGpuBackend,
  b: TrackedBuffer,
  bytes = b.bytes,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = createBuffer(
    backend,
    size,
    BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    `${b.label} (readback)`,
    "readback",
  );
  try {
    const encoder = backend.device.createCommandEncoder({ label: `read ${b.label}` });
    encoder.copyBufferToBuffer(b.buffer, offset, staging.buffer, 0, size);
    backend.device.queue.submit([encoder.finish()]);
    await Promise.race([staging.buffer.mapAsync(MapMode.READ), backend.lost]);
    return staging.buffer.getMappedRange().slice(0, bytes);
  } finally {
    destroyBuffer(backend, staging);
  }
}

function checkSize(backend: WebGpuBackend, bytes: number, usage: number, label: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`Buffer "${label}": size must be a non-negative integer, got ${bytes}.`);
  }
  const { maxBufferSize, maxStorageBufferBindingSize } = backend.limits;
  const storage = (usage & BufferUsage.STORAGE) !== 0;
  const limit = storage ? Math.min(maxBufferSize, maxStorageBufferBindingSize) : maxBufferSize;
  if (bytes > limit) {
    throw new RangeError(
      `Buffer "${label}" needs ${bytes} bytes, more than this device allows for one ` +
        `${storage ? "storage binding" : "buffer"} (${limit} bytes). Use smaller batches ` +
        "(fewer queries or rows at a time), a smaller dtype, or the CPU backend.",
    );
  }
}
