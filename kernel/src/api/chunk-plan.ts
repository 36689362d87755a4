/**
 * AutoChunk plans in notebooks: `chunkPlanView(plan)` displays a plan as the chunk-plan widget
 * (application/vnd.tessera.chunk-plan.v1+json) with a static SVG and text beside it, and lets
 * the widget's budget slider re-plan in this kernel (the live method `plan`).
 */
import { autochunk as ac } from "@tessera/gpu";
import {
  chunkPlanSvg,
  formatBytes,
  MIME_CHUNK_PLAN,
  pack,
  validateChunkPlan,
  type ChunkPlanPayload,
  type ChunkPlanReply,
} from "@tessera/viz";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";
import { liveWidget } from "./live.js";
import { memoryTimeline, type MemoryEventSource } from "./memory-timeline.js";

export interface ChunkPlanViewOptions {
  title?: string;
  /** Let the widget re-plan at other budgets through this kernel (default true). */
  live?: boolean;
  /**
   * Measured runs of the program to draw under the plan, linked to its nodes, by name:
   * `{ unchunked: plain.memory, chunked: chunked.memory }` (runs named so get the plan's
   * per-node prediction drawn with them).
   */
  timelines?: Readonly<Record<string, MemoryEventSource>>;
  /**
   * The model the plan was made for (`autochunk.gptPrefill(…)` and the others): when given and
   * `timelines` is not, the view runs the program and the chunked program once on the CPU
   * executor with `model.makeInputs()` and shows their measured timelines.
   */
  model?: { makeInputs(): Record<string, ac.Tensor> };
}

/** A displayable plan; `plan` is the latest one (the slider's, once it moved). */
export interface ChunkPlanView extends Displayable {
  readonly plan: ac.Plan;
  readonly payload: ChunkPlanPayload;
  /** Stops answering the widget (it then says its live controls need the kernel). */
  dispose(): void;
}

// The lowest reachable peak of each graph: budget-independent, so searched once per graph.
const minimums = new WeakMap<ac.Graph, Promise<number>>();

/**
 * The lowest activation peak any chunking of `graph` reaches (autochunk's "minimum" search,
 * chunk size 1 everywhere): a budget below it raises BudgetError.
 *
 * @example
 * await lowestPeak(plan.graph, plan.costModel); // e.g. 15830016
 */
export function lowestPeak(graph: ac.Graph, table: ac.CostTable): Promise<number> {
  let found = minimums.get(graph);
  if (found === undefined) {
    found = ac.lowestPeak(graph, { costModel: table });
    minimums.set(graph, found);
  }
  return found;
}

/**
 * Shows an AutoChunk plan: the program as a layered graph coloured by predicted memory, its
 * chunked regions, the memory strip before and after chunking with the budget, and the
 * chunked program as pseudocode linked to the graph. Its budget slider re-plans in the kernel
 * (the cost model and the budget-independent search results are reused, so a re-plan takes
 * milliseconds); an impossible budget shows the lowest reachable one. With measured runs
 * (`timelines`, or `model` to run them here) their memory timelines come under the plan,
 * linked to its nodes.
 *
 * @example
 * const plan = await autochunk.autochunk(model.graph, { budget });
 * await chunkPlanView(plan, { title: "GPT prefill", model })
 */
export async function chunkPlanView(
  plan: ac.Plan,
  options: ChunkPlanViewOptions = {},
): Promise<ChunkPlanView> {
  if (typeof plan !== "object" || plan === null || !("regions" in plan) || !("graph" in plan)) {
    throw new TypeError(
      "chunkPlanView() takes a plan from autochunk.autochunk(graph, { budget }).",
    );
  }
  const minimumBytes = await lowestPeak(plan.graph, plan.costModel);
  const title = options.title;
  const runs =
    options.timelines ?? (options.model ? await measuredRuns(plan, options.model) : undefined);
  let latest = plan;
  // Re-plans may finish out of order (each yields while it searches); the view's plan is the
  // one of the latest request that succeeded, as the widget shows the latest reply.
  let asked = 0;
  let shown = 0;
  const live =
    options.live === false
      ? undefined
      : liveWidget({
          plan: async (params) => {
            const order = ++asked;
            const reply = await replan(plan, Number(params["budget"]), minimumBytes, title);
            if (reply.reply.ok && order > shown) [latest, shown] = [reply.plan!, order];
            return { result: { ...reply.reply } };
          },
        });
  const payload: ChunkPlanPayload = {
    ...chunkPlanPayload(plan, { title, minimumBytes }),
    ...(runs ? { timelines: planTimelines(plan, runs) } : {}),
    ...(live ? { live: live.ref } : {}),
  };
  checked(payload);
  return {
    get plan() {
      return latest;
    },
    payload,
    dispose: () => live?.dispose(),
    [JUPYTER_DISPLAY]: (): MimeBundle => ({
      [MIME_CHUNK_PLAN]: payload,
      "image/svg+xml": chunkPlanSvg(payload),
      "text/plain": chunkPlanText(plan),
    }),
  };
}

