import type { ChunkedGraph } from "./codegen/chunk-graph.js";
import { chunkGraph } from "./codegen/chunk-graph.js";
import { formatPseudocode } from "./codegen/pseudocode.js";
import type { MemoryEstimate, NodeMemory } from "./estimate/estimate.js";
import { cachedEstimate } from "./estimate/cached.js";
import { estimateMemory } from "./estimate/estimate.js";
import type { Backend } from "../device/backend.js";
import type { ExecuteOptions, ExecuteResult, Feeds } from "./executor/execute.js";
import { execute } from "./executor/execute.js";
import { executeWebGpu } from "./executor/webgpu/execute.js";
import type { Tensor } from "./executor/tensor.js";
import { tensor } from "./executor/tensor.js";
import { typedArray } from "./ir/dtype.js";
import type { Graph } from "./ir/graph.js";
import type { Op } from "./ir/op.js";
import type { ExecutorKind } from "./ops/rule.js";
import { numel } from "./ir/shape.js";
import { validate } from "./ir/validate.js";
import { seededRandom } from "../common/random.js";
import { reschedule } from "./rewrite/reschedule.js";
import { shareCopies } from "./rewrite/share.js";
import { searchContext } from "./search/context.js";
import type { SearchOutcome, SearchStage } from "./search/search.js";
import { searchRegions } from "./search/search.js";
import type { Span } from "./search/window.js";
import { cachedCostTable } from "./select/calibrate.js";
import type { CostTable } from "./select/cost-table.js";
import { graphSeconds } from "./select/cost-table.js";
import type { RegionChoice } from "./select/select.js";
import { choose, chunkSizeFor } from "./select/select.js";
import { regionMemory } from "./select/region-memory.js";

/** Options of plan.run(). */
export interface PlanRunOptions extends ExecuteOptions {
  /** Where to run: default the backend the plan was made for (AutochunkOptions.backend). */
  readonly backend?: Backend;
}

/** Runs `graph` on `backend`'s executor (the CPU executor when none is given). */
function runOn(
  backend: Backend | undefined,
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  return backend?.kind === "webgpu"
    ? executeWebGpu(backend, graph, inputs, options)
    : execute(graph, inputs, options);
}

/** Options of autochunk(). */
export interface AutochunkOptions {
  /**
   * Most activation bytes the chunked program may hold at once (graph inputs and parameters are
   * not counted, as in the reference and the executor's memory record).
   */
  readonly budget: number;
  /** The speed model; default: measured on the CPU executor once per process. */
  readonly costModel?: CostTable;
  /** Checked between search stages. */
  readonly signal?: AbortSignal;
  /**
   * The backend the plan is for (selectBackend() picks WebGPU where present): its kernels'
   * workspaces go into the predicted peaks, and plan.run runs there. Default: the CPU executor.
   */
  readonly backend?: Backend;
}

/** The budget cannot be met: `minimumBytes` is the lowest peak the search reaches. */
export class BudgetError extends RangeError {
  readonly budget: number;
  readonly minimumBytes: number;

  constructor(budget: number, minimumBytes: number, where: string) {
    super(
      `autochunk: no chunking fits the budget of ${budget} bytes (${mib(budget)}); the lowest ` +
        `peak the search reaches is ${minimumBytes} bytes (${mib(minimumBytes)}), at ${where}. ` +
        `Pass a budget ≥ ${minimumBytes}.`,
    );
    this.name = "BudgetError";
    this.budget = budget;
    this.minimumBytes = minimumBytes;
  }
}

/** A value crossing a region's boundary, and the dim it is sliced along (null: whole). */
export interface PlanValue {
  readonly node: number;
  readonly name: string;
  readonly dim: number | null;
}

