/*
 * The executors' memory measured two ways, for the GPT block of issue 12 (768 wide, 12 heads,
 * 1 layer, vocab 1000) at several sequence lengths, unchunked and chunked: the tracked peak
 * (the storage plan's allocations, equal to estimateMemory's prediction) against the resident
 * peak (the backend's own count: Node's ArrayBuffers plus the wasm heap's blocks in use), and
 * what sampling the resident count costs in time (runs with and without it, interleaved).
 * Each figure is a median of --runs runs, with every run and the load average recorded.
 *
 * Standalone: node --import tsx bench/autochunk/resident-memory.ts [--tokens 1024,2048]
 * [--runs N] [--budget-ratio R] writes bench/results/autochunk-resident.json and prints a table.
 * About 1 minute per 1,024 tokens on two busy cores (runs at 2,048 take about 4× those at 1,024).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ExecuteResult, Feeds, Graph } from "../../gpu/src/autochunk/index.ts";
import {
  BudgetError,
  autochunk,
  estimateMemory,
  execute,
  gptPrefill,
  lowestPeak,
} from "../../gpu/src/autochunk/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MIB = 2 ** 20;

/** One program's figures at one sequence length. */
export interface ResidentRow {
  readonly tokens: number;
  readonly program: "unchunked" | "chunked";
  /** Predicted (= tracked) activation peak. */
  readonly estimated_peak_bytes: number;
  readonly tracked_peak_bytes: number;
  /** Median over the runs of the resident peak, and every run's. */
  readonly resident_peak_bytes: number;
  readonly resident_peak_runs: readonly number[];
  /** Median resident / tracked. */
  readonly resident_over_tracked: number;
  readonly resident_source: string;
  /** Samples per run (one per kernel, plus the 5 ms timer's). */
  readonly samples: number;
  /** Median seconds with and without sampling, and their ratio (the sampling's cost). */
  readonly with_sampling_s: number;
  readonly without_sampling_s: number;
  readonly sampling_time_ratio: number;
  /** os.loadavg()[0] after each pair of runs. */
  readonly load: readonly number[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timed(run: () => Promise<ExecuteResult>): Promise<[ExecuteResult, number]> {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
}

async function measure(
  tokens: number,
  program: ResidentRow["program"],
  graph: Graph,
  inputs: Feeds,
  runs: number,
): Promise<ResidentRow> {
  await execute(graph, inputs); // warm-up: parameters materialised, kernels compiled
  const resident: number[] = [];
  const withS: number[] = [];
  const withoutS: number[] = [];
  const load: number[] = [];
  let last: ExecuteResult | null = null;
  for (let i = 0; i < runs; i++) {
    const [measured, s] = await timed(() => execute(graph, inputs, { measureResident: true }));
    const [, plainS] = await timed(() => execute(graph, inputs));
    resident.push(measured.resident!.peakBytes);
    withS.push(s);
    withoutS.push(plainS);
    load.push(os.loadavg()[0]!);
    last = measured;
  }
  const tracked = last!.peakBytes;
  return {
    tokens,
    program,
    estimated_peak_bytes: estimateMemory(graph).peakBytes,
    tracked_peak_bytes: tracked,
    resident_peak_bytes: median(resident),
    resident_peak_runs: resident,
    resident_over_tracked: median(resident) / tracked,
    resident_source: last!.resident!.source,
    samples: last!.resident!.samples,
    with_sampling_s: median(withS),
    without_sampling_s: median(withoutS),
    sampling_time_ratio: median(withS) / median(withoutS),
    load,
  };
}

/** Runs every length, unchunked and chunked at `budgetRatio` of the unchunked peak. */
export async function measureResident(
  tokens: readonly number[],
  runs: number,
  budgetRatio: number,
  log: (line: string) => void = console.log,
): Promise<ResidentRow[]> {
  const rows: ResidentRow[] = [];
  for (const seq of tokens) {
    const model = gptPrefill({ seq, nEmbd: 768, nHead: 12, nLayer: 1, vocab: 1000 });
    const inputs = model.makeInputs();
    const peak = estimateMemory(model.graph).peakBytes;
    const floor = await lowestPeak(model.graph);
    const budget = Math.max(peak * budgetRatio, floor);
    let plan;
    try {
      plan = await autochunk(model.graph, { budget });
    } catch (e) {
      if (!(e instanceof BudgetError)) throw e;
      plan = await autochunk(model.graph, { budget: e.minimumBytes });
    }
    for (const [program, graph] of [
      ["unchunked", model.graph],
      ["chunked", plan.chunked],
    ] as const) {
      const row = await measure(seq, program, graph, inputs, runs);
      log(
        `${seq} ${program}: tracked ${(row.tracked_peak_bytes / MIB).toFixed(1)} MiB, resident ` +
          `${(row.resident_peak_bytes / MIB).toFixed(1)} MiB (×${row.resident_over_tracked.toFixed(2)}), ` +
          `sampling ×${row.sampling_time_ratio.toFixed(3)}, load ${row.load.map((l) => l.toFixed(1)).join(" ")}`,
      );
      rows.push(row);
    }
  }
  return rows;
}

function table(rows: readonly ResidentRow[]): string {
  const lines = [
    "| tokens | program | tracked (MiB) | resident (MiB) | resident / tracked | runs (MiB) | samples | time with / without sampling | load |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.tokens} | ${r.program} | ${(r.tracked_peak_bytes / MIB).toFixed(1)} | ` +
        `${(r.resident_peak_bytes / MIB).toFixed(1)} | ${r.resident_over_tracked.toFixed(2)} | ` +
        `${r.resident_peak_runs.map((b) => (b / MIB).toFixed(1)).join(", ")} | ${r.samples} | ` +
        `${r.sampling_time_ratio.toFixed(3)} (${r.with_sampling_s.toFixed(2)} s / ` +
        `${r.without_sampling_s.toFixed(2)} s) | ${r.load.map((l) => l.toFixed(1)).join(", ")} |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      tokens: { type: "string", default: "1024,2048" },
      runs: { type: "string", default: "3" },
      "budget-ratio": { type: "string", default: "0.2" },
    },
  });
  const tokens = values.tokens.split(",").map(Number);
  const rows = await measureResident(tokens, Number(values.runs), Number(values["budget-ratio"]));
  console.log(table(rows));
  const out = path.join(ROOT, "bench/results/autochunk-resident.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ cpus: os.cpus().length, rows }, null, 2)}\n`);
  console.log(`wrote ${path.relative(ROOT, out)}`);
}
