/**
 * Kernel benchmark: start-up time and trivial-cell round trip of the Tessera kernel
 * against tslab's, both driven by the same client in the same run.
 *
 *   npm run bench:kernel -- [--runs N] [--iterations N] [--json FILE] [--kernel MAIN_JS]
 *
 * Four figures per kernel: start-up (spawn → first kernel_info_reply), spawn → first cell
 * done (what a user waits for: includes work a kernel defers past kernel_info), and the
 * round trip of a trivial cell, run again unchanged and new each time. Spawn → first cell
 * is also given as the CPU time the kernel process (all its threads) used by then, which a
 * loaded machine inflates less than wall time (Linux only), beside the load average at the
 * start and end. Prints a Markdown table with Tessera/tslab ratios of all four and writes
 * JSON (default bench/results/kernel.json). `--kernel` times another build of Tessera's
 * kernel (default kernel/dist/main.js).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { JupyterClient, newConnectionInfo } from "./jupyter-client.ts";
import { NODE_FLAGS } from "../kernel/src/install.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TESSERA_MAIN = path.join(ROOT, "kernel/dist/main.js");

/** The trivial cell; tslab prints its value on stdout instead of an execute_result. */
const CELL = "1 + 1";
/**
 * Trivial cells that differ each time: Tessera reuses the compiled script of a cell run
 * again unchanged, so the same cell over and over times its cache, not its compiler.
 */
const freshCell = (i: number) => `${i} + 1`;
const POLL_MS = 20;
const STARTUP_TIMEOUT_MS = 60_000;
/** The first cell loads and type-checks with TypeScript, which can take seconds. */
const FIRST_CELL_TIMEOUT_MS = 120_000;
const CELL_TIMEOUT_MS = 30_000;
/** How long after execute_reply a missing iopub idle is waited for before it counts as lost. */
const IDLE_GRACE_MS = 1_000;
const SHUTDOWN_GRACE_MS = 2_000;
/** Linux's USER_HZ, the unit of /proc/PID/stat's CPU times (100 on every Linux ABI). */
const CLOCK_TICKS = 100;

interface Options {
  runs: number;
  iterations: number;
  json: string;
  kernel: string;
}

interface KernelSpec {
  name: string;
  argv: (connectionFile: string) => string[];
}

interface Summary {
  median: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
}

interface KernelResult {
  name: string;
  startup_ms: { median: number; min: number; max: number; samples: number[] };
  /** Spawn → first cell done: shows start-up work a kernel defers past kernel_info. */
  first_cell_ms: { median: number; min: number; max: number; samples: number[] };
  /** The kernel process's CPU time (user + system, all threads) by then; Linux only. */
  first_cell_cpu_ms?: { median: number; min: number; max: number; samples: number[] };
  roundtrip_ms: RoundtripSummary;
  /** The same with a different cell each time (no cached compile). */
  roundtrip_uncached_ms: RoundtripSummary;
}

interface RoundtripSummary {
  median: number;
  p10: number;
  p90: number;
  samples: number;
  lost_idle: number;
}

/** One started kernel: its process, client and the end of its output (for errors). */
interface Running {
  spec: KernelSpec;
  child: ChildProcess;
  client: JupyterClient;
  output: () => string;
}

/** Every live kernel process and temporary folder, so that no exit path leaves one behind. */
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

