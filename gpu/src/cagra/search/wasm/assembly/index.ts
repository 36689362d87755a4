/* CAGRA's CPU search compiled to WebAssembly (../../wasm-search.ts loads it): everything the module exports. */
export { distances, queryInIntegers, setIndex, setQuery } from "./distance";
export { searchBatch, setGraph, setPlan, setWorkspace } from "./search";

/** Where this module's own data ends: the JavaScript side lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}
