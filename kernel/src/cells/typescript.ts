/**
 * Loads tslab's converter (TypeScript cell semantics: declarations carried from cell to
 * cell, type checking, top-level await) and its TypeScript build. Both are loaded on first
 * use: together they take over a second, which would otherwise delay kernel_info_reply.
 */
import path from "node:path";
import type * as tsTypes from "@tslab/typescript-for-tslab";
import type { Converter } from "tslab/dist/converter.js";
import type * as ConverterModule from "tslab/dist/converter.js";

export type TS = typeof tsTypes;

export interface TypeScriptTools {
  ts: TS;
  converter: Converter;
}

let loading: Promise<TypeScriptTools> | undefined;

/**
 * @param fallbackRoot a folder whose node_modules serve cells whose own folder lacks a
 *   package (Tessera's workspace packages and its dependencies).
 */
export function loadTypeScript(fallbackRoot: string): Promise<TypeScriptTools> {
  loading ??= (async () => {
    const ts = commonJs<TS>(await import("@tslab/typescript-for-tslab"));
    forwardNodeModules(ts.sys, process.cwd(), fallbackRoot);
    const { createConverter } = commonJs<typeof ConverterModule>(
      await import("tslab/dist/converter.js"),
    );
    return { ts, converter: createConverter() };
  })();
  return loading;
}

/** A CommonJS module's exports: Node puts them under `default`, tsx (in tests) on the namespace. */
function commonJs<T>(namespace: unknown): T {
  return ((namespace as { default?: T }).default ?? namespace) as T;
}

/**
 * Makes `<cwd>/node_modules/X` fall back to `<root>/node_modules/X` for the type checker,
 * so that `import { … } from "@tessera/gpu"` type-checks in a notebook anywhere.
 * tslab's converter calls ts.sys at each lookup, so patching it here is enough.
 */
function forwardNodeModules(sys: TS["sys"], cwd: string, root: string): void {
  const local = path.join(cwd, "node_modules") + path.sep;
  const fallback = path.join(root, "node_modules") + path.sep;
  if (local === fallback) return;
  const forward = (p: string, exists: (p: string) => boolean): string => {
    if (!p.startsWith(local) || exists(p)) return p;
    const alt = fallback + p.slice(local.length);
    return exists(alt) ? alt : p;
  };
  const fileExists = sys.fileExists.bind(sys);
  const directoryExists = sys.directoryExists.bind(sys);
  const readFile = sys.readFile.bind(sys);
  const realpath = sys.realpath?.bind(sys);
  const getDirectories = sys.getDirectories.bind(sys);
  sys.fileExists = (p) => fileExists(forward(p, fileExists));
  sys.directoryExists = (p) => directoryExists(forward(p, directoryExists));
  sys.readFile = (p, enc) => readFile(forward(p, fileExists), enc);
  if (realpath)
    sys.realpath = (p) => realpath(forward(p, (q) => fileExists(q) || directoryExists(q)));
  // Automatic type inclusion (`@types/node`, which declares `console` and `node:*`) lists
  // `<cwd>/node_modules/@types`: the listing is the union of both folders, local first.
  sys.getDirectories = (p) => {
    const own = directoryExists(p) ? getDirectories(p) : [];
    if (!p.startsWith(local)) return own;
    const alt = fallback + p.slice(local.length);
    return directoryExists(alt) ? [...new Set([...own, ...getDirectories(alt)])] : own;
  };
}