const USAGE = `npm run bench:kernel -- [--runs N] [--iterations N] [--json FILE] [--kernel MAIN_JS]
  --runs N         fresh kernels of each kind, interleaved (default 10)
  --iterations N   timed cells of each round trip, in the last run (default 200)
  --json FILE      where the results go (default bench/results/kernel.json)
  --kernel MAIN_JS another build of Tessera's kernel (default kernel/dist/main.js)
`;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "10" },
      iterations: { type: "string", default: "200" },
      json: { type: "string", default: path.join(ROOT, "bench/results/kernel.json") },
      kernel: { type: "string", default: TESSERA_MAIN },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    runs: positiveInt("--runs", values.runs),
    iterations: positiveInt("--iterations", values.iterations),
    json: path.resolve(values.json),
    kernel: path.resolve(values.kernel),
  };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} wants a positive integer, got "${text}"`);
  return n;
}

/** Builds the kernel only when its output is missing: a stale build is the caller's call. */
function ensureTesseraBuilt(): void {
  if (existsSync(TESSERA_MAIN)) return;
  process.stderr.write("kernel/dist is missing; building with `npx tsc -b gpu viz kernel`…\n");
  execFileSync("npx", ["tsc", "-b", "gpu", "viz", "kernel"], { cwd: ROOT, stdio: "inherit" });
}

/** tslab's entry point and version, read from its package.json rather than assumed. */
function tslabSpec(): KernelSpec {
  const dir = path.join(ROOT, "bench/peers/node_modules/tslab");
  if (!existsSync(dir)) {
    throw new Error(
      `${dir} is missing: run \`bash scripts/setup.sh --test\` (it installs bench/peers)`,
    );
  }
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    version: string;
    bin: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin["tslab"];
  if (bin === undefined) throw new Error(`${dir}/package.json has no tslab bin`);
  const entry = path.join(dir, bin);
  return {
    name: `tslab ${pkg.version}`,
    argv: (file) => [entry, "kernel", "--config-path", file],
  };
}

function tesseraSpec(main: string): KernelSpec {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "kernel/package.json"), "utf8")) as {
    version: string;
  };
  return {
    name: `Tessera ${pkg.version}`,
    // Node's options as the installed kernelspec gives them.
    argv: (file) => [...NODE_FLAGS, main, "--connection-file", file],
  };
}

/** Keeps the last few KB of a child's output, so a failure can say why. */
function captureOutput(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail.trim();
}

/** Writes a fresh connection file, spawns the kernel and connects a client to it. */
async function launch(spec: KernelSpec, tmp: string): Promise<Running & { spawnedAt: number }> {
  const info = await newConnectionInfo();
  const file = path.join(tmp, `kernel-${info.shell_port}.json`);
  writeFileSync(file, JSON.stringify(info));
  // The client connects first (ZeroMQ retries until the kernel binds), so that its own
  // set-up is not counted as the kernel's start-up.
  const client = new JupyterClient(info);
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, spec.argv(file), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const output = captureOutput(child);
  child.once("exit", (code, signal) => {
    live.delete(child);
    const tail = output();
    client.fail(
      new Error(
        `${spec.name} exited (code ${code}, signal ${signal})${tail ? `; its output:\n${tail}` : ""}`,
      ),
    );
  });
  child.once("error", (e) => client.fail(e));
  return { spec, child, client, output, spawnedAt };
}