/** One chunked region of a plan; node ids are the original graph's. */
export interface PlanRegion {
  /** Its chunk_loop's name in the chunked program (chunk0, chunk1, … in program order). */
  readonly loop: string;
  readonly start: number;
  readonly end: number;
  readonly startName: string;
  readonly endName: string;
  /** The chunk dim of the end node (the dim the loop's main output is written along). */
  readonly dim: number;
  /** Per node of [start, end] (index id − start): its chunk dim, or null when computed whole. */
  readonly dims: readonly (number | null)[];
  /** Extent of the chunk dim, indices per iteration, and iterations. */
  readonly length: number;
  readonly chunkSize: number;
  readonly iterations: number;
  /** Nodes run once per chunk, and nodes emitted whole before the loop. */
  readonly body: readonly number[];
  readonly hoisted: readonly number[];
  readonly inputs: readonly PlanValue[];
  readonly outputs: readonly PlanValue[];
  /** Predicted peak over the region's nodes, unchunked and chunked. */
  readonly peakBytes: { readonly before: number; readonly after: number };
  /** Predicted seconds of the region, unchunked and chunked (from the cost model). */
  readonly seconds: { readonly before: number; readonly after: number };
}

/** Predicted memory of one original node, before and after chunking. */
export interface PlanNodeMemory {
  readonly node: number;
  readonly name: string;
  readonly op: Op;
  /** Index into `plan.regions` of the region it belongs to, or null. */
  readonly region: number | null;
  /** The most bytes live while it runs (in a loop body: during one iteration). */
  readonly beforeBytes: number;
  readonly afterBytes: number;
}

/** A timed step of the pipeline. */
export interface PlanStep {
  readonly name: string;
  readonly ms: number;
}

/**
 * A chunking plan: plain data (regions, per-node memory, the chunked graph) plus `run` and
 * `toString`.
 */
