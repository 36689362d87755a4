/*
 * Parameters in the heap: the CPU backend marks the values of generated parameters (made and
 * cached per parameter by materializeParam, never changed after), and the first wasm kernel that
 * reads them copies them into the heap once; the copy is reused while the values live and freed
 * after they are collected. Only parameters a wasm kernel reads are copied (an embedding table
 * read by the TypeScript gather kernel stays where it is). Arrays a caller supplies may change
 * between runs, so they are staged per call instead.
 */
import type { TensorData } from "../../ir/dtype.js";
import type { WasmHeap } from "./heap.js";

const params = new WeakSet<TensorData>();
const copies = new WeakMap<TensorData, number>();
let frees: FinalizationRegistry<number> | undefined;

/** Marks `data` as a parameter's values that never change, worth keeping in the heap. */
export function markParam(data: TensorData): void {
  params.add(data);
}

/** The heap pointer of `data`'s resident copy if it is a marked parameter (made now if needed), else null. */
export function residentParam(heap: WasmHeap, data: TensorData): number | null {
  if (!params.has(data)) return null;
  let at = copies.get(data);
  if (at === undefined) {
    at = heap.alloc(data.byteLength);
    new Uint8Array(heap.buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    copies.set(data, at);
    frees ??= new FinalizationRegistry<number>((block) => heap.free(block));
    frees.register(data, at);
  }
  return at;
}
