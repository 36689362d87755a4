/*
 * Node's built-in modules reached without a static `node:` import, so that the entries using the
 * CPU's WebAssembly (CAGRA's search, AutoChunk's executor) still bundle for a browser, where
 * they run on WebGPU instead. `process.getBuiltinModule` is in Node 20.16 and later.
 */
import { compileModule, validateModule, type WasmModule } from "./wasm-instance.js";

type NodeBuiltins = Pick<NodeJS.Process, "getBuiltinModule">;

/** The built-ins asked for (type-only imports, erased from the output). */
interface Builtins {
  "node:fs": typeof import("node:fs");
  "node:os": typeof import("node:os");
  "node:url": typeof import("node:url");
  "node:v8": typeof import("node:v8");
}

/**
 * The Node built-in `id`, or an error that says `needsNode` (what needs Node, and what to use
 * instead in a browser).
 *
 * @example
 * nodeBuiltin("node:os", "The CPU executor needs Node.js.").availableParallelism();
 */
export function nodeBuiltin<ID extends keyof Builtins>(id: ID, needsNode: string): Builtins[ID] {
  const node = (globalThis as { process?: Partial<NodeBuiltins> }).process;
  if (node?.getBuiltinModule === undefined) throw new Error(needsNode);
  return node.getBuiltinModule(id) as Builtins[ID];
}

/**
 * Compiles the WebAssembly module the build wrote at `file`; `what` names it in the error that
 * says how to build it when it is missing.
 *
 * @example
 * const module = compileWasmFile(new URL("../dist/wasm/k.wasm", import.meta.url), "kernels", msg);
 */
export function compileWasmFile(file: URL, what: string, needsNode: string): WasmModule {
  return compileModule(readWasmFile(file, what, needsNode));
}

function readWasmFile(file: URL, what: string, needsNode: string): Uint8Array {
  const { existsSync, readFileSync } = nodeBuiltin("node:fs", needsNode);
  const path = nodeBuiltin("node:url", needsNode).fileURLToPath(file);
  if (!existsSync(path)) {
    throw new Error(
      `${what}: ${path} is missing; build it with \`npm run build:wasm\` ` +
        "(part of `npm run build` and scripts/setup.sh).",
    );
  }
  return new Uint8Array(readFileSync(path));
}

/** The two builds of one kernel module: SIMD128, and SIMD128 with relaxed SIMD's fused multiply-add. */
export interface WasmBuilds {
  readonly simd: URL;
  readonly relaxedSimd: URL;
}

/** Which build a module was compiled from. */
export type WasmBuildName = keyof WasmBuilds;

/**
 * Compiles the relaxed-SIMD build of a kernel module where this engine runs it, else the
 * SIMD128 build. Node 20's V8 implements relaxed SIMD behind `--experimental-wasm-relaxed-simd`
 * (on by default from Node 22), so where the build does not validate, that flag is turned on
 * before compiling: V8 reads its wasm feature flags at each compile. `TESSERA_WASM_BUILD=simd`
 * picks the SIMD128 build (for comparisons).
 *
 * @example
 * const { module, build } = compileWasmBuilds({ simd: fileA, relaxedSimd: fileB }, "kernels", msg);
 */
export function compileWasmBuilds(
  builds: WasmBuilds,
  what: string,
  needsNode: string,
): { readonly module: WasmModule; readonly build: WasmBuildName } {
  // In a browser there is no process: the read below then says what needs Node.
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env;
  if (env?.TESSERA_WASM_BUILD !== "simd") {
    const bytes = readWasmFile(builds.relaxedSimd, what, needsNode);
    if (!validateModule(bytes)) {
      nodeBuiltin("node:v8", needsNode).setFlagsFromString("--experimental-wasm-relaxed-simd");
    }
    if (validateModule(bytes)) return { module: compileModule(bytes), build: "relaxedSimd" };
  }
  return { module: compileWasmFile(builds.simd, what, needsNode), build: "simd" };
}
