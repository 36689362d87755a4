/**
 * CAGRA benchmark: build time and recall@10–throughput curves of Tessera's CAGRA (CPU, and
 * WebGPU where an adapter exists) against hnswlib-node and faiss-cpu's HNSW, on the same
 * data, on this machine, in the same run, with the same number of threads.
 *
 *   npm run bench:cagra -- --dataset sift-5k|synthetic-100k [--threads N] [--repeats N]
 *                          [--json FILE]
 *
 * recall@10 is ann-benchmarks' (a hit is within 1e-3 of the true 10th L2 distance), computed
 * the same way for every system from the ids it returns. QPS is single-batch throughput over
 * all queries, best of --repeats passes. Prints Markdown tables and writes JSON (default
 * bench/results/cagra-DATASET.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Matrix } from "../gpu/src/common/matrix.ts";
import { internalDistance } from "../gpu/src/cagra/distance.ts";
import { build } from "../gpu/src/cagra/build.ts";
import { searchCpu } from "../gpu/src/cagra/search/cpu.ts";
import type { IndexParams } from "../gpu/src/cagra/params.ts";
import { cpuBackend } from "../gpu/src/device/select.ts";
import { gaussianMixture } from "../gpu/src/datasets/synthetic.ts";
import { holdOutQueries } from "../gpu/src/datasets/holdout.ts";
import { loadSift5k } from "../gpu/src/datasets/node.ts";
import { groundTruth } from "../gpu/src/datasets/ground-truth.ts";
import { distanceRecall, euclideanFromSquared } from "../gpu/src/datasets/recall.ts";
import {
  HNSWLIB_MISSING,
  findFaissPython,
  loadHnswlib,
  runFaissHnsw,
  runHnswlib,
} from "../kernel/src/api/peers/index.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const K = 10;
const TARGET_RECALL = 0.95;
const ITOPK = [32, 64, 96, 128, 192, 256];
const EF = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256];
const HNSW_M = [16, 32];
const EF_CONSTRUCTION = 200;
/** Tessera's settings: cuVS's defaults, and sparser graphs that search faster (I = 2G). */
const TESSERA: Partial<IndexParams>[] = [
  { graphDegree: 64, intermediateGraphDegree: 128 },
  { graphDegree: 32, intermediateGraphDegree: 64 },
  { graphDegree: 16, intermediateGraphDegree: 32 },
];

interface Row {
  system: string;
  params: Record<string, number | string>;
  threads: number;
  build_s: number;
  recall_at_10: number;
  qps: number;
}

interface Data {
  name: string;
  base: Matrix;
  queries: Matrix;
  truth: Float32Array;
}

async function loadData(name: string): Promise<Data> {
  let base: Matrix;
  let queries: Matrix;
  if (name === "sift-5k") {
    const sift = await loadSift5k(
      process.env.TESSERA_DATASETS
        ? path.join(process.env.TESSERA_DATASETS, "sift-5k")
        : path.join(ROOT, "../shared/datasets/sift-5k"),
    );
    // 500 held-out rows plus the 3 query vectors of the dataset.
    const split = holdOutQueries(sift.base, 500, 1);
    base = split.base;
    const q = new Float32Array((500 + sift.queries.rows) * base.cols);
    q.set(split.queries.data);
    q.set(sift.queries.data, split.queries.data.length);
    queries = { data: q, rows: 500 + sift.queries.rows, cols: base.cols };
  } else if (name === "synthetic-100k") {
    const all = gaussianMixture({ rows: 101_000, dim: 128, clusters: 1000, spread: 0.3, seed: 7 });
    const split = holdOutQueries(all, 1000, 1);
    base = split.base;
    queries = split.queries;
  } else {
    throw new RangeError(`--dataset must be sift-5k or synthetic-100k, got "${name}".`);
  }
  const gt = await groundTruth(base, queries, K, "sqeuclidean", {
    threads: os.availableParallelism(),
  });
  return { name, base, queries, truth: euclideanFromSquared(gt.distances) };
}

