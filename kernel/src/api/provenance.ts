/**
 * Provenance for reproduction notebooks: what ran a result (Tessera's version and commit, the
 * backend and its adapter, Node, TypeScript, the CPU) and with which seeds, shown at the top of
 * a notebook and written into its figures' JSON, so a reader can tell two runs apart.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Backend } from "@tessera/gpu";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";

/** The environment of a run, as plain data (JSON as it is). */
export interface ProvenanceRecord {
  /** The kernel package's version. */
  readonly tessera: string;
  /** `git rev-parse HEAD` of the clone the kernel runs from; null outside a git checkout. */
  readonly commit: string | null;
  /** Whether that checkout had uncommitted changes to tracked files; null without git. */
  readonly dirty: boolean | null;
  /** "cpu (N threads)" or "webgpu", with the adapter's vendor, architecture and description. */
  readonly backend: string;
  readonly node: string;
  /** The TypeScript that compiles the cells. */
  readonly typescript: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  /** os.loadavg() when the record was taken: timings from a busy machine read differently. */
  readonly loadAverage: readonly number[];
  /** The seeds a notebook passes, by what they seed. */
  readonly seeds: Readonly<Record<string, number>>;
  /** ISO 8601, when the record was taken. */
  readonly date: string;
}

/** A provenance record that shows as a table. */
export interface Provenance extends Displayable {
  readonly record: ProvenanceRecord;
}

// This file is kernel/src/api/ (tsx) or kernel/dist/api/ (built): the kernel package and the
// clone are the same two and three levels up.
const KERNEL_DIR = fileURLToPath(new URL("../../", import.meta.url));
const CLONE_DIR = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The environment of this kernel and `backend`, with the notebook's `seeds`.
 *
 * @example
 * const backend = await selectBackend();
 * provenance(backend, { data: 1, queries: 2 }) // shows a table; .record is the plain data
 */
export function provenance(backend: Backend, seeds: Readonly<Record<string, number>>): Provenance {
  for (const [name, seed] of Object.entries(seeds)) {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`provenance: seed "${name}" must be an integer, got ${seed}.`);
    }
  }
  const git = gitState();
  const record: ProvenanceRecord = {
    tessera: packageVersion(`${KERNEL_DIR}package.json`),
    commit: git?.commit ?? null,
    dirty: git?.dirty ?? null,
    backend: backendLine(backend),
    node: process.version,
    typescript: packageVersion(createRequire(import.meta.url).resolve("typescript/package.json")),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg(),
    seeds: { ...seeds },
    date: new Date().toISOString(),
  };
  return { record, [JUPYTER_DISPLAY]: () => provenanceBundle(record) };
}

/** The record as a two-column table (Markdown for JupyterLab, the same text elsewhere). */
export function provenanceBundle(record: ProvenanceRecord): MimeBundle {
  const commit =
    record.commit === null
      ? "not a git checkout"
      : `${record.commit}${record.dirty ? " (with uncommitted changes)" : ""}`;
  const seeds = Object.entries(record.seeds)
    .map(([name, seed]) => `${name} ${seed}`)
    .join(", ");
  const rows: [string, string][] = [
    ["Tessera", `${record.tessera}, commit ${commit}`],
    ["backend", record.backend],
    ["Node.js", record.node],
    ["TypeScript", record.typescript],
    ["CPU", `${record.cpu} (${record.cores} cores), ${record.platform}`],
    ["load average", record.loadAverage.map((l) => l.toFixed(2)).join(", ")],
    ["seeds", seeds || "none"],
    ["date", record.date],
  ];
  const text = [
    "| provenance | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${v.replaceAll("|", "\\|")} |`),
  ].join("\n");
  return { "text/markdown": text, "text/plain": text };
}

function backendLine(backend: Backend): string {
  if (backend.kind === "cpu")
    return `cpu (${backend.threads} thread${backend.threads > 1 ? "s" : ""})`;
  const { vendor, architecture, description } = backend.adapter;
  const adapter = [vendor, architecture, description].filter((s) => s !== "").join(", ");
  return `webgpu (${adapter || "adapter without a description"})`;
}

function packageVersion(file: string): string {
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** The clone's commit and whether tracked files changed; undefined without git or a checkout. */
function gitState(): { commit: string; dirty: boolean } | undefined {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", CLONE_DIR, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
  try {
    return {
      commit: git("rev-parse", "HEAD"),
      dirty: git("status", "--porcelain", "--untracked-files=no") !== "",
    };
  } catch {
    return undefined;
  }
}
