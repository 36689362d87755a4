/*
 * How well AutoChunk's cost model (gpu/src/autochunk/select/) predicts the CPU executor's
 * chunked slowdowns: per model, plans at several budgets, each run against the unchunked
 * program in interleaved rounds; prints predicted beside measured slowdown (wall and CPU time,
 * medians, with the 1-minute load at each round). `--by-op` adds, for the unchunked program
 * and the smallest-budget plan, predicted and measured seconds per op (a node's measured time
 * is its kernel call plus its outputs' and workspace's allocation, from one extra run each; a
 * chunk loop's own time excludes its body's nodes and their allocations, which count under
 * their ops).
 *
 *   node --import tsx bench/autochunk/cost-model-check.ts [--models gpt,vit,evoformer,unet]
 *     [--rounds 5] [--budgets 0.5,0.3,0.2] [--by-op] [--evoformer-residues 64]
 *
 * (`--evoformer-residues 256` is the benchmark's large size, about a minute per round.)
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type {
  CostTable,
  ExecutorBackend,
  Graph,
  Tensor,
} from "../../gpu/src/autochunk/internal.ts";
import {
  BudgetError,
  autochunk,
  cachedCostTable,
  cpuExecutor,
  estimateMemory,
  execute,
  nodeSeconds,
  walkGraph,
} from "../../gpu/src/autochunk/internal.ts";
import type { Model } from "../../gpu/src/autochunk/models/index.ts";
import { evoformerBlock, gptPrefill, unet, vit } from "../../gpu/src/autochunk/models/index.ts";

/** The benchmark's larger sizes (bench/autochunk.bench.ts), each under a second unchunked. */
const MODELS: Record<string, (residues: number) => Model<unknown>> = {
  gpt: () => gptPrefill({ seq: 1024, nEmbd: 768, nHead: 12, nLayer: 1, vocab: 1000 }),
  vit: () => vit({ image: 384, depth: 1 }),
  evoformer: (residues) => evoformerBlock({ nRes: residues, nSeq: 32 }),
  unet: () => unet({ image: 64, blockChannels: [32, 64, 96, 128] }),
};

