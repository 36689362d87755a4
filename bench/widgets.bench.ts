/**
 * The widget benchmark: runs every module in bench/widgets/ that exports `run(): Promise<Row[]>`
 * (the others are shared helpers), writes bench/results/widgets.json and prints one Markdown table.
 * Each module measures its widget in headless Chromium (viz/test/page.ts) against a baseline
 * measured in the same run; `ratio` is baseline / value (above 1: the widget is faster).
 *
 *   npm run bench:widgets                  # every module
 *   npm run bench:widgets -- chunk-plan    # modules whose file name contains "chunk-plan"
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** One measurement, with the baseline's value in the same unit when there is one. */
export interface Row {
  widget: string;
  case: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number | null;
  /** baseline / value. */
  ratio?: number | null;
  /** What the baseline is, or why there is none. */
  note?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? "";
const files = readdirSync(path.join(HERE, "widgets"))
  .filter((f) => f.endsWith(".ts") && f.includes(filter))
  .sort();
const modules: string[] = [];
const rows: Row[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(HERE, "widgets", file)).href)) as {
    run?(): Promise<Row[]>;
  };
  // A module without `run` is a helper the benchmarks share (widgets/measure.ts).
  if (typeof mod.run !== "function") continue;
  process.stderr.write(`[bench:widgets] ${file}\n`);
  modules.push(file);
  rows.push(...(await mod.run()));
}
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
  },
  browser: "headless Chromium (software rendering, no GPU)",
  load_average: os.loadavg(),
  modules,
  rows,
};
// A run of some modules keeps the other widgets' rows from the last run.
const file = path.join(HERE, "results", "widgets.json");
const measured = new Set(rows.map((r) => r.widget));
const kept = existsSync(file)
  ? ((JSON.parse(readFileSync(file, "utf8")) as { rows?: Row[] }).rows ?? []).filter(
      (r) => !measured.has(r.widget),
    )
  : [];
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify({ ...result, rows: [...kept, ...rows] }, null, 2)}\n`);
const fmt = (v: number | null | undefined) =>
  v === undefined || v === null ? "" : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
console.log("| widget | case | metric | value | baseline | ratio | note |");
console.log("| --- | --- | --- | ---: | ---: | ---: | --- |");
for (const r of rows) {
  const unit = (v: number | null | undefined) =>
    v === undefined || v === null ? "" : `${fmt(v)} ${r.unit}`;
  const ratio = r.ratio === undefined || r.ratio === null ? "" : `${r.ratio.toFixed(2)}×`;
  console.log(
    `| ${r.widget} | ${r.case} | ${r.metric} | ${unit(r.value)} | ${unit(r.baseline)} | ${ratio} | ${r.note ?? ""} |`,
  );
}
