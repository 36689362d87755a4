/*
 * Node's built-in modules reached without a static `node:` import, so that the entries using the
 * CPU's WebAssembly (CAGRA's search, AutoChunk's executor) still bundle for a browser, where
 * they run on WebGPU instead. `process.getBuiltinModule` is in Node 20.16 and later.
 */
import { compileModule, type WasmModule } from "./wasm-instance.js";

type NodeBuiltins = Pick<NodeJS.Process, "getBuiltinModule">;

/** The built-ins asked for (type-only imports, erased from the output). */
interface Builtins {
  "node:fs": typeof import("node:fs");
  "node:os": typeof import("node:os");
  "node:url": typeof import("node:url");
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
  const { existsSync, readFileSync } = nodeBuiltin("node:fs", needsNode);
  const path = nodeBuiltin("node:url", needsNode).fileURLToPath(file);
  if (!existsSync(path)) {
    throw new Error(
      `${what}: ${path} is missing; build it with \`npm run build:wasm\` ` +
        "(part of `npm run build` and scripts/setup.sh).",
    );
  }
  return compileModule(new Uint8Array(readFileSync(path)));
}
