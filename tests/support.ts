/** What the cross-package tests share: the clone's paths and a child-process runner. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const VENV = path.join(REPO, ".venv");
/** Executed notebooks and screenshots, kept for people (and CI logs) to look at. */
export const ARTIFACTS = path.join(REPO, "tests", "artifacts");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
}

/**
 * Runs a program to its end, or kills it (and its process group) after `timeoutMs`.
 *
 * @example
 * const r = await run("python3", ["-V"], { timeoutMs: 10_000 });
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own group, so a timeout also ends the kernels it started.
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => killGroup(child.pid), options.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Ends a process started with `detached: true` and everything it started. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Fails with what to do when something the setup should have provided is missing. */
export function requireFile(file: string, hint: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
}

/** The end of a long output, for assertion messages. */
export function tail(text: string, chars = 6000): string {
  return text.length <= chars ? text : "…" + text.slice(-chars);
}