/** The program and the chunked program run once on the model's inputs, with their memory records. */
async function measuredRuns(
  plan: ac.Plan,
  model: NonNullable<ChunkPlanViewOptions["model"]>,
): Promise<Record<string, MemoryEventSource>> {
  if (typeof model?.makeInputs !== "function") {
    throw new TypeError(
      "chunkPlanView(plan, { model }): model must be the model the plan was made for, e.g. autochunk.gptPrefill({ seq: 512 }).",
    );
  }
  const inputs = model.makeInputs();
  const unchunked = await ac.execute(plan.graph, inputs);
  const chunked = await plan.run(inputs);
  return { unchunked: unchunked.memory, chunked: chunked.memory };
}

/** The runs as one v2 timeline payload: the budget line, and the plan's prediction per node. */
function planTimelines(plan: ac.Plan, runs: Readonly<Record<string, MemoryEventSource>>) {
  const curves: Record<string, { node: string; bytes: number }[]> = {};
  if ("unchunked" in runs) {
    curves["unchunked"] = plan.nodes.map((n) => ({ node: n.name, bytes: n.beforeBytes }));
  }
  if ("chunked" in runs) {
    curves["chunked"] = plan.nodes.map((n) => ({ node: n.name, bytes: n.afterBytes }));
  }
  return memoryTimeline(runs, { budgetBytes: plan.budget, predicted: curves }).payload;
}

async function replan(
  current: ac.Plan,
  budget: number,
  minimumBytes: number,
  title: string | undefined,
): Promise<{ reply: ChunkPlanReply; plan?: ac.Plan }> {
  if (!Number.isFinite(budget) || budget <= 0) {
    throw new RangeError(`plan: budget must be a positive number of bytes, got ${budget}`);
  }
  try {
    const plan = await ac.autochunk(current.graph, { budget, costModel: current.costModel });
    const payload = checked(chunkPlanPayload(plan, { title, minimumBytes }));
    return { reply: { ok: true, payload }, plan };
  } catch (e) {
    if (!(e instanceof ac.BudgetError)) throw e;
    return {
      reply: {
        ok: false,
        budgetBytes: budget,
        minimumBytes: e.minimumBytes,
        message: `No chunking fits ${formatBytes(budget)}: the lowest peak reachable is ${formatBytes(e.minimumBytes)}.`,
      },
    };
  }
}

function checked(payload: ChunkPlanPayload): ChunkPlanPayload {
  const r = validateChunkPlan(payload);
  if (!r.ok) {
    throw new Error(
      `chunkPlanView: internal error: the payload breaks its contract:\n  ${r.errors.join("\n  ")}`,
    );
  }
  return payload;
}

/**
 * The plan as the widget's payload (without the live reference): the graph's activations
 * (parameters are left out; they are not part of the budget), each with its predicted memory
 * before and after chunking, its region, its pseudocode line and why it is or is not chunked.
 * Pure data; per-node numbers and edges travel packed.
 *
 * @example
 * const payload = chunkPlanPayload(plan, { title: "GPT prefill" });
 * payload.nodes.name.length; // activations only
 */
