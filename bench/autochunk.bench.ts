/**
 * AutoChunk benchmark: the four evaluation models of the AutoChunk paper (GPT prefill, ViT, an
 * Evoformer block, a UNet), each at two sizes, run unchunked and chunked at budgets of 0.5, 0.3
 * and 0.2 × the unchunked activation peak in the same run on the same machine; then the longest
 * sequence each model fits under a fixed budget, chunked and not.
 *
 *   npm run bench:autochunk -- [--models gpt,vit,evoformer,unet] [--repeats N]
 *     [--sizes gpt=1024,2048;evoformer=256] [--torch-threads N]
 *     [--backend all|cpu|webgpu] [--quick] [--json FILE]
 *
 * Peaks are measured from the executors' allocation events (activations only: graph inputs
 * and parameters are not counted, as in the reference). Times are the median of N
 * (`--repeats`, default 5) seconds per forward pass, in N interleaved rounds (PyTorch for GPT,
 * the unchunked program, then each chunked program) after one unchunked warm-up run (which
 * materialises the parameters); each row keeps every run, the spread (min, max) and the
 * 1-minute load average at each round. Clocks: wall, and this process's CPU time, which other
 * processes on a shared machine hardly stretch while the executor computes on the main thread.
 * A chunked program's slowdown is against the unchunked program on the same executor (whichever
 * CPU executor is current). `--backend all` (the default) runs the CPU executor and, when Dawn
 * finds an adapter, the WebGPU executor too; plans are searched once with the CPU cost model
 * and run on both.
 *
 * PyTorch peer (GPT only): the same GPT block and sizes in PyTorch eager on the CPU
 * (bench/autochunk/torch_peer.py, a child process of .venv's Python), timed in the same rounds
 * with `--torch-threads` intra-op threads (default: as many as the CPU executor's kernels use
 * by default, $TESSERA_CPU_THREADS else every core), and its peak activation memory from
 * torch.profiler's allocation events (profile_memory=True), as a row of its own. The summary's
 * `executor_time_ratio_vs_torch` (per sequence length) comes from bench/autochunk/executor-speed.ts,
 * run after GPT's rounds with that thread count on both sides; each torch row keeps the ratio
 * from the benchmark's own rounds beside it.
 *
 * Max sequence lengths come from `maxSequenceLength` (the memory prediction, which equals the
 * CPU executor's measured peak — the rows show it), in the model's sequence-length units
 * (tokens, patches, residues, image side), under two budgets: a fixed 1 GiB of activations
 * (16 MiB with --quick), as the paper fixes the device memory and grows the input — this is
 * `max_seq_ratio`; and the unchunked peak at the smallest benchmarked size. The ratio grows
 * with the budget, because chunking removes the quadratic and cubic terms but not the
 * activations linear in the length. Each chunked length found is verified by one measured run
 * of its plan when the run is predicted to take under VERIFY_LIMIT_S (from the program's FLOPs
 * at the executor's rate measured above); a longer one is not run, and its row says so and
 * why. `--quick` uses tiny widths for a smoke run (under a minute).
 *
 * Prints Markdown tables and writes JSON (default bench/results/autochunk.json).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Backend, WebGpuBackend } from "../gpu/src/device/backend.ts";
import { selectBackend } from "../gpu/src/device/select.ts";
import type {
  CostTable,
  ExecuteOptions,
  ExecuteResult,
  Feeds,
  Graph,
  Plan,
  Tensor,
} from "../gpu/src/autochunk/index.ts";
import {
  BudgetError,
  autochunk,
  cachedCostTable,
  estimateMemory,
  execute,
  executeWebGpu,
  maxSequenceLength,
} from "../gpu/src/autochunk/index.ts";
import type { Model } from "../gpu/src/autochunk/models/index.ts";
import { graphFlops } from "../gpu/src/autochunk/ops/registry.ts";
import { kernelBuild } from "../gpu/src/autochunk/executor/wasm/runtime.ts";
import { measureExecutorSpeed, type ExecutorSpeed } from "./autochunk/executor-speed.ts";
import type { ModelName, ModelSpec } from "./autochunk/model-specs.ts";
import { MODEL_NAMES, maxSeqBudgetBytes, modelSpecs } from "./autochunk/model-specs.ts";
import type { TorchPeer } from "./autochunk/torch-peer.ts";
import { startTorchPeer } from "./autochunk/torch-peer.ts";
import { vectorExtensions } from "./machine.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
type BackendChoice = "all" | "cpu" | "webgpu";

const BUDGET_RATIOS = [0.5, 0.3, 0.2] as const;
/** The paper's claims (research/autochunk.md §5). */
const TARGETS = {
  reduction_pct: 80,
  slowdown_pct: 10,
  reduction_models: ["gpt", "evoformer"] as ModelName[],
  max_seq_ratio: 3.2,
};
/** Chunked outputs must match the unchunked ones to this fraction of max |output|. */
const TOLERANCE = 1e-4;
/** A max-sequence-length plan is verified by a run only when predicted to take less (s). */
const VERIFY_LIMIT_S = 60;
const MIB = 2 ** 20;

