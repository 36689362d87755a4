import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/*
 * Test support: runs Python from the project's .venv (scripts/setup.sh installs numpy and h5py
 * there), so tests can check files against numpy's and h5py's own writers.
 */

/** The project's Python interpreter. */
export const PYTHON = fileURLToPath(new URL("../../.venv/bin/python", import.meta.url));

/** Whether the interpreter is there (tests that need it are skipped with a reason otherwise). */
export const HAS_PYTHON = existsSync(PYTHON);

/**
 * Runs `script` with `args` (as sys.argv[1:]) and returns its stdout; throws with stderr if
 * it fails.
 *
 * @example
 * runPython("import sys, numpy; print(numpy.__version__)");
 */
export function runPython(script: string, args: readonly string[] = []): string {
  return execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
}
