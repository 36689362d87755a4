import { assembleModule } from "../../cpu/wasm-encoding.js";
import {
  compileModule,
  createSharedMemory,
  instantiate,
  instantiateWithMemory,
  type SharedWasmMemory,
  type WasmModule,
} from "../../cpu/wasm-instance.js";
import { gatherKernel, normsKernel, tileKernel } from "./distance-kernel.js";
import { applyKernel, emitKernel, updateKernel } from "./nn-descent-kernel.js";
import { insertKernel, offerKernel, shiftKernel } from "./top-k-kernel.js";

/*
 * One WebAssembly instance holds the k-NN kernels and their working memory. Memory is sized
 * once at creation and handed out by `reserve`, so typed-array views taken afterwards are
 * never detached by a later grow. For threads, the memory is a shared one that each worker
 * instantiates the same kernels over (createSharedKernels, attachKernels).
 */

// Function indices, for the kernels that call others.
const SHIFT = 2;
const INSERT = 3;
const UPDATE = 5;
const functions = [
  tileKernel,
  normsKernel,
  shiftKernel,
  insertKernel(SHIFT),
  offerKernel(INSERT),
  updateKernel(SHIFT),
  emitKernel,
  gatherKernel,
  applyKernel(UPDATE),
];

// Compiled once per thread, each the first time it is needed.
let compiled: WasmModule | undefined;
let compiledShared: WasmModule | undefined;

type I32 = number;

/**
 * The kernels' exports (see distance-kernel.ts, top-k-kernel.ts, nn-descent-kernel.ts); all
 * addresses are byte offsets into the instance's memory.
 */
// prettier-ignore
export interface KernelFunctions {
  tile(x: I32, nx: I32, q: I32, nq: I32, dp: I32, xn: I32, qn: I32, out: I32, scale: number, floor: number, ldo: I32): void;
  norms(x: I32, nx: I32, q: I32, nq: I32, dp: I32, xn: I32, qn: I32, out: I32, scale: number, floor: number, ldo: I32): void;
  offer(tile: I32, stride: I32, nx: I32, nq: I32, hd: I32, hi: I32, kp: I32, k: I32, xIds: I32, qIds: I32): void;
  update(rowD: I32, rowI: I32, k: I32, d: number, id: I32): I32;
  gather(dst: I32, src: I32, ids: I32, count: I32, rowBytes: I32): void;
  emit(tile: I32, ldo: I32, rows: I32, nNew: I32, count: I32, gd: I32, gi: I32, k: I32, stamps: I32, mark: I32, out: I32): I32;
  apply(entries: I32, count: I32, shift: I32, mask: I32, stripe: I32, gd: I32, gi: I32, k: I32): I32;
}

/** An instance of the kernels and views of its whole memory. */
export interface KernelViews {
  readonly run: KernelFunctions;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
}

/** An instance of the kernels with `bytes` of memory to reserve from. */
export interface Kernels extends KernelViews {
  /** Reserves `bytes` (rounded up to 16) and returns their byte offset. */
  reserve(bytes: number): number;
}

/** Kernels over a shared memory, which workers attach to with attachKernels. */
export interface SharedKernels extends Kernels {
  readonly memory: SharedWasmMemory;
}

/**
 * Instantiates the kernels with at least `bytes` of memory.
 *
 * @example
 * const kernels = createKernels(distanceTileBytes(128, 256, 64));
 * const tile = createDistanceTile(kernels, "sqeuclidean", 128, 256, 64);
 */
export function createKernels(bytes: number): Kernels {
  compiled ??= compileModule(assembleModule(1, functions));
  const { exports, memory } = instantiate(compiled);
  const pages = Math.ceil(bytes / 65536);
  memory.grow(Math.max(0, pages - memory.buffer.byteLength / 65536));
  return reserveWithin(views(exports, memory.buffer), 0, memory.buffer.byteLength, bytes);
}

/**
 * As createKernels, over a new shared memory of at least `bytes` that workers can attach to.
 *
 * @example
 * const kernels = createSharedKernels(1 << 20);
 * worker.postMessage(kernels.memory); // the worker: attachKernels(memory)
 */
export function createSharedKernels(bytes: number): SharedKernels {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const memory = createSharedMemory(pages, pages);
  const kernels = reserveWithin(attachKernels(memory), 0, memory.buffer.byteLength, bytes);
  return { ...kernels, memory };
}

/** The kernels instantiated over `memory` (created by createSharedKernels, maybe on another thread). */
export function attachKernels(memory: SharedWasmMemory): KernelViews {
  compiledShared ??= compileModule(assembleModule(1, functions, "shared"));
  return views(instantiateWithMemory(compiledShared, memory), memory.buffer);
}

/**
 * Kernels over `kernels`' instance that reserve from bytes at .. at + size only, so that
 * threads can each lay out their scratch in their own part of a shared memory. `asked` names
 * the size in the error when it overflows.
 */
export function reserveWithin(
  kernels: KernelViews,
  at: number,
  size: number,
  asked = size,
): Kernels {
  let used = at;
  return {
    run: kernels.run,
    f32: kernels.f32,
    u32: kernels.u32,
    reserve(n) {
      const first = used;
      used += Math.ceil(n / 16) * 16;
      if (used > at + size) {
        throw new RangeError(`createKernels: reserved ${used - at} bytes of ${asked}.`);
      }
      return first;
    },
  };
}

function views(exports: Record<string, unknown>, buffer: ArrayBufferLike): KernelViews {
  return {
    run: exports as unknown as KernelFunctions,
    f32: new Float32Array(buffer),
    u32: new Uint32Array(buffer),
  };
}