interface Options {
  models: ModelName[];
  repeats: number;
  /** Per model, the sizes to run instead of its spec's. */
  sizes: Partial<Record<ModelName, number[]>>;
  torchThreads: number;
  backend: BackendChoice;
  quick: boolean;
  json: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      models: { type: "string", default: MODEL_NAMES.join(",") },
      repeats: { type: "string", default: "5" },
      sizes: { type: "string", default: "" },
      "torch-threads": { type: "string", default: String(executorThreads()) },
      backend: { type: "string", default: "all" },
      quick: { type: "boolean", default: false },
      json: { type: "string", default: path.join(ROOT, "bench/results/autochunk.json") },
    },
  });
  const models = values.models.split(",").map((m) => m.trim());
  for (const m of models) {
    if (!(MODEL_NAMES as readonly string[]).includes(m)) {
      throw new Error(`--models wants a comma list of ${MODEL_NAMES.join(", ")}, got "${m}"`);
    }
  }
  if (!["all", "cpu", "webgpu"].includes(values.backend)) {
    throw new Error(`--backend wants all, cpu or webgpu, got "${values.backend}"`);
  }
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new Error(`--repeats wants a positive integer, got "${values.repeats}"`);
  }
  const torchThreads = Number(values["torch-threads"]);
  if (!Number.isInteger(torchThreads) || torchThreads < 1) {
    throw new Error(`--torch-threads wants a positive integer, got "${values["torch-threads"]}"`);
  }
  return {
    models: models as ModelName[],
    repeats,
    sizes: parseSizes(values.sizes),
    torchThreads,
    backend: values.backend as BackendChoice,
    quick: values.quick,
    json: path.resolve(values.json),
  };
}

/** The CPU kernels' default thread count: $TESSERA_CPU_THREADS, else every core. */
function executorThreads(): number {
  const fromEnv = Number(process.env.TESSERA_CPU_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

/** "gpt=1024,2048;evoformer=256" → { gpt: [1024, 2048], evoformer: [256] }. */
function parseSizes(text: string): Partial<Record<ModelName, number[]>> {
  const sizes: Partial<Record<ModelName, number[]>> = {};
  for (const part of text.split(";").filter((p) => p.trim() !== "")) {
    const [name, list] = part.split("=").map((x) => x.trim());
    const numbers = (list ?? "").split(",").map(Number);
    if (!(MODEL_NAMES as readonly string[]).includes(name!) || list === undefined) {
      throw new Error(
        `--sizes wants model=a,b;model=c with models from ${MODEL_NAMES.join(", ")}, got "${part}"`,
      );
    }
    if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`--sizes wants positive integer sizes, got "${part}"`);
    }
    sizes[name as ModelName] = numbers;
  }
  return sizes;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** An executor bound to a backend: the CPU executor, or the WebGPU one on a device. */
interface Runner {
  name: "cpu" | "webgpu";
  description: string;
  run(graph: Graph, inputs: Feeds, options?: ExecuteOptions): Promise<ExecuteResult>;
}

/** The backends `choice` asks for; "all" adds WebGPU only where Dawn finds an adapter. */
async function openRunners(choice: BackendChoice): Promise<{ runners: Runner[]; gpu?: Backend }> {
  const cpu: Runner = {
    name: "cpu",
    description: "CPU executor (gpu/src/autochunk/executor as in this tree)",
    run: (graph, inputs, options) => execute(graph, inputs, options),
  };
  if (choice === "cpu") return { runners: [cpu] };
  const gpu = await selectBackend({
    backend: choice === "webgpu" ? "webgpu" : undefined,
    notice: () => log("No WebGPU adapter found (Dawn in Node): running the CPU backend only."),
  });
  if (gpu.kind !== "webgpu") return { runners: [cpu] };
  const device: WebGpuBackend = gpu;
  const webgpu: Runner = {
    name: "webgpu",
    description:
      `WebGPU executor on ${device.adapter.vendor} ${device.adapter.architecture} ${device.adapter.description}`.trim(),
    run: (graph, inputs, options) => executeWebGpu(device, graph, inputs, options),
  };
  return { runners: choice === "webgpu" ? [webgpu] : [cpu, webgpu], gpu };
}

/**
 * Seconds of one run: wall clock, and this process's CPU time. The CPU executor is one thread,
 * so its CPU time is its work, which other processes on a shared machine do not inflate the
 * way they inflate wall time; for WebGPU it is only the host's share.
 */
interface Seconds {
  wall: number;
  cpu: number;
}

async function timed(
  runner: Runner,
  graph: Graph,
  inputs: Feeds,
): Promise<{ seconds: Seconds; result: ExecuteResult }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = await runner.run(graph, inputs);
  const wall = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpuStart);
  return { seconds: { wall, cpu: (user + system) / 1e6 }, result };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of interleaved runs per clock, and the wall-clock spread. */
interface Timing extends Seconds {
  wall_min: number;
  wall_max: number;
}

function timing(runs: readonly Seconds[]): Timing {
  const walls = runs.map((r) => r.wall);
  return {
    wall: median(walls),
    cpu: median(runs.map((r) => r.cpu)),
    wall_min: Math.min(...walls),
    wall_max: Math.max(...walls),
  };
}

const load1 = () => Number(os.loadavg()[0]!.toFixed(2));

