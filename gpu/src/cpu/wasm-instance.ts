/*
 * The slice of the WebAssembly JavaScript API that the CPU kernels use, typed here because
 * the project compiles without lib.dom (where TypeScript declares WebAssembly).
 */

/** A compiled module (opaque). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A module's exported linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` × 64 KiB and returns the previous size in pages. */
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { readonly exports: Record<string, unknown> };
}

const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Compiles `bytes` synchronously (fine in Node and in workers for small modules). */
export function compileModule(bytes: Uint8Array): WasmModule {
  return new api.Module(bytes);
}

/**
 * Instantiates `module` (which imports nothing) and returns its exports, its memory exported
 * as `memory` among them.
 *
 * @example
 * const { exports, memory } = instantiate(compileModule(assembleModule(1, functions)));
 */
export function instantiate(module: WasmModule): {
  exports: Record<string, unknown>;
  memory: WasmMemory;
} {
  const { exports } = new api.Instance(module);
  return { exports, memory: exports.memory as WasmMemory };
}
