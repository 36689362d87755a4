/**
 * Loads the TypeScript compiler on first use: it takes a few hundred milliseconds, which
 * would otherwise delay kernel_info_reply.
 */
import type * as tsTypes from "typescript";

export type TS = typeof tsTypes;

let loading: Promise<TS> | undefined;

export function loadTypeScript(): Promise<TS> {
  loading ??= import("typescript").then((namespace) => commonJs<TS>(namespace));
  return loading;
}

/** A CommonJS module's exports: Node puts them under `default`, tsx (in tests) on the namespace. */
function commonJs<T>(namespace: unknown): T {
  return ((namespace as { default?: T }).default ?? namespace) as T;
}