export function chunkPlanPayload(
  plan: ac.Plan,
  options: { title?: string; minimumBytes?: number } = {},
): ChunkPlanPayload {
  const { graph } = plan;
  const shown = graph.nodes.filter((node) => node.op !== "param");
  const index = new Int32Array(graph.nodes.length).fill(-1);
  shown.forEach((node, i) => (index[node.id] = i));
  const edges: number[] = [];
  shown.forEach((node, i) => {
    for (const u of new Set(node.inputs)) if (index[u]! >= 0) edges.push(index[u]!, i);
  });
  const pseudocode = ac.formatPseudocode(plan.chunked, "chunked");
  const lines = pseudocodeLines(pseudocode);
  const memory = plan.nodes;
  const why = reasons(plan);
  const at = (id: number) => index[id]!;
  const peakOf = (bytes: (id: number) => number) => {
    let best = shown[0]?.id ?? 0;
    for (const node of shown) if (bytes(node.id) > bytes(best)) best = node.id;
    return at(best);
  };
  return {
    version: 1,
    ...(options.title === undefined ? {} : { title: options.title }),
    budgetBytes: plan.budget,
    ...(options.minimumBytes === undefined ? {} : { minimumBytes: options.minimumBytes }),
    peakBytes: { before: plan.peakBytes.before, after: plan.peakBytes.after },
    peakNode: {
      before: peakOf((id) => memory[id]!.beforeBytes),
      after: peakOf((id) => memory[id]!.afterBytes),
    },
    nodes: {
      name: shown.map((n) => n.name),
      op: shown.map((n) => n.op),
      type: shown.map((n) => ac.formatType(n)),
      reason: shown.map((n) => why[n.id]!),
      outputBytes: pack(
        "f32",
        Float32Array.from(shown, (n) =>
          ac.VIEW_OPS.has(n.op) || n.op === "input" ? 0 : ac.tensorBytes(n),
        ),
      ),
      beforeBytes: pack(
        "f32",
        Float32Array.from(shown, (n) => memory[n.id]!.beforeBytes),
      ),
      afterBytes: pack(
        "f32",
        Float32Array.from(shown, (n) => memory[n.id]!.afterBytes),
      ),
      region: pack(
        "u16",
        Uint16Array.from(shown, (n) => (memory[n.id]!.region ?? -1) + 1),
      ),
      line: pack(
        "u32",
        Uint32Array.from(shown, (n) => (n.op === "input" ? 1 : (lines.get(n.name) ?? 0))),
      ),
    },
    edges: pack("u32", Uint32Array.from(edges)),
    regions: plan.regions.map((r) => ({
      loop: r.loop,
      start: at(r.start),
      end: at(r.end),
      dim: r.dim,
      length: r.length,
      chunkSize: r.chunkSize,
      iterations: r.iterations,
      bodyNodes: r.body.length,
      hoistedNodes: r.hoisted.length,
      peakBytes: { ...r.peakBytes },
      seconds: { ...r.seconds },
    })),
    pseudocode,
  };
}

/**
 * Name → line (1-based) of the statement that computes it in the pseudocode: the first line
 * `name = …` (a loop body prints its nodes once, under their own names).
 *
 * @example
 * pseudocodeLines("def f(x):\n  y = relu(x)").get("y"); // 2
 */
export function pseudocodeLines(pseudocode: string): Map<string, number> {
  const lines = new Map<string, number>();
  pseudocode.split("\n").forEach((line, i) => {
    const m = /^\s*([^\s=[\]]+) = /.exec(line);
    if (m && !lines.has(m[1]!)) lines.set(m[1]!, i + 1);
  });
  return lines;
}

/**
 * Per original node: why it is, or is not, in a region, from what the search recorded: its
 * region and chunk dim; the legality rule it broke in the regions tried around a peak; or that
 * the search never needed it (its memory was within the budget).
 */
function reasons(plan: ac.Plan): string[] {
  const { graph } = plan;
  const rejected = new Map<number, string>();
  for (const stage of plan.stages) {
    for (const r of stage.rejected) if (!rejected.has(r.node)) rejected.set(r.node, r.reason);
  }
  return graph.nodes.map((node) => {
    const m = plan.nodes[node.id]!;
    if (node.op === "input") return "a graph input: not an activation, so not in the budget";
    if (m.region !== null) {
      const r = plan.regions[m.region]!;
      const dim = r.dims[node.id - r.start] ?? null;
      if (dim === null) {
        return `in ${r.loop}'s span, computed whole before the loop: it reads no chunked value`;
      }
      return (
        `in ${r.loop}: computed per chunk along its dim ${dim} (${r.chunkSize} of ${r.length} per ` +
        `iteration); every op from "${r.startName}" to "${r.endName}" passes the chunk dim through`
      );
    }
    const broke = rejected.get(node.id);
    if (broke !== undefined) return `not chunked: ${broke}`;
    const tried = plan.stages.find(
      (s) => s.maxRegion.start <= node.id && node.id <= s.maxRegion.end,
    );
    if (tried !== undefined) {
      const peak = graph.nodes[tried.peakNode]!.name;
      return tried.chosen === null
        ? `not chunked: no legal region around the peak at "${peak}" lowered it`
        : `not chunked: legal regions around the peak at "${peak}" were tried; the one chosen (lowest predicted time within the budget) does not cover it`;
    }
    return m.afterBytes <= plan.budget
      ? `not chunked: its predicted peak ${formatBytes(m.afterBytes)} is within the budget ${formatBytes(plan.budget)}, so the search never needed it`
      : `not chunked: the search stopped before reaching it`;
  });
}

function chunkPlanText(plan: ac.Plan): string {
  const lines = [
    `AutoChunk plan: predicted peak ${formatBytes(plan.peakBytes.before)} → ${formatBytes(plan.peakBytes.after)} (budget ${formatBytes(plan.budget)}), ${plan.regions.length} region(s)`,
    ...plan.regions.map(
      (r) =>
        `  ${r.loop}: "${r.startName}" … "${r.endName}", dim ${r.dim} of ${r.length} in chunks of ${r.chunkSize} (${r.iterations} iterations)`,
    ),
    ...plan.rewrites.map((r) => `  rewritten first: ${r}`),
  ];
  return lines.join("\n");
}
