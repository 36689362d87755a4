/**
 * CAGRA graph-quality benchmark: what guaranteeConnectivity (cuVS's MST edges) and coarse
 * entry points change, each measured against cuVS's behaviour (no MST, random entry points)
 * in the same run, on the same kNN graph and queries.
 *
 *   node --import tsx bench/cagra-graph.bench.ts --dataset sift-5k|synthetic-20k|synthetic-100k
 *        [--degrees 16,32] [--repeats 3] [--extend] [--json FILE]
 *
 * Per graph degree G (kNN degree 2G, built once as build() would): strongly connected
 * components and optimize() time without and with the MST edges; then recall@10
 * (ann-benchmarks' definition) and single-thread QPS (best of --repeats, the coarse seeds'
 * own search included) for itopk 32…256, random and coarse entry points. The summary gives,
 * per setting, the QPS at the smallest itopk reaching recall 0.95 and its ratio to cuVS's
 * setting. With --extend, also recall@10 of an index built on 80% of the rows and extended by
 * the rest against a full rebuild (search() defaults: coarse entry points on the CPU).
 * os.loadavg() is recorded beside every figure. Prints Markdown; writes JSON (default
 * bench/results/cagra-graph-DATASET.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stronglyConnectedComponents } from "../gpu/src/cagra/analysis/scc.ts";
import { build, resolveIndexParams } from "../gpu/src/cagra/build.ts";
import { extend } from "../gpu/src/cagra/extend/extend.ts";
import { search } from "../gpu/src/cagra/search/search.ts";
import { matrix } from "../gpu/src/common/matrix.ts";
import { cpuBackend } from "../gpu/src/device/select.ts";
import { bruteForceKnn } from "../gpu/src/cagra/knn/brute-force.ts";
import { nnDescent } from "../gpu/src/cagra/knn/nn-descent.ts";
import { optimize } from "../gpu/src/cagra/optimize/optimize.ts";
import { searchCpu } from "../gpu/src/cagra/search/cpu.ts";
import { buildCoarseLevel } from "../gpu/src/cagra/search/seeds/coarse-level.ts";
import { COARSE_SEEDS, coarseSeeds } from "../gpu/src/cagra/search/seeds/coarse-seeds.ts";
import type { SearchIndex } from "../gpu/src/cagra/search/validate.ts";
import type { CagraIndex, KnnGraph } from "../gpu/src/cagra/types.ts";
import { distanceRecall, euclideanFromSquared } from "../gpu/src/datasets/recall.ts";
import { loadCagraData, type CagraData } from "./cagra-data.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const K = 10;
const TARGET_RECALL = 0.95;
const ITOPK = [32, 64, 128, 256];
const ENTRY_POINTS = ["random", "coarse"] as const;

interface GraphRow {
  graph_degree: number;
  guarantee_connectivity: boolean;
  components: number;
  largest_component: number;
  optimize_s: number;
  load: number;
}

interface ExtendRow {
  graph_degree: number;
  itopk: number;
  extended: number;
  rebuilt: number;
  load: number;
}

interface SearchRow {
  graph_degree: number;
  guarantee_connectivity: boolean;
  entry_points: (typeof ENTRY_POINTS)[number];
  itopk: number;
  recall_at_10: number;
  qps: number;
  load: number;
}

const load = (): number => Number(os.loadavg()[0]!.toFixed(2));
const seconds = (t0: number): number => Number(((performance.now() - t0) / 1000).toFixed(3));

/** The kNN graph of degree 2G that build() would make for this dataset on the CPU. */
async function knnGraph(data: CagraData, graphDegree: number): Promise<KnnGraph> {
  const p = resolveIndexParams(data.base, {
    graphDegree,
    intermediateGraphDegree: 2 * graphDegree,
  });
  const threads = os.availableParallelism();
  return p.buildAlgo === "nn_descent"
    ? nnDescent(data.base, p.intermediateGraphDegree, p.metric, { seed: p.seed })
    : bruteForceKnn(data.base, data.base, p.intermediateGraphDegree, p.metric, {
        excludeSelf: true,
        threads,
      });
}