/** Largest |got − want| over each output, relative to that output's max |want|; the worst. */
function maxRelativeError(got: readonly Tensor[], want: readonly Tensor[]): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  want.forEach((w, k) => {
    const g = got[k]!;
    if (g.data.length !== w.data.length) {
      worst = Infinity;
      return;
    }
    let err = 0;
    let scale = 0;
    for (let i = 0; i < w.data.length; i++) {
      const wi = Number(w.data[i]!);
      err = Math.max(err, Math.abs(Number(g.data[i]!) - wi));
      scale = Math.max(scale, Math.abs(wi));
    }
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err / (scale || 1));
  });
  return worst;
}

/** What `BudgetError` names as the node holding the lowest reachable peak. */
function lowestPeakAt(e: BudgetError): string | null {
  return /, at (.+)\. Pass a budget/.exec(e.message)?.[1] ?? null;
}

/** The original node that holds the chunked program's predicted peak. */
function chunkedPeakAt(plan: Plan): string {
  let best = plan.nodes[0]!;
  for (const n of plan.nodes) if (n.afterBytes > best.afterBytes) best = n;
  return `${best.op} "${best.name}"`;
}

interface RegionSummary {
  loop: string;
  start: string;
  end: string;
  body_nodes: number;
  hoisted_nodes: number;
  length: number;
  chunk_size: number;
  iterations: number;
  predicted_peak_bytes: { before: number; after: number };
}

function regionSummaries(plan: Plan): RegionSummary[] {
  return plan.regions.map((r) => ({
    loop: r.loop,
    start: r.startName,
    end: r.endName,
    body_nodes: r.body.length,
    hoisted_nodes: r.hoisted.length,
    length: r.length,
    chunk_size: r.chunkSize,
    iterations: r.iterations,
    predicted_peak_bytes: r.peakBytes,
  }));
}

interface Row {
  model: ModelName;
  backend: string;
  /** The model's sequence length (tokens, patches, residues, image side). */
  seq: number;
  /** The builder's size argument (same as `seq` except for ViT: image side). */
  size: number;
  budget_ratio: number;
  budget_bytes: number;
  peak_unchunked_bytes: number;
  predicted_peak_unchunked_bytes: number;
  /** null when the budget is impossible. */
  peak_chunked_bytes: number | null;
  predicted_peak_bytes: number | null;
  /** The node holding the chunked program's predicted peak. */
  chunked_peak_at: string | null;
  /** When the budget is impossible: the lowest peak the search reaches, and where. */
  min_reachable_bytes: number | null;
  min_reachable_at: string | null;
  /** Median wall clock of the interleaved runs, and its spread [min, max]. */
  time_unchunked_s: number;
  time_chunked_s: number | null;
  spread_unchunked_s: [number, number];
  spread_chunked_s: [number, number] | null;
  /** Median CPU time (CPU backend only; see Seconds). */
  cpu_time_unchunked_s: number | null;
  cpu_time_chunked_s: number | null;
  /** The 1-minute load average at the start of each round. */
  load_1min: number[];
  /** Plan search (autochunk's pipeline, calibration excluded); wall time when it failed. */
  search_s: number;
  regions: number;
  region_details: RegionSummary[];
  reduction_pct: number | null;
  /** Median over median, by wall clock, and by CPU time (CPU backend only). */
  slowdown_pct: number | null;
  cpu_slowdown_pct: number | null;
  /** From the plan's cost model. */
  predicted_slowdown_pct: number | null;
  max_abs_err_rel: number | null;
  outputs_match: boolean | null;
  runs_unchunked_s: Seconds[];
  runs_chunked_s: Seconds[];
  /**
   * The peak by the backend's own count, apart from the tracker (executor/resident.ts), from
   * one untimed run each with measureResident; its source (docs/autochunk-executors.md).
   */
  resident_peak_unchunked_bytes: number | null;
  resident_peak_chunked_bytes: number | null;
  resident_source: string | null;
}

type Planned = { ratio: number; budget: number; searchS: number } & (
  { plan: Plan } | { error: BudgetError }
);

/** Plans for every budget ratio; an impossible budget keeps its BudgetError. */
async function planBudgets(graph: Graph, peak: number, costModel: CostTable): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const ratio of BUDGET_RATIOS) {
    const budget = Math.floor(ratio * peak);
    const start = performance.now();
    try {
      const plan = await autochunk(graph, { budget, costModel });
      planned.push({ ratio, budget, searchS: plan.searchMs / 1000, plan });
    } catch (e) {
      if (!(e instanceof BudgetError)) throw e;
      planned.push({ ratio, budget, searchS: (performance.now() - start) / 1000, error: e });
    }
  }
  return planned;
}

/** PyTorch eager's row beside the executor's (GPT only). */
interface TorchRow {
  model: ModelName;
  backend: string;
  seq: number;
  threads: number;
  torch: string;
  /** Median wall clock of its interleaved runs, the spread, and every run. */
  time_s: number;
  spread_s: [number, number];
  runs_s: number[];
  /** High-water mark of torch.profiler's allocation events during one forward pass. */
  peak_bytes: number;
  /** The executor's unchunked program in the same rounds. */
  executor_backend: string;
  executor_time_s: number;
  executor_peak_bytes: number;
  executor_time_ratio_vs_torch: number;
  executor_peak_ratio_vs_torch: number;
  load_1min: number[];
}

