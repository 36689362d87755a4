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

/** A memory created with `shared: true`: every thread that instantiates with it sees its bytes. */
export interface SharedWasmMemory {
  readonly buffer: SharedArrayBuffer;
  /** Grows by `pages` × 64 KiB and returns the previous size in pages. */
  grow(pages: number): number;
}

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports?: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedWasmMemory;
}

const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Whether this engine accepts `bytes` as a module (its instructions and features). */
export function validateModule(bytes: Uint8Array): boolean {
  return api.validate(bytes);
}

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

/**
 * A shared memory of `initial` pages that may grow to `maximum` (64 KiB each); it can be posted
 * to workers, which instantiate the same module over it.
 *
 * @example
 * const memory = createSharedMemory(16, 65536);
 */
export function createSharedMemory(initial: number, maximum: number): SharedWasmMemory {
  return new api.Memory({ initial, maximum, shared: true });
}

/**
 * Instantiates `module`, which imports its memory as `env.memory`, over `memory`, and returns
 * its exports.
 *
 * @example
 * const exports = instantiateWithMemory(module, createSharedMemory(16, 65536));
 */
export function instantiateWithMemory(
  module: WasmModule,
  memory: SharedWasmMemory,
): Record<string, unknown> {
  return new api.Instance(module, { env: { memory } }).exports;
}