export interface Plan {
  readonly budget: number;
  /** The executor the predictions are for, and where run() runs unless told otherwise. */
  readonly executor: ExecutorKind;
  /**
   * The program the regions index: the graph given, or when `rewrites` is not empty that graph
   * recomputed and reordered (same values; see rewrite/reschedule.ts).
   */
  readonly graph: Graph;
  /** What was rewritten before chunking, in order; empty when the graph was chunked as given. */
  readonly rewrites: readonly string[];
  /** The chunked program, in the same IR (validated); the same executor runs it. */
  readonly chunked: Graph;
  readonly regions: readonly PlanRegion[];
  /** Predicted activation peak of the graph and of the chunked program (what `run` measures). */
  readonly peakBytes: { readonly before: number; readonly after: number };
  /** Per node of `graph`, in order. */
  readonly nodes: readonly PlanNodeMemory[];
  /** Predicted seconds of the whole program, unchunked and chunked. */
  readonly seconds: { readonly before: number; readonly after: number };
  readonly costModel: CostTable;
  /** The search stages: each peak attacked, its candidates, the region chosen. */
  readonly stages: readonly SearchStage[];
  /** Pipeline steps with their times; `searchMs` is their sum, calibration excluded. */
  readonly steps: readonly PlanStep[];
  readonly searchMs: number;
  /**
   * Runs the chunked program on the plan's backend (or `options.backend`); the result carries
   * the measured memory events and peak, and with `measureResident` the backend's own count.
   */
  run(inputs: Feeds, options?: PlanRunOptions): Promise<ExecuteResult>;
  /** The plan summary and the chunked program as pseudocode. */
  toString(): string;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

function checkBudget(budget: number, what: string): void {
  if (typeof budget !== "number" || !Number.isFinite(budget) || budget <= 0) {
    throw new RangeError(`${what}: budget must be a positive number of bytes, got ${budget}`);
  }
}

/** Per original node: its predicted peak in the chunked program. */
function afterBytes(
  graph: Graph,
  chunked: ChunkedGraph,
  after: MemoryEstimate,
  choices: readonly RegionChoice[],
): number[] {
  const bytes = graph.nodes.map((node) => {
    const value = chunked.values[node.id];
    return value === undefined ? 0 : after.nodes[value.id]!.peakBytes;
  });
  choices.forEach((choice, k) => {
    const loop: NodeMemory = after.nodes[chunked.loops[k]!.id]!;
    const { body, tail } = loop.loop!;
    const slices = loop.workspaceBytes - Math.max(body.peakBytes, tail?.peakBytes ?? 0);
    const around = loop.beforeBytes + loop.outputBytes + slices;
    const first = choice.trace.inputs.length;
    choice.trace.body.forEach((id, b) => {
      const inBody = body.nodes[first + b]!.peakBytes;
      bytes[id] = around + Math.max(inBody, tail?.nodes[first + b]!.peakBytes ?? 0);
    });
  });
  return bytes;
}

function planRegion(
  graph: Graph,
  choice: RegionChoice,
  loop: string,
  before: MemoryEstimate,
  after: readonly number[],
): PlanRegion {
  const { trace, chunkSize, seconds } = choice;
  const value = ({ node, dim }: { node: number; dim: number | null }): PlanValue => ({
    node,
    name: graph.nodes[node]!.name,
    dim,
  });
  const span = (values: readonly number[]) => Math.max(...values.slice(trace.start, trace.end + 1));
  return {
    loop,
    start: trace.start,
    end: trace.end,
    startName: graph.nodes[trace.start]!.name,
    endName: graph.nodes[trace.end]!.name,
    dim: trace.endDim,
    dims: trace.dims,
    length: trace.length,
    chunkSize,
    iterations: Math.ceil(trace.length / chunkSize),
    body: trace.body,
    hoisted: trace.hoisted,
    inputs: trace.inputs.map(value),
    outputs: trace.outputs.map(value),
    peakBytes: { before: span(before.nodes.map((m) => m.peakBytes)), after: span(after) },
    seconds: { before: seconds.unchunked, after: seconds.chunked },
  };
}

function describePlan(plan: Omit<Plan, "run" | "toString">): string {
  const ratio = plan.seconds.after / plan.seconds.before;
  const lines = [
    `# autochunk: budget ${mib(plan.budget)}; predicted peak ${mib(plan.peakBytes.before)} → ` +
      `${mib(plan.peakBytes.after)}; predicted time ×${ratio.toFixed(3)}; ` +
      `${plan.regions.length} region(s); search ${plan.searchMs.toFixed(0)} ms`,
    ...plan.regions.map(
      (r) =>
        `# ${r.loop}: "${r.startName}" … "${r.endName}" (${r.body.length} nodes per chunk, ` +
        `${r.hoisted.length} before the loop), ${r.length} in chunks of ${r.chunkSize}; ` +
        `peak ${mib(r.peakBytes.before)} → ${mib(r.peakBytes.after)}`,
    ),
    ...plan.rewrites.map((r) => `# rewritten first: ${r}`),
  ];
  return `${lines.join("\n")}\n${formatPseudocode(plan.chunked, "chunked")}`;
}

/**
 * The fallback when the budget search gets stuck: the regions that reach the lowest peak (the
 * reference's min_memory), each resized to its largest chunk size within `budget`; a
 * BudgetError naming that lowest peak when even it is over the budget.
 */
async function fitLowestPeak(
  graph: Graph,
  before: MemoryEstimate,
  search: { budget: number; table: CostTable; signal: AbortSignal | undefined },
): Promise<Pick<SearchOutcome, "choices" | "stages">> {
  const least = await searchRegions(graph, before, { ...search, mode: "minimum" });
  if (least.peakBytes > search.budget) {
    const node = graph.nodes[least.peakNode]!;
    throw new BudgetError(search.budget, least.peakBytes, `${node.op} "${node.name}"`);
  }
  const ctx = searchContext(graph);
  const choices = least.choices.map((c) =>
    choose(ctx, c, chunkSizeFor(c, search.budget), search.table),
  );
  return { choices, stages: least.stages };
}

/**
 * The plan on `program` with recomputed copies shared again where it chunks their readers
 * alike and the budget still holds (shareCopies): the program, its estimate, the regions
 * traced on it with their predicted peaks and times, and the stages' node ids mapped onto it.
 */
function shareAlike(
  program: Graph,
  planned: Pick<SearchOutcome, "choices" | "stages">,
  search: { budget: number; table: CostTable },
  executor: ExecutorKind,
): {
  final: Graph;
  finalBase: MemoryEstimate;
  choices: readonly RegionChoice[];
  stages: readonly SearchStage[];
  shared: number;
} {
  const sharedCopies = shareCopies(
    program,
    planned.choices,
    (g, cs) => estimateMemory(chunkGraph(g, cs).graph, executor).peakBytes <= search.budget,
  );
  const { graph: final, newId, shared } = sharedCopies;
  const finalBase = cachedEstimate(final, executor);
  if (shared === 0) return { final, finalBase, ...planned, shared };
  const ctx = searchContext(final);
  const choices = sharedCopies.choices.map(({ trace, chunkSize }) =>
    choose(ctx, { trace, memory: regionMemory(ctx, finalBase, trace) }, chunkSize, search.table),
  );
  const id = (old: number) => newId[old]!;
  const span = (s: Span): Span => ({ start: id(s.start), end: id(s.end) });
  const stages = planned.stages.map((s) => ({
    ...s,
    peakNode: id(s.peakNode),
    peakRegion: span(s.peakRegion),
    maxRegion: span(s.maxRegion),
    rejected: s.rejected.map((r) => ({ ...r, node: id(r.node) })),
  }));
  return { final, finalBase, choices, stages, shared };
}

/**
 * Finds where to chunk `graph` so that its predicted activation peak fits `budget`, and
 * returns the plan with the chunked program (the pipeline of autochunk.md §1–§4, as named
 * steps): estimate memory, search regions stage by stage around the peak (choosing each by a
 * measured speed cost), fall back to the lowest reachable peak if that search gets stuck, emit
 * chunk loops, and estimate the result. Throws a BudgetError naming the lowest reachable peak
 * when no chunking fits.
 *
 * @example
 * const plan = await autochunk(graph, { budget: 64 * 2 ** 20, backend: await selectBackend() });
 * const { outputs, peakBytes } = await plan.run(inputs);
 * console.log(String(plan));
 */
export async function autochunk(graph: Graph, options: AutochunkOptions): Promise<Plan> {
  const { budget, signal, backend } = options;
  const executor = backend?.kind ?? "cpu";
  checkBudget(budget, "autochunk");
  const steps: PlanStep[] = [];
  const step = async <T>(name: string, run: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await run();
    steps.push({ name, ms: performance.now() - start });
    return result;
  };
  const costModel = options.costModel ?? (await cachedCostTable());
  await step("validate", () => validate(graph));
  const before = await step("estimate", () => cachedEstimate(graph, executor));
  const search = { budget, table: costModel, signal };
  const found = await step("search", () =>
    searchRegions(graph, before, { ...search, mode: "budget" }),
  );
  // When no region set fits as the graph is written, a rewritten order may (reschedule.ts):
  // the plan is then made on that program, with the same values.
  const { program, base, rewrites } =
    found.peakBytes <= budget
      ? { program: graph, base: before, rewrites: [] as readonly string[] }
      : await step("reschedule", async () => {
          const re = await reschedule(graph, { executor, table: costModel, signal });
          if (re.lowestPeakBytes > budget) {
            throw new BudgetError(budget, re.lowestPeakBytes, re.lowestPeakAt);
          }
          return {
            program: re.graph,
            base: cachedEstimate(re.graph, executor),
            rewrites: re.rewrites,
          };
        });
  const again =
    program === graph
      ? found
      : await step("search rescheduled", () =>
          searchRegions(program, base, { ...search, mode: "budget" }),
        );
  const planned =
    again.peakBytes <= budget
      ? again
      : await step("lowest peak", () => fitLowestPeak(program, base, search));
  // Recomputed copies the plan does not chunk apart are shared again (rewrite/share.ts).
  const { final, finalBase, choices, stages, shared } =
    program === graph
      ? { final: program, finalBase: base, ...planned, shared: 0 }
      : await step("share copies", () => shareAlike(program, planned, search, executor));
  const allRewrites =
    shared === 0
      ? rewrites
      : [...rewrites, `share: ${shared} copies again, whose readers the plan chunks alike`];
  const chunked = await step("codegen", () => chunkGraph(final, choices));
  const after = await step("estimate chunked", () => estimateMemory(chunked.graph, executor));
  if (after.peakBytes > budget) {
    throw new Error(
      `autochunk: internal error: the chunked program's estimated peak ${after.peakBytes} exceeds the budget ${budget} its regions were sized for`,
    );
  }
  const order = choices
    .map((_, k) => k)
    .sort((a, b) => choices[a]!.trace.start - choices[b]!.trace.start);
  const nodeAfter = afterBytes(final, chunked, after, choices);
  const regions = order.map((k) =>
    planRegion(final, choices[k]!, chunked.loops[k]!.name, finalBase, nodeAfter),
  );
  const regionOf = final.nodes.map(() => null as number | null);
  regions.forEach((r, k) => regionOf.fill(k, r.start, r.end + 1));
  const data: Omit<Plan, "run" | "toString"> = {
    budget,
    executor,
    graph: final,
    rewrites: allRewrites,
    chunked: chunked.graph,
    regions,
    peakBytes: { before: before.peakBytes, after: after.peakBytes },
    nodes: final.nodes.map((node) => ({
      node: node.id,
      name: node.name,
      op: node.op,
      region: regionOf[node.id] ?? null,
      beforeBytes: finalBase.nodes[node.id]!.peakBytes,
      afterBytes: nodeAfter[node.id]!,
    })),
    seconds: {
      before: graphSeconds(graph, costModel),
      after: graphSeconds(chunked.graph, costModel),
    },
    costModel,
    stages,
    steps,
    searchMs: steps.reduce((sum, s) => sum + s.ms, 0),
  };
  return {
    ...data,
    run: (inputs, runOptions = {}) =>
      runOn(runOptions.backend ?? backend, data.chunked, inputs, runOptions),
    toString: () => describePlan(data),
  };
}

/** Options of lowestPeak(). */
export interface LowestPeakOptions {
  /** The speed model; default: measured on the CPU executor once per process. */
  readonly costModel?: CostTable;
  /** The backend whose workspaces count (as AutochunkOptions.backend); default the CPU. */
  readonly backend?: Backend;
  readonly signal?: AbortSignal;
}

/**
 * The lowest activation peak any chunking of `graph` reaches (the search's minimum mode, the
 * reference's min_memory): autochunk raises a BudgetError for a budget below it. The search
 * reuses the candidates cached for the graph, so asking again is cheap.
 *
 * @example
 * const floor = await lowestPeak(gptPrefill({ seq: 2048 }).graph); // bytes
 */
export async function lowestPeak(graph: Graph, options: LowestPeakOptions = {}): Promise<number> {
  validate(graph);
  const table = options.costModel ?? (await cachedCostTable());
  const executor = options.backend?.kind ?? "cpu";
  return (await reschedule(graph, { executor, table, signal: options.signal })).lowestPeakBytes;
}

/** Options of maxSequenceLength(). */
export interface MaxSequenceOptions {
  /** Search the chunked program (autochunk at each length) or the graph as built. */
  readonly chunked: boolean;
  /** Lengths tried are multiples of `step` (default 1). */
  readonly step?: number;
  /** The longest length tried (default 2^20). */
  readonly limit?: number;
  /** Run the program at the length found (random inputs; i32 inputs are zeros) and measure. */
  readonly verify?: boolean;
  /** The backend to plan for and verify on (as AutochunkOptions.backend); default the CPU. */
  readonly backend?: Backend;
  readonly costModel?: CostTable;
  readonly signal?: AbortSignal;
}

/** What maxSequenceLength found. */
export interface MaxSequenceResult {
  /** The longest length that fits (0: not even `step` fits). */
  readonly length: number;
  /** Predicted peak at that length (of the chunked program when chunked). */
  readonly peakBytes: number;
  /** The plan at that length when chunked. */
  readonly plan: Plan | null;
  /** The measured peak of the verifying run, or null when not verified. */
  readonly measuredPeakBytes: number | null;
  /** Every length probed, in order, with whether it fit. */
  readonly probes: readonly { readonly length: number; readonly fits: boolean }[];
}

function randomFeeds(graph: Graph): Tensor[] {
  const rand = seededRandom(1);
  return graph.inputs.map((id) => {
    const node = graph.nodes[id]!;
    const data = typedArray(node.dtype, numel(node.shape));
    if (node.dtype === "f32") for (let i = 0; i < data.length; i++) data[i] = rand() - 0.5;
    return tensor(node.shape, data);
  });
}

/**
 * The longest sequence length whose predicted activation peak fits `budget`, chunked (with
 * autochunk) or not: exponential search (step, 2·step, 4·step, …) then binary search between
 * the last length that fits and the first that does not. The memory prediction is what the
 * executors measure, so nothing runs unless `verify` asks for one run at the length found.
 *
 * @example
 * const plain = await maxSequenceLength((seq) => gptPrefill({ seq }).graph, 2 ** 30, { chunked: false });
 * const chunked = await maxSequenceLength((seq) => gptPrefill({ seq }).graph, 2 ** 30, { chunked: true });
 * chunked.length / plain.length; // the gain from chunking
 */
export async function maxSequenceLength(
  modelFactory: (seq: number) => Graph,
  budget: number,
  options: MaxSequenceOptions,
): Promise<MaxSequenceResult> {
  checkBudget(budget, "maxSequenceLength");
  const step = options.step ?? 1;
  const limit = options.limit ?? 2 ** 20;
  if (!Number.isInteger(step) || step < 1 || !Number.isInteger(limit) || limit < step) {
    throw new RangeError(
      `maxSequenceLength: step must be an integer ≥ 1 and limit an integer ≥ step, got step ${step}, limit ${limit}`,
    );
  }
  const costModel = options.chunked ? (options.costModel ?? (await cachedCostTable())) : undefined;
  const probes: { length: number; fits: boolean }[] = [];
  const fitted = new Map<number, { peakBytes: number; plan: Plan | null }>();
  const fits = async (length: number): Promise<boolean> => {
    options.signal?.throwIfAborted();
    const graph = modelFactory(length);
    let result: { peakBytes: number; plan: Plan | null } | null = null;
    if (costModel === undefined) {
      const peakBytes = estimateMemory(graph, options.backend?.kind).peakBytes;
      if (peakBytes <= budget) result = { peakBytes, plan: null };
    } else {
      try {
        const { signal, backend } = options;
        const plan = await autochunk(graph, { budget, costModel, signal, backend });
        result = { peakBytes: plan.peakBytes.after, plan };
      } catch (e) {
        if (!(e instanceof BudgetError)) throw e;
      }
    }
    probes.push({ length, fits: result !== null });
    if (result !== null) fitted.set(length, result);
    return result !== null;
  };
  let good = 0;
  let bad = Math.floor(limit / step) + 1;
  for (let k = 1; k <= Math.floor(limit / step); k *= 2) {
    if (!(await fits(k * step))) {
      bad = k;
      break;
    }
    good = k;
  }
  if (good > 0) {
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      if (await fits(mid * step)) good = mid;
      else bad = mid;
    }
  }
  const length = good * step;
  const best = fitted.get(length) ?? { peakBytes: 0, plan: null };
  let measuredPeakBytes: number | null = null;
  if (options.verify === true && length > 0) {
    const graph = best.plan?.chunked ?? modelFactory(length);
    const run = await runOn(options.backend, graph, randomFeeds(graph), {
      signal: options.signal,
    });
    measuredPeakBytes = run.peakBytes;
  }
  return { length, peakBytes: best.peakBytes, plan: best.plan, measuredPeakBytes, probes };
}
