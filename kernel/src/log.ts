import { writeSync } from "node:fs";

/**
 * Kernel diagnostics go straight to file descriptor 2 (the Jupyter server's log):
 * process.stdout/stderr are redirected to the notebook while cells run.
 */
export function log(message: string): void {
  try {
    writeSync(2, `[tessera-kernel] ${message}\n`);
  } catch {
    // A closed stderr must not take the kernel down.
  }
}