/** The peer, loaded with one model, timed in the executor's rounds. */
interface TorchRun {
  peer: TorchPeer;
  info: { threads: number; torch: string };
  runs: number[];
}

/**
 * One model at one size on one backend: a warm-up unchunked run (the reference outputs), then
 * `repeats` rounds of a PyTorch run (when `torch` is given), one unchunked run and one run of
 * each feasible plan.
 */
async function benchmarkSize(
  spec: ModelSpec,
  model: Model<unknown>,
  size: number,
  planned: readonly Planned[],
  runner: Runner,
  repeats: number,
  torch: TorchRun | null,
): Promise<Row[]> {
  const { graph } = model;
  const inputs = model.makeInputs();
  const predictedPeak = estimateMemory(graph).peakBytes;
  const reference = (await timed(runner, graph, inputs)).result;
  const unchunked: Seconds[] = [];
  const chunked = planned.map(() => [] as Seconds[]);
  const measured = planned.map(() => ({ peak: 0, err: 0 }));
  const load: number[] = [];
  for (let r = 0; r < repeats; r++) {
    load.push(load1());
    if (torch !== null) torch.runs.push(await torch.peer.time());
    unchunked.push((await timed(runner, graph, inputs)).seconds);
    for (const [k, p] of planned.entries()) {
      if (!("plan" in p)) continue;
      const { seconds, result } = await timed(runner, p.plan.chunked, inputs);
      chunked[k]!.push(seconds);
      if (r === 0) {
        measured[k] = {
          peak: result.peakBytes,
          err: maxRelativeError(result.outputs, reference.outputs),
        };
      }
    }
  }
  // Sampling slows kernels a little, so the resident peaks come from runs of their own, one
  // at a time (runs side by side would count each other's memory), after the warm-up that
  // materialised the parameters.
  const residentUnchunked = (await runner.run(graph, inputs, { measureResident: true })).resident;
  const resident: (number | null)[] = [];
  for (const p of planned) {
    const run =
      "plan" in p ? await runner.run(p.plan.chunked, inputs, { measureResident: true }) : null;
    resident.push(run?.resident?.peakBytes ?? null);
  }
  const tUnchunked = timing(unchunked);
  const onCpu = runner.name === "cpu";
  return planned.map((p, k): Row => {
    const base = {
      model: spec.name,
      backend: runner.name,
      seq: model.sequenceLength,
      size,
      budget_ratio: p.ratio,
      budget_bytes: p.budget,
      peak_unchunked_bytes: reference.peakBytes,
      predicted_peak_unchunked_bytes: predictedPeak,
      time_unchunked_s: tUnchunked.wall,
      spread_unchunked_s: [tUnchunked.wall_min, tUnchunked.wall_max] as [number, number],
      cpu_time_unchunked_s: onCpu ? tUnchunked.cpu : null,
      load_1min: load,
      search_s: p.searchS,
      runs_unchunked_s: unchunked,
      resident_peak_unchunked_bytes: residentUnchunked?.peakBytes ?? null,
      resident_source: residentUnchunked?.source ?? null,
    };
    if (!("plan" in p)) {
      return {
        ...base,
        peak_chunked_bytes: null,
        predicted_peak_bytes: null,
        chunked_peak_at: null,
        min_reachable_bytes: p.error.minimumBytes,
        min_reachable_at: lowestPeakAt(p.error),
        time_chunked_s: null,
        spread_chunked_s: null,
        cpu_time_chunked_s: null,
        regions: 0,
        region_details: [],
        reduction_pct: null,
        slowdown_pct: null,
        cpu_slowdown_pct: null,
        predicted_slowdown_pct: null,
        max_abs_err_rel: null,
        outputs_match: null,
        runs_chunked_s: [],
        resident_peak_chunked_bytes: null,
      };
    }
    const { plan } = p;
    const tChunked = timing(chunked[k]!);
    const { peak, err } = measured[k]!;
    return {
      ...base,
      peak_chunked_bytes: peak,
      predicted_peak_bytes: plan.peakBytes.after,
      chunked_peak_at: chunkedPeakAt(plan),
      min_reachable_bytes: null,
      min_reachable_at: null,
      time_chunked_s: tChunked.wall,
      spread_chunked_s: [tChunked.wall_min, tChunked.wall_max],
      cpu_time_chunked_s: onCpu ? tChunked.cpu : null,
      regions: plan.regions.length,
      region_details: regionSummaries(plan),
      reduction_pct: 100 * (1 - peak / reference.peakBytes),
      slowdown_pct: 100 * (tChunked.wall / tUnchunked.wall - 1),
      cpu_slowdown_pct: onCpu ? 100 * (tChunked.cpu / tUnchunked.cpu - 1) : null,
      predicted_slowdown_pct: 100 * (plan.seconds.after / plan.seconds.before - 1),
      max_abs_err_rel: err,
      outputs_match: err <= TOLERANCE,
      runs_chunked_s: chunked[k]!,
      resident_peak_chunked_bytes: resident[k]!,
    };
  });
}

interface LowestPeak {
  seq: number;
  bytes: number;
  /** Over the unchunked peak. */
  ratio: number;
  /** The node that holds it. */
  at: string | null;
}

