/**
 * What to tell a user whose cell imports a package that is not installed: the command that
 * adds it, and for Tessera's optional native packages (which a machine without a C++
 * compiler skips at setup) why it is missing.
 */
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";

export interface PackageFolders {
  /** The notebook's folder. */
  cwd: string;
  /** Tessera's folder, whose package.json names its optional dependencies. */
  root: string;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined. */
export function packageName(specifier: string): string | undefined {
  if (/^[./]/.test(specifier) || specifier.includes(":") || isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The hint for a package a cell could not import. */
export function missingPackageHint(specifier: string, folders: PackageFolders): string | undefined {
  const name = packageName(specifier);
  if (name === undefined) return undefined;
  if (optionalDependencies(folders.root).has(name)) {
    return (
      `"${name}" is an optional dependency of Tessera, a native addon that setup skips where ` +
      `it cannot be built (it needs a C++ compiler: on Debian, apt install build-essential). ` +
      `Add it with \`npm install ${name}\` in ${folders.root} or in the notebook's folder.`
    );
  }
  return `"${name}" is not installed. Add it with \`npm install ${name}\` in the notebook's folder (${folders.cwd}).`;
}

/** The specifier named by a "Cannot find module 'x'" / "Cannot find package 'x'" message. */
export function missingSpecifier(message: string): string | undefined {
  return /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
}

const optional = new Map<string, Set<string>>();

function optionalDependencies(root: string): Set<string> {
  let names = optional.get(root);
  if (names === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
        optionalDependencies?: Record<string, string>;
      };
      names = new Set(Object.keys(pkg.optionalDependencies ?? {}));
    } catch {
      names = new Set();
    }
    optional.set(root, names);
  }
  return names;
}
