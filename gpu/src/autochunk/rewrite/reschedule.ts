import { cachedEstimate } from "../estimate/cached.js";
import type { Graph } from "../ir/graph.js";
import { SOURCE_OPS } from "../ir/op.js";
import type { ExecutorKind } from "../ops/rule.js";
import { searchContext } from "../search/context.js";
import { searchRegions } from "../search/search.js";
import type { RegionTrace } from "../search/trace.js";
import { clearOfChange, inheritCandidates, stageSpans } from "../search/stage.js";
import type { CostTable } from "../select/cost-table.js";
import type { RegionChoice } from "../select/select.js";
import { prepose } from "./prepose.js";
import { recomputePerReader } from "./recompute.js";

/** A rewritten program and the lowest peak the search reaches on it. */
export interface Rescheduled {
  readonly graph: Graph;
  readonly lowestPeakBytes: number;
  /** Where that peak is: `op "name"` of the node. */
  readonly lowestPeakAt: string;
  /** What was done, in order, for the plan's description ("recompute …", "prepose …"). */
  readonly rewrites: readonly string[];
}

/** Options of reschedule(). */
export interface RescheduleOptions {
  readonly executor: ExecutorKind;
  readonly table: CostTable;
  /** Prepose rounds at most; each runs one minimum-mode search. Default 8. */
  readonly rounds?: number;
  readonly signal?: AbortSignal;
}

// Rounds in a row that only move the stuck peak to a later node at the same height: repeated
// blocks (a ViT's 24) would otherwise each take a round without lowering anything.
const MAX_LEVEL_ROUNDS = 2;
// Moves tried per round (each costs one minimum-mode search of the whole graph).
const MOVES_PER_ROUND = 2;

const cache: Record<ExecutorKind, WeakMap<Graph, Promise<Rescheduled>>> = {
  cpu: new WeakMap(),
  webgpu: new WeakMap(),
};

/**
 * The program order that lets chunking reach a lower peak than `graph` as written, found by
 * the stuck peak: recompute cheap shared producers per reader (recomputePerReader), then,
 * round by round, take the node where the lowest-peak search is stuck; among the legal regions
 * around it, take those that must emit work whole before their loop (a contraction operand they
 * cannot slice), the ones with the most such work; move that work as early as its inputs allow
 * (prepose) and score each order by the minimum-mode search. A round is kept when it lowers the
 * peak, or leaves it equal but stuck at a later node (a repeated block); otherwise the search
 * stops. The result is `graph` itself when no rewrite lowers its floor. Values are unchanged,
 * only the order and the recomputation. Cached per graph and executor.
 *
 * @example
 * const { graph: g2, lowestPeakBytes } = await reschedule(evoformerBlock({ nRes: 256 }).graph,
 *   { executor: "cpu", table: await cachedCostTable() });
 */
export function reschedule(graph: Graph, options: RescheduleOptions): Promise<Rescheduled> {
  let found = cache[options.executor].get(graph);
  if (found === undefined) {
    found = rescheduleUncached(graph, options);
    cache[options.executor].set(graph, found);
    found.catch(() => cache[options.executor].delete(graph));
  }
  return found;
}

/** The lowest peak the minimum-mode search reaches on a graph, and the node it is stuck at. */
interface Lowest {
  readonly graph: Graph;
  readonly peak: number;
  readonly node: number;
  readonly choices: readonly RegionChoice[];
}

/** `from`: regions of a graph that differs from `graph` only between their spans (kept). */
async function lowest(
  graph: Graph,
  options: RescheduleOptions,
  from?: readonly RegionChoice[],
): Promise<Lowest> {
  const base = cachedEstimate(graph, options.executor);
  const outcome = await searchRegions(graph, base, {
    mode: "minimum",
    budget: 0,
    table: options.table,
    signal: options.signal,
    from,
  });
  return { graph, peak: outcome.peakBytes, node: outcome.peakNode, choices: outcome.choices };
}

/**
 * The regions whose hoisted work differs, largest work first, at most MOVES_PER_ROUND: the
 * larger the work a region must do whole, the more moving it can lower (each try is a search).
 */