const load1 = () => Number(os.loadavg()[0]!.toFixed(2));
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} %`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timed(graph: Graph, inputs: Record<string, Tensor>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await execute(graph, inputs);
  const wall = (performance.now() - t0) / 1000;
  const { user, system } = process.cpuUsage(cpu0);
  return { wall, cpu: (user + system) / 1e6 };
}

/** Predicted seconds per op of `graph`, loop bodies counted under their ops × iterations. */
function predictedByOp(
  graph: Graph,
  table: CostTable,
  times = 1,
  into = new Map<string, number>(),
) {
  for (const node of graph.nodes) {
    const own = nodeSeconds(graph, node, table);
    if (node.op === "chunk_loop") {
      const { body, tail, length, chunkSize } = node.attrs;
      const full = Math.floor(length / chunkSize);
      predictedByOp(body, table, times * full, into);
      if (tail !== null) predictedByOp(tail, table, times, into);
      let inner = full * graphTotal(body, table) + (tail === null ? 0 : graphTotal(tail, table));
      inner = own - inner;
      const key = `loop ${node.name}`;
      into.set(key, (into.get(key) ?? 0) + times * inner);
      continue;
    }
    if (own > 0) into.set(node.op, (into.get(node.op) ?? 0) + times * own);
  }
  return into;
}

function graphTotal(graph: Graph, table: CostTable): number {
  return graph.nodes.reduce((s, n) => s + nodeSeconds(graph, n, table), 0);
}

/** A clock reading: wall and process CPU seconds. */
function now(): [number, number] {
  const { user, system } = process.cpuUsage();
  return [performance.now() / 1000, (user + system) / 1e6];
}

/**
 * Measured seconds per op of one run (kernel call + output allocation; wall, CPU) and calls,
 * loops' own time apart from their bodies'.
 */
async function measuredByOp(graph: Graph, inputs: Record<string, Tensor>) {
  const byOp = new Map<string, [number, number, number]>();
  const stack: [number, number][] = [];
  const add = (op: string, w: number, c: number, calls: number) => {
    const [w0, c0, n0] = byOp.get(op) ?? [0, 0, 0];
    byOp.set(op, [w0 + w, c0 + c, n0 + calls]);
  };
  // An allocation is counted under its op, so not in an enclosing loop's own time.
  const underOp = <R>(op: string, allocate: () => R): R => {
    const [w0, c0] = now();
    const r = allocate();
    const [w1, c1] = now();
    add(op, w1 - w0, c1 - c0, 0);
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      top[0] += w1 - w0;
      top[1] += c1 - c0;
    }
    return r;
  };
  const backend: ExecutorBackend<Tensor, Uint8Array> = {
    ...cpuExecutor,
    allocate: (type, label, op) => underOp(op, () => cpuExecutor.allocate(type, label, op)),
    workspace: (bytes, label, op) => underOp(op, () => cpuExecutor.workspace(bytes, label, op)),
    run: async (run) => {
      stack.push([0, 0]);
      const [w0, c0] = now();
      await cpuExecutor.run(run);
      const [w1, c1] = now();
      const [iw, ic] = stack.pop()!;
      const key = run.node.op === "chunk_loop" ? `loop ${run.node.name}` : run.node.op;
      add(key, w1 - w0 - iw, c1 - c0 - ic, 1);
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        top[0] += w1 - w0;
        top[1] += c1 - c0;
      }
      return undefined;
    },
  };
  await walkGraph(backend, graph, inputs);
  return byOp;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: "string", default: Object.keys(MODELS).join(",") },
      rounds: { type: "string", default: "5" },
      budgets: { type: "string", default: "0.5,0.3,0.2" },
      "by-op": { type: "boolean", default: false },
      "evoformer-residues": { type: "string", default: "64" },
    },
  });
  const rounds = Number(values.rounds);
  const ratios = values.budgets.split(",").map(Number);
  const t0 = performance.now();
  const table = await cachedCostTable();
  console.log(
    `calibration ${(performance.now() - t0).toFixed(0)} ms (load ${load1()}):`,
    JSON.stringify(table),
  );
  for (const name of values.models.split(",")) {
    const make = MODELS[name];
    if (make === undefined) throw new Error(`--models: unknown model "${name}"`);
    const model = make(Number(values["evoformer-residues"]));
    const { graph } = model;
    const inputs = model.makeInputs() as Record<string, Tensor>;
    const peak = estimateMemory(graph).peakBytes;
    const plans = [];
    for (const ratio of ratios) {
      try {
        plans.push({ ratio, plan: await autochunk(graph, { budget: Math.floor(ratio * peak) }) });
      } catch (e) {
        if (!(e instanceof BudgetError)) throw e;
        console.log(`${name} ${ratio}×: no plan (lowest ${(e.minimumBytes / peak).toFixed(2)}×)`);
      }
    }
    await execute(graph, inputs); // warm-up: parameters, JIT
    const base: { wall: number; cpu: number }[] = [];
    const runs = plans.map(() => [] as { wall: number; cpu: number }[]);
    const loads: number[] = [];
    for (let r = 0; r < rounds; r++) {
      loads.push(load1());
      base.push(await timed(graph, inputs));
      for (const [k, { plan }] of plans.entries()) runs[k]!.push(await timed(plan.chunked, inputs));
    }
    const bw = median(base.map((b) => b.wall));
    const bc = median(base.map((b) => b.cpu));
    console.log(
      `\n${name}: unchunked ${bw.toFixed(3)} s wall, ${bc.toFixed(3)} s CPU; predicted ` +
        `${plans[0]?.plan.seconds.before.toFixed(3) ?? "?"} s; load ${loads.join(" ")}`,
    );
    console.log("budget | regions (chunk×iters/body) | predicted | wall | CPU");
    for (const [k, { ratio, plan }] of plans.entries()) {
      const regions = plan.regions.map((g) => `${g.chunkSize}×${g.iterations}/${g.body.length}`);
      const w = median(runs[k]!.map((x) => x.wall)) / bw - 1;
      const c = median(runs[k]!.map((x) => x.cpu)) / bc - 1;
      const p = plan.seconds.after / plan.seconds.before - 1;
      console.log(`${ratio}× | ${regions.join(" ")} | ${pct(p)} | ${pct(w)} | ${pct(c)}`);
    }
    if (values["by-op"] && plans.length > 0) {
      const last = plans[plans.length - 1]!.plan;
      for (const [what, g] of [
        ["unchunked", graph],
        [`chunked ${plans[plans.length - 1]!.ratio}×`, last.chunked],
      ] as const) {
        const predicted = predictedByOp(g, table);
        const measured = await measuredByOp(g, inputs);
        console.log(
          `  ${what} by op: predicted ms, measured wall ms, CPU ms, calls (load ${load1()})`,
        );
        const ops = [...new Set([...predicted.keys(), ...measured.keys()])].sort(
          (a, b) => (measured.get(b)?.[1] ?? 0) - (measured.get(a)?.[1] ?? 0),
        );
        const ms = (x: number) => (1000 * x).toFixed(1).padStart(8);
        for (const op of ops) {
          const [w, c, n] = measured.get(op) ?? [0, 0, 0];
          console.log(`    ${op.padEnd(12)} ${ms(predicted.get(op) ?? 0)} ${ms(w)} ${ms(c)} ${n}`);
        }
      }
    }
  }
}

await main();
