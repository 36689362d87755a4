import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const KERNEL_NAME = "tessera";

/**
 * Node's options for the kernel. An interrupt may terminate a cell busy in a timer or I/O
 * callback (protocol/stop-main-thread.ts); Node's async-hooks stack check would then
 * abort the process, as the callback's context is never popped. Without the check the
 * kernel goes on.
 */
export const NODE_FLAGS = ["--no-force-async-hooks-checks"];

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="10" fill="#3178c6"/><g fill="#fff"><rect x="10" y="10" width="20" height="20" rx="2"/><rect x="34" y="10" width="20" height="20" rx="2" opacity=".7"/><rect x="10" y="34" width="20" height="20" rx="2" opacity=".7"/><rect x="34" y="34" width="20" height="20" rx="2" opacity=".4"/></g></svg>\n`;

/**
 * Writes the kernelspec into `<prefix>/share/jupyter/kernels/tessera` (a virtual
 * environment's data path) or the user's Jupyter data folder, replacing any older one.
 * Returns the folder.
 *
 * @example
 * installKernelspec({ prefix: ".venv" });
 */
export function installKernelspec(where: { prefix: string } | { user: boolean }): string {
  const base =
    "prefix" in where
      ? path.join(path.resolve(where.prefix), "share", "jupyter")
      : (process.env["JUPYTER_DATA_DIR"] ?? path.join(os.homedir(), ".local", "share", "jupyter"));
  const dir = path.join(base, "kernels", KERNEL_NAME);
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");
  const spec = {
    argv: [process.execPath, ...NODE_FLAGS, main, "--connection-file", "{connection_file}"],
    display_name: "TypeScript (Tessera)",
    language: "typescript",
    interrupt_mode: "message",
    kernel_protocol_version: "5.3",
    metadata: { debugger: false },
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  writeFileSync(path.join(tmp, "logo-svg.svg"), LOGO);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