function largestHoists(graph: Graph, traces: readonly RegionTrace[]): RegionTrace[] {
  const byWork = new Map<string, { trace: RegionTrace; work: number }>();
  for (const trace of traces) {
    const work = trace.hoisted.filter((id) => !SOURCE_OPS.has(graph.nodes[id]!.op));
    const key = work.join(",");
    if (work.length > 0 && !byWork.has(key)) byWork.set(key, { trace, work: work.length });
  }
  return [...byWork.values()]
    .sort((a, b) => b.work - a.work)
    .slice(0, MOVES_PER_ROUND)
    .map((x) => x.trace);
}

async function rescheduleUncached(graph: Graph, options: RescheduleOptions): Promise<Rescheduled> {
  const rewrites: string[] = [];
  const recomputed = recomputePerReader(graph);
  if (recomputed !== graph) {
    const copies = recomputed.nodes.length - graph.nodes.length;
    rewrites.push(`recompute: ${copies} copies of shared layer norms, one per reader`);
  }
  let current = await lowest(recomputed, options);
  let level = 0;
  for (let round = 0; round < (options.rounds ?? 8); round++) {
    options.signal?.throwIfAborted();
    const g = current.graph;
    const stuck = g.nodes[current.node]!;
    const base = cachedEstimate(g, options.executor);
    const peaks = base.nodes.map((m) => m.peakBytes);
    const [span] = stageSpans(searchContext(g), base, peaks, stuck.id, [], "minimum", 0);
    let best: { graph: Graph; next: Lowest; moved: readonly number[] } | null = null;
    for (const trace of largestHoists(
      g,
      span!.candidates.map((c) => c.trace),
    )) {
      const moved = new Set(trace.hoisted);
      // As early as the moved nodes' inputs allow, so that they clear the whole block.
      const at =
        1 +
        Math.max(
          -1,
          ...trace.hoisted.flatMap((id) => g.nodes[id]!.inputs.filter((i) => !moved.has(i))),
        );
      const candidate = prepose(g, trace.hoisted, at);
      // Regions clear of the moved range are the same in both orders: the search keeps those it
      // chose and the candidates it modelled.
      const changed = { start: at, end: Math.max(...trace.hoisted) };
      inheritCandidates(g, base, cachedEstimate(candidate, options.executor), changed);
      const kept = current.choices.filter((c) =>
        clearOfChange(g, c.trace.start, c.trace.end, changed),
      );
      const scored = await lowest(candidate, options, kept);
      const better =
        best === null ||
        scored.peak < best.next.peak ||
        (scored.peak === best.next.peak && scored.node > best.next.node);
      const work = trace.hoisted.filter((id) => !SOURCE_OPS.has(g.nodes[id]!.op));
      if (better) best = { graph: candidate, next: scored, moved: work };
    }
    if (best === null) break;
    const next = best.next;
    // The same peak stuck further on: this block is solved and the next one, alike, is the
    // peak now (the two triangle multiplications).
    const later =
      next.peak === current.peak &&
      next.node > best.graph.nodes.findIndex((n) => n.name === stuck.name);
    if (!(next.peak < current.peak || (later && ++level <= MAX_LEVEL_ROUNDS))) break;
    if (next.peak < current.peak) level = 0;
    rewrites.push(
      `prepose: ${best.moved.length} nodes (${g.nodes[best.moved[0]!]!.name} …) before the region around "${stuck.name}"`,
    );
    current = next;
  }
  // Scored from kept regions; the floor reported is what a fresh search (autochunk's) reaches.
  const final = current.graph === recomputed ? current : await lowest(current.graph, options);
  const original = await lowest(graph, options);
  const kept = final.peak < original.peak ? final : original;
  const at = kept.graph.nodes[kept.node];
  return {
    graph: kept.graph,
    lowestPeakBytes: kept.peak,
    lowestPeakAt: at === undefined ? "no node" : `${at.op} "${at.name}"`,
    rewrites: kept === final ? rewrites : [],
  };
}