/** ann-benchmarks recall@10 of `ids` [queries, K], from distances we compute ourselves. */
function recallOf(data: Data, ids: Uint32Array): number {
  const distance = internalDistance("sqeuclidean");
  const d = new Float32Array(ids.length);
  for (let q = 0; q < data.queries.rows; q++) {
    for (let j = 0; j < K; j++) {
      const id = ids[q * K + j]!;
      d[q * K + j] =
        id < data.base.rows
          ? Math.sqrt(distance(data.queries.data, q, data.base.data, id, data.base.cols))
          : Infinity;
    }
  }
  const shape = { queries: data.queries.rows, k: K };
  return distanceRecall(
    { neighbors: ids, distances: d, ...shape },
    { distances: data.truth, ...shape },
  );
}

function best<T>(repeats: number, run: () => T): { seconds: number; value: T } {
  let seconds = Infinity;
  let value!: T;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    value = run();
    seconds = Math.min(seconds, (performance.now() - t) / 1000);
  }
  return { seconds, value };
}

async function tessera(data: Data, threads: number, repeats: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const params of TESSERA) {
    const t = performance.now();
    const index = await build(cpuBackend(threads), data.base, params);
    const buildS = (performance.now() - t) / 1000;
    const searchIndex = { dataset: data.base, graph: index.graph, metric: "sqeuclidean" as const };
    // The first search copies the dataset into WebAssembly memory; keep that out of the timings.
    searchCpu(searchIndex, data.queries, K);
    for (const itopkSize of ITOPK) {
      const { seconds, value } = best(repeats, () =>
        searchCpu(
          { dataset: data.base, graph: index.graph, metric: "sqeuclidean" },
          data.queries,
          K,
          {
            itopkSize,
          },
        ),
      );
      rows.push({
        system: "tessera-cpu",
        params: {
          graphDegree: params.graphDegree!,
          intermediateGraphDegree: params.intermediateGraphDegree!,
          itopkSize,
        },
        threads,
        build_s: buildS,
        recall_at_10: recallOf(data, value.neighbors),
        qps: data.queries.rows / seconds,
      });
    }
  }
  return rows;
}

async function hnswlib(data: Data, repeats: number): Promise<Row[]> {
  const peer = await loadHnswlib();
  if (!peer) throw new Error(HNSWLIB_MISSING);
  return HNSW_M.flatMap((M) => {
    // hnswlib-node builds and searches on the calling thread only.
    const run = runHnswlib(peer, data.base, data.queries, K, M, EF_CONSTRUCTION, EF, repeats);
    return run.searches.map((s) => ({
      system: "hnswlib-node",
      params: { M, efConstruction: EF_CONSTRUCTION, ef: s.ef },
      threads: 1,
      build_s: run.buildS,
      recall_at_10: recallOf(data, s.ids),
      qps: data.queries.rows / s.searchS,
    }));
  });
}

async function faiss(
  data: Data,
  threads: number,
  repeats: number,
): Promise<{ version: string; rows: Row[] }> {
  const found = await findFaissPython();
  if ("missing" in found) throw new Error(found.missing);
  const result = await runFaissHnsw(found.python, data.base, data.queries, {
    k: K,
    threads,
    repeats,
    efConstruction: EF_CONSTRUCTION,
    m: HNSW_M,
    ef: EF,
  });
  const rows = result.runs.flatMap((r) =>
    r.searches.map((s) => ({
      system: "faiss-cpu",
      params: { M: r.M, efConstruction: EF_CONSTRUCTION, ef: s.ef },
      threads,
      build_s: r.buildS,
      recall_at_10: recallOf(data, s.ids),
      qps: data.queries.rows / s.searchS,
    })),
  );
  return { version: result.version, rows };
}

/** The highest QPS among a system's settings that reach the target recall (ann-benchmarks' Pareto). */
function qpsAtRecall(rows: Row[], system: string): number | null {
  const ok = rows.filter((r) => r.system === system && r.recall_at_10 >= TARGET_RECALL);
  return ok.length ? Math.max(...ok.map((r) => r.qps)) : null;
}

