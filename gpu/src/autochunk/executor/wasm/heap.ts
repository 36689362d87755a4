import type { SharedWasmMemory } from "../../../cpu/wasm-instance.js";
import type { TensorData } from "../../ir/dtype.js";

const PAGE = 65536;
// Blocks start on cache lines, so two threads never write the same line and vectors align.
const ALIGN = 64;

interface Block {
  readonly start: number;
  readonly size: number;
}

/**
 * A first-fit allocator over one WebAssembly memory: the CPU kernels' tensors live here, so
 * the wasm kernels (on the main thread and in workers, which share the memory) read and write
 * them in place. Freed blocks coalesce with their neighbours; the memory grows (never shrinks)
 * when no free block fits. Byte offsets are what the wasm kernels take as pointers.
 *
 * @example
 * const heap = new WasmHeap(memory, 65536);
 * const at = heap.alloc(4096);
 * new Float32Array(memory.buffer, at, 1024).fill(1);
 * heap.free(at);
 */
export class WasmHeap {
  readonly #memory: SharedWasmMemory;
  /** Free blocks below `#top`, sorted by start. */
  readonly #free: Block[] = [];
  readonly #sizes = new Map<number, number>();
  // Every buffer object the memory has had: growing a shared memory gives a new object over
  // the same bytes, and views made before keep the old one.
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  #top: number;
  #used = 0;

  /** Manages `memory` from byte `base` up (what lies below is the module's own). */
  constructor(memory: SharedWasmMemory, base: number) {
    this.#memory = memory;
    this.#top = roundUp(base, ALIGN);
  }

  /** Bytes in blocks handed out now (each rounded up to 64 bytes). */
  get usedBytes(): number {
    return this.#used;
  }

  /** The start of a new block of at least `bytes`; its contents are not cleared. */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    let start: number;
    const i = this.#free.findIndex((b) => b.size >= size);
    if (i >= 0) {
      const block = this.#free[i]!;
      start = block.start;
      if (block.size === size) this.#free.splice(i, 1);
      else this.#free[i] = { start: start + size, size: block.size - size };
    } else {
      start = this.#top;
      const missing = start + size - this.#memory.buffer.byteLength;
      if (missing > 0) {
        try {
          this.#memory.grow(Math.ceil(missing / PAGE));
        } catch (e) {
          throw new RangeError(
            `WasmHeap: cannot grow to ${start + size} bytes for a block of ${bytes} ` +
              `(${this.#used} in use; wasm32 memory stops at 4 GiB): chunk the program ` +
              "(autochunk) or use a shorter input.",
            { cause: e },
          );
        }
      }
      this.#top += size;
    }
    this.#sizes.set(start, size);
    this.#used += size;
    return start;
  }

  /** Gives back the block at `start` (from `alloc`). */
  free(start: number): void {
    const size = this.#sizes.get(start);
    if (size === undefined) throw new RangeError(`WasmHeap: no block starts at byte ${start}`);
    this.#sizes.delete(start);
    this.#used -= size;
    let i = this.#free.findIndex((b) => b.start > start);
    if (i < 0) i = this.#free.length;
    let block: Block = { start, size };
    const next = this.#free[i];
    if (next !== undefined && start + size === next.start) {
      block = { start, size: size + next.size };
      this.#free.splice(i, 1);
    }
    const prev = this.#free[i - 1];
    if (prev !== undefined && prev.start + prev.size === start) {
      block = { start: prev.start, size: prev.size + block.size };
      this.#free.splice(--i, 1);
    }
    if (block.start + block.size === this.#top) this.#top = block.start;
    else this.#free.splice(i, 0, block);
  }

  /** Whether `data` is a view into this heap's memory. */
  holds(data: TensorData): boolean {
    return data.buffer === this.#memory.buffer || this.#buffers.has(data.buffer);
  }

  /** The memory's current buffer (views taken from it stay valid across growth). */
  get buffer(): SharedArrayBuffer {
    const buffer = this.#memory.buffer;
    this.#buffers.add(buffer);
    return buffer;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
