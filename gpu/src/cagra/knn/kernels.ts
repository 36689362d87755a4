import { assembleModule } from "../../cpu/wasm-encoding.js";
import { compileModule, instantiate, type WasmModule } from "../../cpu/wasm-instance.js";
import { gatherKernel, normsKernel, tileKernel } from "./distance-kernel.js";
import { joinKernel, updateKernel } from "./nn-descent-kernel.js";
import { insertKernel, offerKernel, shiftKernel } from "./top-k-kernel.js";

/*
 * One WebAssembly instance holds the k-NN kernels and their working memory. Memory is sized
 * once at creation and handed out by `reserve`, so typed-array views taken afterwards are
 * never detached by a later grow.
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
  joinKernel(UPDATE),
  gatherKernel,
];

let compiled: WasmModule | undefined;

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
  join(tile: I32, ldo: I32, rows: I32, nNew: I32, count: I32, gd: I32, gi: I32, k: I32, stamps: I32, mark: I32): I32;
}

/** An instance of the kernels with `bytes` of memory to reserve from. */
export interface Kernels {
  readonly run: KernelFunctions;
  /** Views of the whole memory. */
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  /** Reserves `bytes` (rounded up to 16) and returns their byte offset. */
  reserve(bytes: number): number;
}

/**
 * Instantiates the kernels with at least `bytes` of memory.
 *
 * @example
 * const kernels = createKernels(distanceTileBytes(128, 256, 64));
 * const tile = createDistanceTile(kernels, "sqeuclidean", 128, 256, 64);
 */
export function createKernels(bytes: number): Kernels {
  // Compiled once per thread.
  compiled ??= compileModule(assembleModule(1, functions));
  const { exports, memory } = instantiate(compiled);
  const pages = Math.ceil(bytes / 65536);
  memory.grow(Math.max(0, pages - memory.buffer.byteLength / 65536));
  let used = 0;
  return {
    run: exports as unknown as KernelFunctions,
    f32: new Float32Array(memory.buffer),
    u32: new Uint32Array(memory.buffer),
    reserve(n) {
      const at = used;
      used += Math.ceil(n / 16) * 16;
      if (used > memory.buffer.byteLength) {
        throw new RangeError(`createKernels: reserved ${used} bytes of ${bytes}.`);
      }
      return at;
    },
  };
}