/** The fastest build among a system's settings that reach the target recall. */
function buildAtRecall(rows: Row[], system: string): number | null {
  const ok = rows.filter((r) => r.system === system && r.recall_at_10 >= TARGET_RECALL);
  return ok.length ? Math.min(...ok.map((r) => r.build_s)) : null;
}

const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? a / b : null);
const fmt = (x: number | null, digits = 2) => (x === null ? "—" : x.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string", default: "sift-5k" },
      threads: { type: "string", default: "1" },
      repeats: { type: "string", default: "3" },
      json: { type: "string" },
    },
  });
  const threads = Number(values.threads);
  const repeats = Number(values.repeats);
  const data = await loadData(values.dataset!);
  console.error(
    `# ${data.name}: ${data.base.rows} × ${data.base.cols}, ${data.queries.rows} queries`,
  );
  const rows = [...(await tessera(data, threads, repeats)), ...(await hnswlib(data, repeats))];
  const peer = await faiss(data, threads, repeats);
  rows.push(...peer.rows);

  const hnswQps = qpsAtRecall(rows, "hnswlib-node");
  const summary = {
    target_recall_at_10: TARGET_RECALL,
    qps_at_recall_095: Object.fromEntries(
      ["tessera-cpu", "hnswlib-node", "faiss-cpu"].map((s) => [s, qpsAtRecall(rows, s)]),
    ),
    qps_ratio_vs_hnswlib_at_recall_095: ratio(qpsAtRecall(rows, "tessera-cpu"), hnswQps),
    qps_ratio_vs_faiss_at_recall_095: ratio(
      qpsAtRecall(rows, "tessera-cpu"),
      qpsAtRecall(rows, "faiss-cpu"),
    ),
    build_ratio_vs_hnswlib: ratio(
      buildAtRecall(rows, "tessera-cpu"),
      buildAtRecall(rows, "hnswlib-node"),
    ),
    build_ratio_vs_faiss: ratio(
      buildAtRecall(rows, "tessera-cpu"),
      buildAtRecall(rows, "faiss-cpu"),
    ),
  };
  const result = {
    dataset: data.name,
    rows_in_dataset: data.base.rows,
    dim: data.base.cols,
    queries: data.queries.rows,
    k: K,
    machine: {
      cpu: os.cpus()[0]?.model ?? "",
      cores: os.availableParallelism(),
      node: process.version,
    },
    peers: { hnswlib_node: "3.0.0", faiss_cpu: peer.version },
    date: new Date().toISOString(),
    rows,
    summary,
  };
  const file = values.json ?? path.join(ROOT, `bench/results/cagra-${data.name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");

  console.log(
    `\n## ${data.name} (${data.base.rows} × ${data.base.cols}, ${data.queries.rows} queries, ${threads} thread(s))\n`,
  );
  console.log(
    "| system | params | build (s) | recall@10 | QPS |\n| --- | --- | ---: | ---: | ---: |",
  );
  for (const r of rows) {
    const p = Object.entries(r.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    console.log(
      `| ${r.system} | ${p} | ${r.build_s.toFixed(2)} | ${r.recall_at_10.toFixed(4)} | ${r.qps.toFixed(0)} |`,
    );
  }
  console.log(
    `\n| at recall@10 ≥ ${TARGET_RECALL} | Tessera CPU | hnswlib-node | faiss-cpu | Tessera / hnswlib |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const q = summary.qps_at_recall_095;
  console.log(
    `| best QPS | ${fmt(q["tessera-cpu"] ?? null, 0)} | ${fmt(q["hnswlib-node"] ?? null, 0)} | ${fmt(q["faiss-cpu"] ?? null, 0)} | ${fmt(summary.qps_ratio_vs_hnswlib_at_recall_095)} |`,
  );
  console.log(
    `| fastest build (s) | ${fmt(buildAtRecall(rows, "tessera-cpu"))} | ${fmt(buildAtRecall(rows, "hnswlib-node"))} | ${fmt(buildAtRecall(rows, "faiss-cpu"))} | ${fmt(summary.build_ratio_vs_hnswlib)} |`,
  );
  console.log(`\nJSON: ${path.relative(ROOT, file)}`);
}

await main();
