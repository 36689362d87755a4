/*
 * How the CPU's WebAssembly search kernels hold stored vectors in their memory: rows zero-padded
 * to whole 16-byte blocks (the kernels read a block at a time). Shared by the distance kernels
 * (wasm-distance.ts) and the whole-search module (wasm-search.ts).
 */
import type { SharedWasmMemory, WasmMemory } from "../../cpu/wasm-instance.js";
import type { StorageKind, VectorStorage } from "../storage/vector-storage.js";

/** Values per 16-byte block, and bytes per value, of each kind. */
const LAYOUT: Readonly<Record<StorageKind, { perBlock: number; bytes: number }>> = {
  f32: { perBlock: 4, bytes: 4 },
  f16: { perBlock: 8, bytes: 2 },
  int8: { perBlock: 16, bytes: 1 },
};

/**
 * Values and bytes per padded row of `cols` values of `kind`.
 *
 * @example
 * paddedRows("f16", 100); // { paddedCols: 104, rowBytes: 208 }
 */
export function paddedRows(
  kind: StorageKind,
  cols: number,
): { paddedCols: number; rowBytes: number } {
  const { perBlock, bytes } = LAYOUT[kind];
  const paddedCols = Math.ceil(cols / perBlock) * perBlock;
  return { paddedCols, rowBytes: paddedCols * bytes };
}

/**
 * Copies `storage`'s rows into `buffer` from byte `at`, each padded to `paddedCols` values (the
 * padding stays as the memory had it: zero in a fresh instance).
 *
 * @example
 * writePaddedRows(storage, memory.buffer, rowsAt, paddedRows(storage.kind, storage.cols).paddedCols);
 */
export function writePaddedRows(
  storage: VectorStorage,
  buffer: ArrayBufferLike,
  at: number,
  paddedCols: number,
): void {
  const { rows, cols } = storage;
  const view =
    storage.kind === "f32"
      ? new Float32Array(buffer, at)
      : storage.kind === "f16"
        ? new Uint16Array(buffer, at)
        : new Int8Array(buffer, at);
  for (let r = 0; r < rows; r++) {
    view.set(storage.data.subarray(r * cols, (r + 1) * cols), r * paddedCols);
  }
}

/** Bytes in a WebAssembly memory page. */
export const PAGE = 65536;

/**
 * Grows `memory` by `pages` and returns the previous size in pages; `what` names the data in the
 * error that says what to do when it cannot grow.
 */
function grow(memory: WasmMemory | SharedWasmMemory, pages: number, what: () => string): number {
  try {
    return memory.grow(pages);
  } catch (cause) {
    throw new RangeError(
      `${what()} (${pages * PAGE} bytes more) does not fit in WebAssembly memory; store it as f16 or int8 (compressIndex) or search a smaller index on the CPU.`,
      { cause },
    );
  }
}

/**
 * Grows `memory` to hold `bytes` and returns its buffer; `what` names the data in the error that
 * says what to do when it cannot grow.
 *
 * @example
 * const buffer = ensureBytes(memory, end, () => `the index (${rows} × ${cols} f32)`);
 */
export function ensureBytes(memory: WasmMemory, bytes: number, what: () => string): ArrayBuffer {
  const have = memory.buffer.byteLength;
  if (bytes > have) grow(memory, Math.ceil((bytes - have) / PAGE), what);
  return memory.buffer;
}

/**
 * A new region of at least `bytes` at the end of `memory`, for this thread alone: growing is
 * atomic, so threads that allocate at once get disjoint regions. Returns its first byte and
 * its length (whole pages).
 *
 * @example
 * const { at, bytes } = allocateBytes(memory, stampsBytes, () => "the visited stamps");
 */
export function allocateBytes(
  memory: SharedWasmMemory,
  bytes: number,
  what: () => string,
): { at: number; bytes: number } {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  return { at: grow(memory, pages, what) * PAGE, bytes: pages * PAGE };
}
