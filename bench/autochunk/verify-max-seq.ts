/*
 * Measured runs at the maximum sequence lengths that `npm run bench:autochunk` finds under its
 * fixed 1 GiB budget but does not run there (each is predicted over its per-run limit: minutes
 * to a quarter of an hour on two cores). Per model: the longest length whose chunked plan fits
 * the budget, searched as the benchmark searches it (maxSequenceLength, the same cost table),
 * then one run of that plan on the CPU executor, with the measured peak beside the predicted
 * one, the resident peak by the executor's own count (process ArrayBuffers + wasm heap), the
 * wall time and the load.
 *
 * node --import tsx bench/autochunk/verify-max-seq.ts [--models gpt,vit,evoformer,unet]
 * [--out FILE] writes FILE (default bench/results/autochunk-max-seq.json) and prints a table.
 * `--size gpt=60000` runs the plan at that length instead of the longest (still under the same
 * budget), where the longest plan's run would take hours: the row's `longest` keeps the length
 * found. Rows of the models it does not run are kept from FILE; each row says its date, commit and
 * machine, since the runs (minutes to an hour each) are made one model at a time.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  autochunk,
  cachedCostTable,
  execute,
  maxSequenceLength,
} from "../../gpu/src/autochunk/index.ts";
import { vectorExtensions } from "../machine.ts";
import type { ModelName } from "./model-specs.ts";
import { MODEL_NAMES, maxSeqBudgetBytes, modelSpecs } from "./model-specs.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One model's verified length. */
interface Verified {
  readonly model: ModelName;
  readonly budget_bytes: number;
  /** In the builder's units (tokens, image side, residues), and as a sequence length. */
  readonly size: number;
  /** The longest length that fits (size unless --size chose a shorter one). */
  readonly longest: number;
  readonly seq: number;
  readonly unchunked_seq: number;
  readonly ratio: number | null;
  readonly regions: number;
  readonly predicted_peak_bytes: number;
  /** null when the run failed (`error`). */
  readonly measured_peak_bytes: number | null;
  readonly resident_peak_bytes: number | null;
  readonly fits_budget: boolean | null;
  readonly error: string | null;
  readonly search_s: number;
  readonly run_s: number;
  readonly load: readonly [number, number];
  readonly date: string;
  readonly commit: string;
  readonly machine: { readonly cpu: string; readonly vector_extensions: string };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: "string", default: MODEL_NAMES.join(",") },
      size: { type: "string", multiple: true, default: [] },
      out: { type: "string", default: path.join(ROOT, "bench/results/autochunk-max-seq.json") },
    },
  });
  const names = values.models.split(",").map((m) => m.trim());
  const sizes = new Map(
    values.size.map((pair) => {
      const [model, size] = pair.split("=");
      if (model === undefined || !Number.isInteger(Number(size)) || Number(size) < 1) {
        throw new Error(`--size wants model=length, e.g. gpt=60000, got "${pair}"`);
      }
      return [model, Number(size)] as const;
    }),
  );
  for (const m of names) {
    if (!(MODEL_NAMES as readonly string[]).includes(m)) {
      throw new Error(`--models wants a comma list of ${MODEL_NAMES.join(", ")}, got "${m}"`);
    }
  }
  const specs = modelSpecs(false);
  const budget = maxSeqBudgetBytes(false);
  const costModel = await cachedCostTable();
  const kept = earlierRows(values.out, names);
  const rows: Verified[] = [];
  for (const name of names as ModelName[]) {
    const spec = specs[name];
    const factory = (size: number) => spec.build(size).graph;
    const options = { step: spec.step, costModel };
    const searchStart = performance.now();
    const plain = await maxSequenceLength(factory, budget, { ...options, chunked: false });
    const chunked = await maxSequenceLength(factory, budget, { ...options, chunked: true });
    const searchS = (performance.now() - searchStart) / 1000;
    if (chunked.plan === null) throw new Error(`${name}: no chunked length fits ${budget} bytes`);
    const size = sizes.get(name) ?? chunked.length;
    const model = spec.build(size);
    const plan =
      size === chunked.length ? chunked.plan : await autochunk(model.graph, { budget, costModel });
    const loadStart = os.loadavg()[0]!;
    log(
      `${name}: running the plan at ${spec.size} ${size} (the cost model predicts ` +
        `${plan.seconds.after.toFixed(0)} s)…`,
    );
    const runStart = performance.now();
    // A run can fail where the plan holds: parameters are outside the activation budget, and
    // one may not fit this machine (as GPT's seq² causal mask did while it was a parameter).
    const run = await execute(plan.chunked, model.makeInputs(), {
      measureResident: true,
    }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    const runS = (performance.now() - runStart) / 1000;
    const unchunkedSeq = plain.length === 0 ? 0 : spec.build(plain.length).sequenceLength;
    const measured = run instanceof Error ? null : run;
    const error = run instanceof Error ? `${run.name}: ${run.message}` : null;
    rows.push({
      model: name,
      budget_bytes: budget,
      size,
      longest: chunked.length,
      seq: model.sequenceLength,
      unchunked_seq: unchunkedSeq,
      ratio: unchunkedSeq === 0 ? null : model.sequenceLength / unchunkedSeq,
      regions: plan.regions.length,
      predicted_peak_bytes: plan.peakBytes.after,
      measured_peak_bytes: measured?.peakBytes ?? null,
      resident_peak_bytes: measured?.resident?.peakBytes ?? null,
      fits_budget: measured === null ? null : measured.peakBytes <= budget,
      error,
      search_s: searchS,
      run_s: runS,
      load: [loadStart, os.loadavg()[0]!],
      date: new Date().toISOString(),
      commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
      machine: { cpu: os.cpus()[0]?.model ?? "unknown", vector_extensions: vectorExtensions() },
    });
    log(
      measured === null
        ? `${name}: the run failed (${error})`
        : `${name}: ${measured.peakBytes} bytes measured, ${plan.peakBytes.after} predicted, ${runS.toFixed(0)} s`,
    );
    const report = { date: new Date().toISOString(), rows: [...rows, ...kept] };
    writeFileSync(values.out, JSON.stringify(report, null, 2) + "\n");
  }
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  process.stdout.write(
    "| model | length | unchunked | ratio | predicted MiB | measured MiB | resident MiB | run s | load |\n" +
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" +
      rows
        .map(
          (r) =>
            `| ${r.model} | ${r.seq} | ${r.unchunked_seq} | ${r.ratio?.toFixed(2) ?? "—"} | ` +
            `${mib(r.predicted_peak_bytes)} | ` +
            `${r.measured_peak_bytes === null ? `not run: ${r.error}` : mib(r.measured_peak_bytes)} | ` +
            `${r.resident_peak_bytes === null ? "—" : mib(r.resident_peak_bytes)} | ` +
            `${r.run_s.toFixed(0)} | ${r.load.map((l) => l.toFixed(1)).join("–")} |`,
        )
        .join("\n") +
      `\nwritten to ${path.relative(process.cwd(), values.out)}\n`,
  );
}

/** Rows of an earlier report at `file` for models other than `models`. */
function earlierRows(file: string, models: readonly string[]): unknown[] {
  if (!existsSync(file)) return [];
  const earlier = JSON.parse(readFileSync(file, "utf8")) as { rows?: { model?: string }[] };
  return (earlier.rows ?? []).filter((r) => !models.includes(r.model ?? ""));
}

function log(line: string): void {
  process.stderr.write(`[verify-max-seq] ${line}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