/** The lowest peak any chunking reaches (autochunk's minimum mode, via an unmeetable budget). */
async function lowestPeak(model: Model<unknown>, peak: number, costModel: CostTable) {
  try {
    await autochunk(model.graph, { budget: 1, costModel });
  } catch (e) {
    if (!(e instanceof BudgetError)) throw e;
    const at = lowestPeakAt(e);
    return { seq: model.sequenceLength, bytes: e.minimumBytes, ratio: e.minimumBytes / peak, at };
  }
  throw new Error(`autochunk fitted ${model.sequenceLength} into a budget of 1 byte`);
}

interface MaxSeq {
  budget: string;
  budget_bytes: number;
  /** In the model's sequence-length units, and as the builder's size argument. */
  unchunked_seq: number;
  chunked_seq: number;
  unchunked_size: number;
  chunked_size: number;
  ratio: number | null;
  chunked_predicted_peak_bytes: number;
  chunked_regions: number;
  /** The measured peak of one run of the chunked plan at the length found; null: not run. */
  chunked_measured_peak_bytes: number | null;
  /** "measured", or why the verifying run was not made. */
  verified: string;
  /** Predicted seconds of that run, from its FLOPs at the executor's measured rate. */
  verify_predicted_s: number;
  search_s: number;
}

/**
 * Longest length under `budget`, unchunked and chunked, in sequence-length units; the chunked
 * plan is run once at its length when that is predicted (at `flopsPerSecond`) to take under
 * VERIFY_LIMIT_S.
 */
async function maxSeq(
  spec: ModelSpec,
  budget: { name: string; bytes: number },
  costModel: CostTable,
  runner: Runner,
  flopsPerSecond: number,
): Promise<MaxSeq> {
  const start = performance.now();
  const factory = (size: number) => spec.build(size).graph;
  const options = { step: spec.step, costModel };
  const plain = await maxSequenceLength(factory, budget.bytes, { ...options, chunked: false });
  const chunked = await maxSequenceLength(factory, budget.bytes, { ...options, chunked: true });
  const searchS = (performance.now() - start) / 1000;
  const plan = chunked.plan;
  const predictedS = plan === null ? 0 : graphFlops(plan.chunked) / flopsPerSecond;
  let measuredPeak: number | null = null;
  let verified = "measured";
  if (plan === null) verified = "not run: no length fits";
  else if (predictedS > VERIFY_LIMIT_S) {
    verified = `not run here: predicted ${predictedS.toFixed(0)} s at the executor's measured ${(flopsPerSecond / 1e9).toFixed(1)} GFLOP/s, over ${VERIFY_LIMIT_S} s (bench/autochunk/verify-max-seq.ts runs it)`;
  } else {
    log(
      `${spec.name}: verifying the plan at ${chunked.length} (predicted ${predictedS.toFixed(1)} s)…`,
    );
    const run = await runner.run(plan.chunked, spec.build(chunked.length).makeInputs());
    measuredPeak = run.peakBytes;
  }
  const seqOf = (size: number) => (size === 0 ? 0 : spec.build(size).sequenceLength);
  const unchunkedSeq = seqOf(plain.length);
  const chunkedSeq = seqOf(chunked.length);
  return {
    budget: budget.name,
    budget_bytes: budget.bytes,
    unchunked_seq: unchunkedSeq,
    chunked_seq: chunkedSeq,
    unchunked_size: plain.length,
    chunked_size: chunked.length,
    ratio: unchunkedSeq === 0 ? null : chunkedSeq / unchunkedSeq,
    chunked_predicted_peak_bytes: chunked.peakBytes,
    chunked_regions: chunked.plan?.regions.length ?? 0,
    chunked_measured_peak_bytes: measuredPeak,
    verified,
    verify_predicted_s: predictedS,
    search_s: searchS,
  };
}

interface Best {
  reduction_pct: number;
  slowdown_pct: number;
  seq: number;
  budget_ratio: number;
}

interface Summary {
  size: string;
  sizes: readonly number[];
  seqs: number[];
  config: Readonly<Record<string, unknown>>;
  note: string;
  /** Per size: the lowest peak any chunking reaches. */
  lowest_peak: LowestPeak[];
  /**
   * Per backend: the largest measured reduction whose wall-clock slowdown is ≤ 10% (outputs
   * matching); and the same on the CPU backend by CPU time (null when it did not run).
   */
  best_reduction_at_slowdown_le_10pct: Record<string, Best | null>;
  best_reduction_at_cpu_slowdown_le_10pct: Best | null;
  /** Max sequence lengths under the fixed budget, then under the unchunked peak at sizes[0]. */
  max_seq: MaxSeq[];
  /** Chunked over unchunked max sequence length under the fixed budget (max_seq[0]). */
  max_seq_ratio: number | null;
  /**
   * Per sequence length: the CPU executor's median time for the GPT block over PyTorch eager's,
   * from bench/autochunk/executor-speed.ts run in this session with the same thread count on
   * both sides (null for the other models): against glibc's default allocator, and against one
   * that keeps freed memory (torch-peer.ts, TorchAllocator), which is the ratio of the work
   * itself where page faults are costly.
   */
  executor_time_ratio_vs_torch: Record<string, number> | null;
  executor_time_ratio_vs_torch_retained: Record<string, number> | null;
  /** The block's matrix products alone in the executor over PyTorch's whole block (retained). */
  executor_products_floor_ratio_vs_torch_retained: Record<string, number> | null;
  /** Whether every backend reaches the paper's reduction (GPT and Evoformer only), per clock. */
  meets_reduction_target: { wall: boolean; cpu: boolean | null } | null;
  meets_max_seq_target: boolean | null;
}

