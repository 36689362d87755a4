/**
 * Loads the TypeScript compiler on first use: it takes a few hundred milliseconds, which
 * would otherwise delay kernel_info_reply. It goes through V8's code cache
 * (compile-cache.ts), which `saveCompiledTypeScript` fills once a cell has been checked.
 */
import { createRequire } from "node:module";
import type * as tsTypes from "typescript";
import { log } from "../log.js";
import { requireCached, type CachedModule } from "./compile-cache.js";

export type TS = typeof tsTypes;

let loading: Promise<TS> | undefined;
let cached: CachedModule<TS> | undefined;

export function loadTypeScript(): Promise<TS> {
  loading ??= Promise.resolve().then(() => {
    try {
      cached = requireCached<TS>(createRequire(import.meta.url).resolve("typescript"));
      return cached.exports;
    } catch (e) {
      log(`TypeScript loads without V8's code cache: ${e}`);
      return import("typescript").then((namespace) => commonJs<TS>(namespace));
    }
  });
  return loading;
}

/** Keeps the compiler's compiled code for the next kernel (once; not from a cached start). */
export function saveCompiledTypeScript(): void {
  cached?.save();
  cached = undefined;
}

/** A CommonJS module's exports: Node puts them under `default`, tsx (in tests) on the namespace. */
function commonJs<T>(namespace: unknown): T {
  return ((namespace as { default?: T }).default ?? namespace) as T;
}
