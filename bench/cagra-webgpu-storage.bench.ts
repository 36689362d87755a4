/**
 * The WebGPU CAGRA search over f32, f16 and int8 storage of the same index, in one run: the
 * device bytes of the rows, recall@10 and QPS of each kind, and their ratios to f32's.
 *
 *   node --import tsx bench/cagra-webgpu-storage.bench.ts [--dataset sift-5k] [--queries 100]
 *     [--repeats 3] [--json FILE]
 *
 * The search runs in headless Chromium's WebGPU (the harness the WebGPU tests use): SwiftShader
 * on a machine without a GPU, where the QPS ratios say what the decoding costs a CPU
 * implementation of WebGPU, not what a GPU gains from reading fewer bytes. The index is built
 * once on the CPU (cuVS's default graph), and every kind searches it with the same parameters,
 * for the first `queries` of the dataset's queries (SwiftShader is slow; 0 = all).
 * Each timed figure is the median of `repeats` passes, with its spread and os.loadavg() beside
 * it.
 */
import os from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "../gpu/src/cagra/build.ts";
import { matrix } from "../gpu/src/common/matrix.ts";
import { prepareForMetric } from "../gpu/src/cagra/distance.ts";
import {
  encodeVectors,
  STORAGE_KINDS,
  type StorageKind,
} from "../gpu/src/cagra/storage/vector-storage.ts";
import { distanceRecall, euclideanFromSquared } from "../gpu/src/datasets/recall.ts";
import { cpuBackend } from "../gpu/src/device/select.ts";
import { openBrowserGpu } from "../gpu/test/webgpu-browser.ts";
import type { SearchCall, SearchRun } from "../gpu/test/fixtures/cagra-search-webgpu.ts";
import { loadCagraData, type CagraData } from "./cagra-data.ts";

const FIXTURE = fileURLToPath(
  new URL("../gpu/test/fixtures/cagra-search-webgpu.ts", import.meta.url),
);
const K = 10;
const ITOPK = [32, 64];

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "sift-5k" },
    repeats: { type: "string", default: "3" },
    queries: { type: "string", default: "100" },
    json: { type: "string" },
  },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1) {
  throw new Error(`--repeats wants an integer ≥ 1, got "${values.repeats}"`);
}

const queryLimit = Number(values.queries);
if (!Number.isInteger(queryLimit) || queryLimit < 0) {
  throw new Error(`--queries wants an integer ≥ 0, got "${values.queries}"`);
}
const data = firstQueries(await loadCagraData(values.dataset!, K), queryLimit);
const t0 = performance.now();
const index = await build(cpuBackend(os.cpus().length), data.base, {});
console.error(`# built ${data.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const dataset = prepareForMetric(data.base, index.metric);
const graphBytes = index.graph.neighbors.byteLength;
const gpu = await openBrowserGpu([FIXTURE]);

interface Row {
  storage: StorageKind;
  itopk: number;
  recall_at_10: number;
  recall_minus_f32: number;
  qps_median: number;
  qps_min: number;
  qps_max: number;
  qps_ratio_vs_f32: number;
  loadavg: number[];
  algo: string;
}
const rows: Row[] = [];
const bytes: Partial<Record<StorageKind, number>> = {};
try {
  for (const kind of STORAGE_KINDS) {
    const storage = kind === "f32" ? undefined : encodeVectors(dataset, kind);
    await gpu.call(FIXTURE, "loadIndex", kind, dataset, index.graph, index.metric, storage);
    for (const itopk of ITOPK) {
      const call: SearchCall = {
        index: kind,
        queries: data.queries,
        k: K,
        params: { itopkSize: itopk },
      };
      // The first pass uploads the index and compiles the kernel.
      await run(call);
      const passes: { qps: number; load: number; run: SearchRun }[] = [];
      for (let r = 0; r < repeats; r++) {
        const result = await run(call);
        passes.push({
          qps: (data.queries.rows / result.ms) * 1000,
          load: os.loadavg()[0]!,
          run: result,
        });
      }
      const qps = passes.map((p) => p.qps).sort((a, b) => a - b);
      const last = passes.at(-1)!.run;
      const recall = distanceRecall(
        {
          neighbors: last.neighbors!,
          distances: euclideanFromSquared(last.distances!),
          queries: data.queries.rows,
          k: K,
        },
        { distances: data.truth, queries: data.queries.rows, k: K },
      );
      const f32 = rows.find((row) => row.storage === "f32" && row.itopk === itopk);
      const median = qps[Math.floor(qps.length / 2)]!;
      rows.push({
        storage: kind,
        itopk,
        recall_at_10: recall,
        recall_minus_f32: f32 === undefined ? 0 : recall - f32.recall_at_10,
        qps_median: median,
        qps_min: qps[0]!,
        qps_max: qps.at(-1)!,
        qps_ratio_vs_f32: f32 === undefined ? 1 : median / f32.qps_median,
        loadavg: passes.map((p) => p.load),
        algo: last.plan!.algo,
      });
    }
    const { released } = await gpu.call<{ released: number }>(FIXTURE, "releaseIndex", kind);
    bytes[kind] = released - graphBytes;
  }
} finally {
  await gpu.close();
}

/** `d` with its first `n` queries and their truth (all of them for 0). */
function firstQueries(d: CagraData, n: number): CagraData {
  const rows = n === 0 ? d.queries.rows : Math.min(n, d.queries.rows);
  const cols = d.queries.cols;
  return {
    ...d,
    queries: matrix(d.queries.data.subarray(0, rows * cols), rows, cols),
    truth: d.truth.subarray(0, rows * K),
  };
}

async function run(call: SearchCall): Promise<SearchRun> {
  const result = await gpu.call<SearchRun>(FIXTURE, "runSearch", call);
  if (result.error) throw new Error(`${result.error.name}: ${result.error.message}`);
  return result;
}

const f32Bytes = bytes.f32!;
const lines = [
  `WebGPU search on ${gpu.adapter.architecture || gpu.adapter.vendor}, ${data.name} (${data.base.rows} rows, ${data.queries.rows} queries), median of ${repeats}`,
  "",
  "| storage | device bytes of the rows | vs f32 | itopk | recall@10 | − f32 | QPS (min–max) | QPS vs f32 | load |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows
    .map((r) =>
      [
        r.storage,
        bytes[r.storage],
        (bytes[r.storage]! / f32Bytes).toFixed(3),
        r.itopk,
        r.recall_at_10.toFixed(4),
        r.recall_minus_f32.toFixed(4),
        `${r.qps_median.toFixed(0)} (${r.qps_min.toFixed(0)}–${r.qps_max.toFixed(0)})`,
        r.qps_ratio_vs_f32.toFixed(2),
        r.loadavg.map((l) => l.toFixed(1)).join(" "),
      ].join(" | "),
    )
    .map((line) => `| ${line} |`),
];
console.log(lines.join("\n"));
if (values.json) {
  const summary = { dataset: data.name, adapter: gpu.adapter, repeats, bytes, rows };
  writeFileSync(values.json, JSON.stringify(summary, null, 2));
}