function recallOf(data: CagraData, neighbors: Uint32Array, squared: Float32Array): number {
  const shape = { queries: data.queries.rows, k: K };
  return distanceRecall(
    { neighbors, distances: euclideanFromSquared(squared), ...shape },
    { distances: data.truth, ...shape },
  );
}

async function searches(
  data: CagraData,
  index: SearchIndex,
  head: Pick<SearchRow, "graph_degree" | "guarantee_connectivity">,
  repeats: number,
): Promise<SearchRow[]> {
  const level = await buildCoarseLevel(index);
  const rows: SearchRow[] = [];
  for (const itopk of ITOPK) {
    // Both entry points in each repeat, one after the other, so load changes hit both alike.
    const best = ENTRY_POINTS.map(() => Infinity);
    const recall = ENTRY_POINTS.map(() => 0);
    for (let r = 0; r < repeats; r++) {
      ENTRY_POINTS.forEach((entry, e) => {
        const t0 = performance.now();
        const seeds =
          entry === "coarse" ? coarseSeeds(level, data.queries, COARSE_SEEDS) : undefined;
        const res = searchCpu(index, data.queries, K, { itopkSize: itopk }, { seeds });
        best[e] = Math.min(best[e]!, performance.now() - t0);
        recall[e] = recallOf(data, res.neighbors, res.distances);
      });
    }
    ENTRY_POINTS.forEach((entry, e) => {
      const qps = Math.round(data.queries.rows / (best[e]! / 1000));
      rows.push({
        ...head,
        entry_points: entry,
        itopk,
        recall_at_10: recall[e]!,
        qps,
        load: load(),
      });
    });
  }
  return rows;
}

/**
 * extend(): the last 20% of the rows added to an index built on the first 80%, against a
 * build over all rows, at each graph degree (default build and search settings otherwise).
 */
async function extendRecall(
  data: CagraData,
  degrees: number[],
): Promise<{ added: number; rows: ExtendRow[] }> {
  const { base } = data;
  const early = Math.round(base.rows * 0.8);
  const first = matrix(base.data.slice(0, early * base.cols), early, base.cols);
  const later = matrix(base.data.slice(early * base.cols), base.rows - early, base.cols);
  const backend = cpuBackend(os.availableParallelism());
  const rows: ExtendRow[] = [];
  for (const g of degrees) {
    const params = { graphDegree: g, intermediateGraphDegree: 2 * g };
    const extended = await extend(await build(backend, first, params), later);
    const rebuilt = await build(backend, base, params);
    for (const itopk of ITOPK) {
      const recall = async (index: CagraIndex): Promise<number> => {
        const r = await search(backend, index, data.queries, K, { itopkSize: itopk });
        return recallOf(data, r.neighbors, r.distances);
      };
      rows.push({
        graph_degree: g,
        itopk,
        extended: await recall(extended),
        rebuilt: await recall(rebuilt),
        load: load(),
      });
    }
  }
  return { added: later.rows, rows };
}