/** shutdown_request on control; a kernel still running after the grace period is killed. */
async function shutdown(k: Running): Promise<void> {
  if (isRunning(k.child)) {
    const exited = waitForExit(k.child, SHUTDOWN_GRACE_MS);
    k.client
      .send("control", k.client.request("shutdown_request", { restart: false }))
      .catch(() => {});
    if (!(await exited)) {
      k.child.kill("SIGKILL");
      await waitForExit(k.child, SHUTDOWN_GRACE_MS);
    }
  }
  k.client.close();
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** True once the child has exited, false if it is still running after `ms`. */
function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Last-resort cleanup: synchronous, so it also works from the 'exit' event. */
function cleanUp(): void {
  for (const child of live) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

interface RunResult {
  startup: number;
  firstCell: number;
  firstCellCpu: number | undefined;
  roundtrips?: Roundtrips;
  uncached?: Roundtrips;
}

/** Timed cells, and how many of them never got their iopub idle (left out of `times`). */
interface Roundtrips {
  times: number[];
  lostIdle: number;
}

/**
 * One fresh kernel: time to the first kernel_info_reply, then (once iopub is connected)
 * one warm-up cell, then optionally `iterations` timed cells.
 */
async function runOnce(spec: KernelSpec, tmp: string, iterations: number): Promise<RunResult> {
  const k = await launch(spec, tmp);
  try {
    await k.client.firstKernelInfo(POLL_MS, STARTUP_TIMEOUT_MS);
    const startup = performance.now() - k.spawnedAt;
    await k.client.iopubReady(POLL_MS, STARTUP_TIMEOUT_MS);
    const first = await k.client.execute(CELL, FIRST_CELL_TIMEOUT_MS, IDLE_GRACE_MS);
    const firstCell = first.doneAt - k.spawnedAt;
    const firstCellCpu = cpuTimeMs(k.child.pid);
    if (iterations === 0) return { startup, firstCell, firstCellCpu };
    return {
      startup,
      firstCell,
      firstCellCpu,
      roundtrips: await roundtrips(k.client, iterations, () => CELL),
      uncached: await roundtrips(k.client, iterations, freshCell),
    };
  } catch (e) {
    k.child.kill("SIGKILL");
    const tail = k.output();
    throw new Error(
      `${spec.name}: ${(e as Error).message}${tail ? `\n--- kernel output ---\n${tail}` : ""}`,
      { cause: e },
    );
  } finally {
    await shutdown(k);
  }
}

/** CPU time (user + system) a running process has used, from /proc; undefined elsewhere. */
function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Sequential executions: the time from sending each request to its reply and idle. */
async function roundtrips(
  client: JupyterClient,
  iterations: number,
  cell: (i: number) => string,
): Promise<Roundtrips> {
  const times: number[] = [];
  let lostIdle = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const run = await client.execute(cell(i), CELL_TIMEOUT_MS, IDLE_GRACE_MS);
    if (run.idleLost) lostIdle++;
    else times.push(run.doneAt - t0);
  }
  return { times, lostIdle };
}

function loadAverage(load = os.loadavg()): string {
  return load.map((x) => x.toFixed(2)).join(", ");
}

/** Linear interpolation between closest ranks (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    min: s[0]!,
    max: s[s.length - 1]!,
    p10: quantile(s, 0.1),
    p90: quantile(s, 0.9),
  };
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * Runs are interleaved (Tessera, tslab, Tessera, …) so that cache warmth and machine
 * load drift affect both kernels alike; only one kernel is alive at a time. The last
 * run of each kernel also measures the round trip.
 */
async function measure(specs: KernelSpec[], opts: Options): Promise<KernelResult[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tessera-bench-"));
  tempDirs.add(tmp);
  const runs = specs.map(() => [] as RunResult[]);
  try {
    for (let r = 0; r < opts.runs; r++) {
      for (const [i, spec] of specs.entries()) {
        const last = r === opts.runs - 1;
        const result = await runOnce(spec, tmp, last ? opts.iterations : 0);
        runs[i]!.push(result);
        process.stderr.write(
          `run ${r + 1}/${opts.runs} ${spec.name}: start-up ${result.startup.toFixed(1)} ms, first cell ${result.firstCell.toFixed(1)} ms` +
            `${result.firstCellCpu === undefined ? "" : ` (${result.firstCellCpu} ms CPU)`}, load ${loadAverage()}\n`,
        );
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    tempDirs.delete(tmp);
  }
  return specs.map((spec, i) => toResult(spec.name, runs[i]!));
}

function toResult(name: string, runs: RunResult[]): KernelResult {
  const firstCellCpu = runs.flatMap((r) => (r.firstCellCpu === undefined ? [] : [r.firstCellCpu]));
  return {
    name,
    startup_ms: spread(runs.map((r) => r.startup)),
    first_cell_ms: spread(runs.map((r) => r.firstCell)),
    ...(firstCellCpu.length === runs.length ? { first_cell_cpu_ms: spread(firstCellCpu) } : {}),
    roundtrip_ms: roundtripSummary(
      name,
      runs.map((r) => r.roundtrips),
    ),
    roundtrip_uncached_ms: roundtripSummary(
      name,
      runs.map((r) => r.uncached),
    ),
  };
}

/** Median, min, max and the samples, rounded. */
function spread(samples: number[]): KernelResult["startup_ms"] {
  const x = summarize(samples);
  return {
    median: round(x.median),
    min: round(x.min),
    max: round(x.max),
    samples: samples.map((v) => round(v)),
  };
}

function roundtripSummary(name: string, series: (Roundtrips | undefined)[]): RoundtripSummary {
  const times = series.flatMap((r) => r?.times ?? []);
  const lostIdle = series.reduce((n, r) => n + (r?.lostIdle ?? 0), 0);
  if (times.length === 0) throw new Error(`${name}: no round trip completed`);
  const rt = summarize(times);
  return {
    median: round(rt.median, 3),
    p10: round(rt.p10, 3),
    p90: round(rt.p90, 3),
    samples: times.length,
    lost_idle: lostIdle,
  };
}

interface Ratios {
  startup: number;
  first_cell: number;
  roundtrip: number;
  roundtrip_uncached: number;
}

function table(results: KernelResult[], ratios: Ratios): string {
  const ms = (x: number) => x.toFixed(1);
  const rt = (x: number) => x.toFixed(2);
  const lines = [
    "| kernel | start-up median (ms) | spawn → first cell median (ms) | first cell min–max (ms) | first cell CPU median (ms) | round trip, same cell: median (p10–p90) (ms) | round trip, new cell each time: median (p10–p90) (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      (k) =>
        `| ${k.name} | ${ms(k.startup_ms.median)} | ${ms(k.first_cell_ms.median)} | ${ms(k.first_cell_ms.min)}–${ms(k.first_cell_ms.max)} | ${k.first_cell_cpu_ms ? ms(k.first_cell_cpu_ms.median) : "–"} | ${rt(k.roundtrip_ms.median)} (${rt(k.roundtrip_ms.p10)}–${rt(k.roundtrip_ms.p90)}) | ${rt(k.roundtrip_uncached_ms.median)} (${rt(k.roundtrip_uncached_ms.p10)}–${rt(k.roundtrip_uncached_ms.p90)}) |`,
    ),
    "",
    `Tessera/tslab: start-up ${ratios.startup.toFixed(2)}×, spawn → first cell ${ratios.first_cell.toFixed(2)}×, round trip ${ratios.roundtrip.toFixed(2)}× (same cell), ${ratios.roundtrip_uncached.toFixed(2)}× (new cell each time)`,
    ...results
      .filter((k) => k.roundtrip_ms.lost_idle > 0)
      .map(
        (k) =>
          `\n${k.name}: ${k.roundtrip_ms.lost_idle} of ${k.roundtrip_ms.lost_idle + k.roundtrip_ms.samples} cells got execute_reply but no iopub idle; they are left out of the round trip.`,
      ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (opts.kernel === TESSERA_MAIN) ensureTesseraBuilt();
  else if (!existsSync(opts.kernel)) throw new Error(`--kernel ${opts.kernel} does not exist`);
  const specs = [tesseraSpec(opts.kernel), tslabSpec()];
  const loadAtStart = os.loadavg();
  const [tessera, tslab] = (await measure(specs, opts)) as [KernelResult, KernelResult];
  const ratios: Ratios = {
    startup: round(tessera.startup_ms.median / tslab.startup_ms.median, 3),
    first_cell: round(tessera.first_cell_ms.median / tslab.first_cell_ms.median, 3),
    roundtrip: round(tessera.roundtrip_ms.median / tslab.roundtrip_ms.median, 3),
    roundtrip_uncached: round(
      tessera.roundtrip_uncached_ms.median / tslab.roundtrip_uncached_ms.median,
      3,
    ),
  };
  const cpus = os.cpus();
  const report = {
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0]?.model ?? "unknown",
      node: process.version,
      platform: `${process.platform} ${os.release()} ${process.arch}`,
    },
    date: new Date().toISOString(),
    /** 1-, 5- and 15-minute load averages before the first kernel and after the last. */
    load_average: { start: loadAtStart, end: os.loadavg() },
    runs: opts.runs,
    iterations: opts.iterations,
    cell: CELL,
    uncached_cells: `${freshCell(0)}, ${freshCell(1)}, …`,
    kernels: [tessera, tslab],
    ratios,
  };
  mkdirSync(path.dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, JSON.stringify(report, null, 2) + "\n");
  process.stdout.write(
    `${table([tessera, tslab], ratios)}\n\nLoad average (1, 5, 15 min): ${loadAverage(loadAtStart)} at the start, ${loadAverage()} at the end.\n\nJSON: ${path.relative(process.cwd(), opts.json)}\n`,
  );
}

process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

main().catch((e: unknown) => {
  cleanUp();
  process.stderr.write(`kernel bench failed: ${e instanceof Error ? (e.stack ?? e.message) : e}\n`);
  process.exit(1);
});
