import type { TensorData } from "../../ir/dtype.js";
import type { WasmHeap } from "./heap.js";
import { residentParam } from "./resident-params.js";

/**
 * Gives a kernel call a heap pointer for each typed array it reads or writes: the array's own
 * bytes when it lives in the heap (the executor's activations do), else a copy made for the call
 * (a caller's input, a kernel workspace), written back for outputs by `finish`; a parameter's
 * resident copy (resident-params.ts).
 *
 * @example
 * const s = new Staging(heap);
 * const [x, out] = [s.input(a.data), s.output(b.data)];
 * await runCalls(...);
 * s.finish();
 */
export class Staging {
  readonly #heap: WasmHeap;
  readonly #copies: number[] = [];
  readonly #writeBack: [TensorData, number][] = [];

  constructor(heap: WasmHeap) {
    this.#heap = heap;
  }

  /** A pointer to `data`'s values. */
  input(data: TensorData): number {
    if (this.#heap.holds(data)) return data.byteOffset;
    const param = residentParam(this.#heap, data);
    if (param !== null) return param;
    const at = this.#copy(data.byteLength);
    new Uint8Array(this.#heap.buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return at;
  }

  /** A pointer the kernel writes `data`'s values to (read first when `accumulate`). */
  output(data: TensorData, accumulate = false): number {
    if (this.#heap.holds(data)) return data.byteOffset;
    const at = accumulate ? this.input(data) : this.#copy(data.byteLength);
    this.#writeBack.push([data, at]);
    return at;
  }

  /** Copies the staged outputs back and frees every copy; call it also when the kernel failed. */
  finish(): void {
    for (const [data, at] of this.#writeBack) {
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(
        new Uint8Array(this.#heap.buffer, at, data.byteLength),
      );
    }
    for (const at of this.#copies) this.#heap.free(at);
  }

  #copy(bytes: number): number {
    const at = this.#heap.alloc(bytes);
    this.#copies.push(at);
    return at;
  }
}