/** QPS at the smallest itopk reaching the target recall, per setting, with ratios to cuVS's. */
function summary(rows: SearchRow[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const degrees = [...new Set(rows.map((r) => r.graph_degree))];
  for (const g of degrees) {
    const at = (gc: boolean, entry: string): SearchRow | undefined =>
      rows.find(
        (r) =>
          r.graph_degree === g &&
          r.guarantee_connectivity === gc &&
          r.entry_points === entry &&
          r.recall_at_10 >= TARGET_RECALL,
      );
    const ratio = (r: SearchRow | undefined, base: SearchRow | undefined): number | null =>
      r && base ? Number((r.qps / base.qps).toFixed(2)) : null;
    for (const gc of [false, true]) {
      for (const entry of ENTRY_POINTS) {
        const r = at(gc, entry);
        out.push({
          graph_degree: g,
          guarantee_connectivity: gc,
          entry_points: entry,
          itopk_at_095: r?.itopk ?? null,
          qps_at_095: r?.qps ?? null,
          qps_ratio_vs_cuvs_behaviour: ratio(r, at(false, "random")),
          qps_ratio_vs_random_same_graph: ratio(r, at(gc, "random")),
        });
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string", default: "synthetic-20k" },
      degrees: { type: "string", default: "16,32" },
      repeats: { type: "string", default: "3" },
      json: { type: "string" },
      extend: { type: "boolean", default: false },
    },
  });
  const started = performance.now();
  const data = await loadCagraData(values.dataset!, K);
  const repeats = Number(values.repeats);
  const graphs: GraphRow[] = [];
  const rows: SearchRow[] = [];
  const degrees = values.degrees!.split(",").map(Number);
  for (const g of degrees) {
    const knn = await knnGraph(data, g);
    for (const gc of [false, true]) {
      const t0 = performance.now();
      const graph = await optimize(knn, g, { guaranteeConnectivity: gc });
      const optimizeS = seconds(t0);
      const scc = stronglyConnectedComponents(graph);
      graphs.push({
        graph_degree: g,
        guarantee_connectivity: gc,
        components: scc.count,
        largest_component: scc.largest,
        optimize_s: optimizeS,
        load: load(),
      });
      const index = { dataset: data.base, graph, metric: "sqeuclidean" as const };
      const head = { graph_degree: g, guarantee_connectivity: gc };
      rows.push(...(await searches(data, index, head, repeats)));
    }
  }
  const extension = values.extend ? await extendRecall(data, degrees) : undefined;
  const result = {
    dataset: data.name,
    rows: data.base.rows,
    queries: data.queries.rows,
    machine: { cpu: os.cpus()[0]?.model ?? "", cores: os.availableParallelism() },
    graphs,
    searches: rows,
    summary: summary(rows),
    extend: extension,
    run_s: seconds(started),
  };
  const file = values.json ?? path.join(ROOT, `bench/results/cagra-graph-${data.name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");

  console.log(`\n## ${data.name}: ${data.base.rows} rows, ${data.queries.rows} queries\n`);
  console.log("| G | MST edges | SCCs | largest | optimize s | load |\n|---|---|---|---|---|---|");
  for (const r of graphs) {
    console.log(
      `| ${r.graph_degree} | ${r.guarantee_connectivity} | ${r.components} | ${r.largest_component} | ${r.optimize_s} | ${r.load} |`,
    );
  }
  console.log(
    "\n| G | MST edges | entry | itopk | recall@10 | QPS | load |\n|---|---|---|---|---|---|---|",
  );
  for (const r of rows) {
    console.log(
      `| ${r.graph_degree} | ${r.guarantee_connectivity} | ${r.entry_points} | ${r.itopk} | ${r.recall_at_10.toFixed(4)} | ${r.qps} | ${r.load} |`,
    );
  }
  console.log(
    `\n| G | MST edges | entry | itopk at ${TARGET_RECALL} | QPS | × cuVS's (no MST, random) | × random, same graph |\n|---|---|---|---|---|---|---|`,
  );
  const cell = (v: unknown, none: string): string => (v === null ? none : String(v));
  for (const r of result.summary) {
    console.log(
      `| ${cell(r.graph_degree, "")} | ${cell(r.guarantee_connectivity, "")} | ${cell(r.entry_points, "")} | ${cell(r.itopk_at_095, "not reached")} | ${cell(r.qps_at_095, "–")} | ${cell(r.qps_ratio_vs_cuvs_behaviour, "–")} | ${cell(r.qps_ratio_vs_random_same_graph, "–")} |`,
    );
  }
  if (result.extend) {
    console.log(
      `\n| extend (${result.extend.added} of ${data.base.rows} rows added later) | itopk | recall@10 extended | rebuilt | difference |\n|---|---|---|---|---|`,
    );
    for (const r of result.extend.rows) {
      console.log(
        `| G ${r.graph_degree} | ${r.itopk} | ${r.extended.toFixed(4)} | ${r.rebuilt.toFixed(4)} | ${(r.extended - r.rebuilt).toFixed(4)} |`,
      );
    }
  }
  console.log(`\nJSON: ${path.relative(ROOT, file)} (run ${result.run_s} s)`);
}

await main();