function bestReduction(rows: readonly Row[], clock: "wall" | "cpu"): Best | null {
  let best: Best | null = null;
  for (const r of rows) {
    const slowdown = clock === "wall" ? r.slowdown_pct : r.cpu_slowdown_pct;
    if (r.reduction_pct === null || slowdown === null || r.outputs_match !== true) continue;
    if (slowdown > TARGETS.slowdown_pct) continue;
    if (best === null || r.reduction_pct > best.reduction_pct) {
      best = {
        reduction_pct: r.reduction_pct,
        slowdown_pct: slowdown,
        seq: r.seq,
        budget_ratio: r.budget_ratio,
      };
    }
  }
  return best;
}

function speedRatios(
  speed: readonly ExecutorSpeed[] | null,
  ratio: (s: ExecutorSpeed) => number,
): Record<string, number> | null {
  return speed === null ? null : Object.fromEntries(speed.map((s) => [String(s.tokens), ratio(s)]));
}

function summarize(
  spec: ModelSpec,
  seqs: number[],
  lowest: LowestPeak[],
  rows: readonly Row[],
  speed: ExecutorSpeed[] | null,
  maxSeqs: MaxSeq[],
  backends: readonly string[],
): Summary {
  const best = Object.fromEntries(
    backends.map((b) => [
      b,
      bestReduction(
        rows.filter((r) => r.backend === b),
        "wall",
      ),
    ]),
  );
  const bestCpu = backends.includes("cpu")
    ? bestReduction(
        rows.filter((r) => r.backend === "cpu"),
        "cpu",
      )
    : null;
  const ratio = maxSeqs[0]?.ratio ?? null;
  const meets = (b: Best | null) => b !== null && b.reduction_pct >= TARGETS.reduction_pct;
  return {
    size: spec.size,
    sizes: spec.sizes,
    seqs,
    config: spec.config,
    note: spec.note,
    lowest_peak: lowest,
    best_reduction_at_slowdown_le_10pct: best,
    best_reduction_at_cpu_slowdown_le_10pct: bestCpu,
    max_seq: maxSeqs,
    max_seq_ratio: ratio,
    executor_time_ratio_vs_torch: speedRatios(speed, (s) => s.executor_time_ratio_vs_torch),
    executor_time_ratio_vs_torch_retained: speedRatios(
      speed,
      (s) => s.executor_time_ratio_vs_torch_retained,
    ),
    executor_products_floor_ratio_vs_torch_retained: speedRatios(
      speed,
      (s) => s.products_floor_ratio_vs_torch_retained,
    ),
    meets_reduction_target: TARGETS.reduction_models.includes(spec.name)
      ? {
          wall: Object.values(best).every(meets),
          cpu: backends.includes("cpu") ? meets(bestCpu) : null,
        }
      : null,
    meets_max_seq_target: ratio === null ? null : ratio >= TARGETS.max_seq_ratio,
  };
}

const mib = (bytes: number) => (bytes / MIB).toFixed(1);
const fixed = (x: number | null, digits = 1) => (x === null ? "—" : x.toFixed(digits));

const spread = ([lo, hi]: [number, number]) => `${lo.toFixed(2)}–${hi.toFixed(2)}`;
const loads = (l: readonly number[]) => `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}`;

