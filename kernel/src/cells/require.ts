import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** The `require` a cell's compiled code calls, plus the loader that runs before the cell. */
export interface CellRequire {
  (specifier: string): unknown;
  /**
   * Loads the cell's imports ahead of the cell, so ES-module-only packages work on
   * every Node 20 (require(esm) arrived only in 20.19).
   */
  preload(specifiers: readonly string[]): Promise<void>;
}

/**
 * Resolves from the notebook's folder first, then from Tessera's own folder, so the
 * workspace packages (`@tessera/gpu`, …) import by name from a notebook anywhere.
 */
export function createCellRequire(cwd: string, fallbackRoot: string): CellRequire {
  const resolvers = [cwd, fallbackRoot].map((dir) => createRequire(path.join(dir, "cell.js")));
  const esm = new Map<string, unknown>();

  const resolve = (specifier: string): { req: NodeJS.Require; file: string } => {
    let first: unknown;
    for (const req of resolvers) {
      try {
        return { req, file: req.resolve(specifier) };
      } catch (e) {
        first ??= e;
      }
    }
    throw first;
  };

  const cellRequire = ((specifier: string) => {
    if (esm.has(specifier)) return esm.get(specifier);
    const { req, file } = resolve(specifier);
    return req(file);
  }) as CellRequire;

  cellRequire.preload = async (specifiers) => {
    for (const specifier of specifiers) {
      if (esm.has(specifier) || isBuiltin(specifier)) continue;
      let found: { req: NodeJS.Require; file: string };
      try {
        found = resolve(specifier);
      } catch {
        continue; // the cell's require reports a missing module with Node's own message
      }
      const { req, file } = found;
      try {
        req(file);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
        // Marked as an ES module so the compiled `import x from` takes `default`, not the namespace.
        esm.set(specifier, { __esModule: true, ...(await import(pathToFileURL(file).href)) });
      }
    }
  };
  return cellRequire;
}

/** The specifiers that compiled CommonJS code passes to require(). */
export function requiredSpecifiers(js: string): string[] {
  return [...js.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
}