function rowsTable(rows: readonly Row[], torchRows: readonly TorchRow[]): string {
  const lines = [
    "| model | backend | seq | budget | peak unchunked (MiB) | peak chunked (MiB) | predicted (MiB) | reduction | t unchunked wall / CPU (s) | t chunked wall / CPU (s) | slowdown wall / CPU (predicted) | search (s) | regions | max err (rel) | load (1 min) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const pair = (wall: number, cpu: number | null, range: [number, number] | null) =>
    `${wall.toFixed(2)} / ${cpu === null ? "—" : cpu.toFixed(2)}${range === null ? "" : ` (${spread(range)})`}`;
  for (const t of torchRows) {
    lines.push(
      `| ${t.model} | PyTorch ${t.torch} eager, ${t.threads} thread(s) | ${t.seq} | — | ${mib(t.peak_bytes)} (profiler) | — | — | — | ${t.time_s.toFixed(2)} (${spread(t.spread_s)}); executor ${t.executor_time_ratio_vs_torch.toFixed(2)} × | — | — | — | — | — | ${loads(t.load_1min)} |`,
    );
  }
  for (const r of rows) {
    const head = `| ${r.model} | ${r.backend} | ${r.seq} | ${r.budget_ratio} × (${mib(r.budget_bytes)}) | ${mib(r.peak_unchunked_bytes)}`;
    if (r.peak_chunked_bytes === null) {
      const ratio = r.min_reachable_bytes! / r.peak_unchunked_bytes;
      lines.push(
        `${head} | impossible: lowest ${mib(r.min_reachable_bytes!)} (${ratio.toFixed(2)} ×) at ${r.min_reachable_at ?? "?"} | — | — | ${pair(r.time_unchunked_s, r.cpu_time_unchunked_s, r.spread_unchunked_s)} | — | — | ${r.search_s.toFixed(2)} | — | — | ${loads(r.load_1min)} |`,
      );
      continue;
    }
    const mismatch = r.outputs_match ? "" : " **MISMATCH**";
    lines.push(
      `${head} | ${mib(r.peak_chunked_bytes)} | ${mib(r.predicted_peak_bytes!)} | ${fixed(r.reduction_pct)}% | ${pair(r.time_unchunked_s, r.cpu_time_unchunked_s, r.spread_unchunked_s)} | ${pair(r.time_chunked_s!, r.cpu_time_chunked_s, r.spread_chunked_s)} | ${fixed(r.slowdown_pct)}% / ${fixed(r.cpu_slowdown_pct)}% (${fixed(r.predicted_slowdown_pct)}%) | ${r.search_s.toFixed(2)} | ${r.regions} | ${r.max_abs_err_rel!.toExponential(1)}${mismatch} | ${loads(r.load_1min)} |`,
    );
  }
  return lines.join("\n");
}

function verdict(meets: Summary["meets_reduction_target"]): string {
  if (meets === null) return "n/a";
  const word = (m: boolean | null) => (m === null ? "—" : m ? "met" : "missed");
  return `${word(meets.wall)} by wall clock, ${word(meets.cpu)} by CPU time`;
}

function summaryTable(summaries: Readonly<Partial<Record<ModelName, Summary>>>): string {
  const bestText = (b: Best | null) =>
    b === null
      ? "none"
      : `${b.reduction_pct.toFixed(1)}% at ${b.slowdown_pct.toFixed(1)}% (seq ${b.seq}, ${b.budget_ratio} ×)`;
  const maxText = (m: MaxSeq | undefined) =>
    m === undefined
      ? "—"
      : `${mib(m.budget_bytes)} MiB: ${m.unchunked_seq} → ${m.chunked_seq} (${m.ratio === null ? "—" : `${m.ratio.toFixed(2)} ×`})`;
  const lowestText = (l: LowestPeak) =>
    `${l.seq}: ${mib(l.bytes)} MiB (${l.ratio.toFixed(2)} ×) at ${l.at ?? "?"}`;
  const lines = [
    `| model | seqs | best reduction at ≤ ${TARGETS.slowdown_pct}% slowdown (wall clock) | … (CPU time) | lowest reachable peak | max seq, fixed budget | max seq, unchunked peak at the smallest size |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...Object.entries(summaries).map(([model, s]) => {
      const best = Object.entries(s.best_reduction_at_slowdown_le_10pct)
        .map(([backend, b]) => `${backend}: ${bestText(b)}`)
        .join("; ");
      const bestCpu = bestText(s.best_reduction_at_cpu_slowdown_le_10pct);
      const lowest = s.lowest_peak.map(lowestText).join("; ");
      return `| ${model} | ${s.seqs.join(", ")} | ${best} | ${bestCpu} | ${lowest} | ${s.max_seq.map(maxText).join(" | ")} |`;
    }),
    "",
    `Targets (paper): ≥ ${TARGETS.reduction_pct}% activation memory reduction at ≤ ${TARGETS.slowdown_pct}% slowdown on ${TARGETS.reduction_models.join(" and ")}; max sequence length ratio ≥ ${TARGETS.max_seq_ratio} × for every model (first budget column).`,
    ...Object.entries(summaries).map(
      ([model, s]) =>
        `- ${model}: reduction target ${verdict(s.meets_reduction_target)}; max-seq target ${s.meets_max_seq_target === null ? "n/a" : s.meets_max_seq_target ? "met" : "missed"}. ${s.note}.`,
    ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const specs = modelSpecs(opts.quick);
  const { runners, gpu } = await openRunners(opts.backend);
  log(`Backends: ${runners.map((r) => r.description).join("; ")}`);
  const costModel = await cachedCostTable();
  const fixedBudget = maxSeqBudgetBytes(opts.quick);
  const rows: Row[] = [];
  const torchRows: TorchRow[] = [];
  const summaries: Partial<Record<ModelName, Summary>> = {};
  const started = performance.now();
  const loadStart = os.loadavg();
  log(`Load average (1, 5, 15 min): ${loadStart.map((x) => x.toFixed(2)).join(", ")}`);
  const peer = opts.models.includes("gpt") ? startTorchPeer() : null;
  if (peer !== null && "missing" in peer) log(`No PyTorch peer: ${peer.missing}`);
  try {
    for (const name of opts.models) {
      const spec = { ...specs[name], sizes: opts.sizes[name] ?? specs[name].sizes };
      const seqs: number[] = [];
      const lowest: LowestPeak[] = [];
      const modelRows: Row[] = [];
      const modelTorchRows: TorchRow[] = [];
      let smallestPeak = 0;
      let flopsPerSecond = 0;
      for (const size of spec.sizes) {
        const model = spec.build(size);
        seqs.push(model.sequenceLength);
        const peak = estimateMemory(model.graph).peakBytes;
        if (smallestPeak === 0) smallestPeak = peak;
        const planned = await planBudgets(model.graph, peak, costModel);
        lowest.push(await lowestPeak(model, peak, costModel));
        for (const runner of runners) {
          log(`${name} ${spec.size} ${size} (seq ${model.sequenceLength}) on ${runner.name}…`);
          // PyTorch runs in the CPU executor's rounds, for the model it has a reference of.
          const torch =
            name === "gpt" && runner.name === "cpu" && peer !== null && !("missing" in peer)
              ? { peer, info: await peer.load(model, "gpt", opts.torchThreads), runs: [] }
              : null;
          const sizeRows = await benchmarkSize(
            spec,
            model,
            size,
            planned,
            runner,
            opts.repeats,
            torch,
          );
          for (const r of sizeRows) {
            if (r.outputs_match === false) {
              log(
                `MISMATCH: ${name} seq ${r.seq} budget ${r.budget_ratio} on ${r.backend}: chunked outputs differ from unchunked by ${r.max_abs_err_rel} × max|out| (tolerance ${TOLERANCE})`,
              );
              process.exitCode = 1;
            }
          }
          const executor = sizeRows[0]!;
          if (runner.name === "cpu") {
            flopsPerSecond = graphFlops(model.graph) / executor.time_unchunked_s;
          }
          if (torch !== null) {
            const t = timing(torch.runs.map((wall) => ({ wall, cpu: 0 })));
            const peakBytes = await torch.peer.peakBytes();
            modelTorchRows.push({
              model: name,
              backend: "torch-eager-cpu",
              seq: model.sequenceLength,
              threads: torch.info.threads,
              torch: torch.info.torch,
              time_s: t.wall,
              spread_s: [t.wall_min, t.wall_max],
              runs_s: torch.runs,
              peak_bytes: peakBytes,
              executor_backend: runner.name,
              executor_time_s: executor.time_unchunked_s,
              executor_peak_bytes: executor.peak_unchunked_bytes,
              executor_time_ratio_vs_torch: executor.time_unchunked_s / t.wall,
              executor_peak_ratio_vs_torch: executor.peak_unchunked_bytes / peakBytes,
              load_1min: executor.load_1min,
            });
          }
          modelRows.push(...sizeRows);
        }
      }
      log(`${name}: max sequence length…`);
      const maxSeqs: MaxSeq[] = [];
      const budgets = [
        { name: `${mib(fixedBudget)} MiB`, bytes: fixedBudget },
        { name: `unchunked peak at ${spec.sizes[0]}`, bytes: smallestPeak },
      ];
      for (const budget of budgets) {
        maxSeqs.push(await maxSeq(spec, budget, costModel, runners[0]!, flopsPerSecond));
      }
      let speed: ExecutorSpeed[] | null = null;
      if (modelTorchRows.length > 0) {
        log(`${name}: executor against PyTorch (executor-speed.ts)…`);
        speed = await measureExecutorSpeed({
          tokens: spec.sizes,
          threads: opts.torchThreads,
          runs: opts.repeats,
          log,
        });
      }
      rows.push(...modelRows);
      torchRows.push(...modelTorchRows);
      summaries[name] = summarize(
        spec,
        seqs,
        lowest,
        modelRows,
        speed,
        maxSeqs,
        runners.map((r) => r.name),
      );
      log(`${name} done after ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    if (gpu?.kind === "webgpu") gpu.device.destroy();
    if (peer !== null && !("missing" in peer)) peer.close();
  }
  const cpus = os.cpus();
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const report = {
    // The commit, and whether tracked files differed from it (the executor may be mid-change).
    source: {
      commit: git("rev-parse", "HEAD").trim(),
      modified: git("status", "--porcelain", "--untracked-files=no").trim() !== "",
    },
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0]?.model ?? "unknown",
      vector_extensions: vectorExtensions(),
      node: process.version,
      platform: `${process.platform} ${os.release()} ${process.arch}`,
      load_average: { start: loadStart, end: os.loadavg() },
      // Which build of the CPU kernels ran: relaxed SIMD (fused multiply-add) or SIMD128.
      wasm_build: kernelBuild(),
    },
    date: new Date().toISOString(),
    backends: runners.map((r) => ({ name: r.name, description: r.description })),
    quick: opts.quick,
    repeats: opts.repeats,
    budget_ratios: BUDGET_RATIOS,
    tolerance: TOLERANCE,
    targets: TARGETS,
    cost_model: {
      backend: costModel.backend,
      iteration_s: costModel.iterationSeconds,
      dispatch_s: costModel.dispatchSeconds,
    },
    wall_s: (performance.now() - started) / 1000,
    torch_peer:
      peer === null ? "not run (no GPT)" : "missing" in peer ? `not run: ${peer.missing}` : "ran",
    torch_rows: torchRows,
    rows,
    summary: summaries,
  };
  mkdirSync(path.dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, JSON.stringify(report, null, 2) + "\n");
  const load = [loadStart, os.loadavg()].map((l) => l[0]!.toFixed(2));
  process.stdout.write(
    `${runners.map((r) => r.description).join("; ")}; ${report.machine.cpu_model} × ${cpus.length}, Node ${process.version}; load average ${load[0]} at start, ${load[1]} at end; ${report.wall_s.toFixed(0)} s\n\n` +
      `${rowsTable(rows, torchRows)}\n\n${summaryTable(summaries)}\n\nJSON: ${path.relative(process.cwd(), opts.json)}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
