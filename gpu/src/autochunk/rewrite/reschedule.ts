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
  /** Prepose rounds at most; each scores up to MOVES_PER_ROUND orders by a search. Default 8. */
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

/** A reordering tried in a round: the program, its lowest peak, and the work moved. */
interface Move {
  readonly next: Lowest;
  readonly moved: readonly number[];
}

/**
 * The regions whose hoisted work differs, largest work first, at most MOVES_PER_ROUND: the
 * larger the work a region must do whole, the more moving it can lower (each try is a search).
 */
function largestHoists(
  graph: Graph,
  traces: readonly RegionTrace[],
): { trace: RegionTrace; work: number[] }[] {
  const byWork = new Map<string, { trace: RegionTrace; work: number[] }>();
  for (const trace of traces) {
    const work = trace.hoisted.filter((id) => !SOURCE_OPS.has(graph.nodes[id]!.op));
    const key = work.join(",");
    if (work.length > 0 && !byWork.has(key)) byWork.set(key, { trace, work });
  }
  return [...byWork.values()]
    .sort((a, b) => b.work.length - a.work.length)
    .slice(0, MOVES_PER_ROUND);
}

/**
 * The best move at the node where `current`'s search is stuck: each of the largest hoists
 * around it moved as early as its inputs allow, scored by the minimum-mode search (lowest peak,
 * then the peak stuck furthest on); null when no region there hoists work.
 */
async function bestMove(current: Lowest, options: RescheduleOptions): Promise<Move | null> {
  const g = current.graph;
  const base = cachedEstimate(g, options.executor);
  const peaks = base.nodes.map((m) => m.peakBytes);
  const [span] = stageSpans(searchContext(g), base, peaks, current.node, [], "minimum", 0);
  let best: Move | null = null;
  for (const { trace, work } of largestHoists(
    g,
    span!.candidates.map((c) => c.trace),
  )) {
    const moved = new Set(trace.hoisted);
    const at =
      1 +
      Math.max(
        -1,
        ...trace.hoisted.flatMap((id) => g.nodes[id]!.inputs.filter((i) => !moved.has(i))),
      );
    const reordered = prepose(g, trace.hoisted, at);
    // Regions clear of the moved range are the same in both orders: the search keeps those it
    // chose and the candidates it modelled.
    const changed = { start: at, end: Math.max(...trace.hoisted) };
    inheritCandidates(g, base, cachedEstimate(reordered, options.executor), changed);
    const kept = current.choices.filter((c) =>
      clearOfChange(g, c.trace.start, c.trace.end, changed),
    );
    const next = await lowest(reordered, options, kept);
    const better =
      best === null ||
      next.peak < best.next.peak ||
      (next.peak === best.next.peak && next.node > best.next.node);
    if (better) best = { next, moved: work };
  }
  return best;
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
    const stuck = current.graph.nodes[current.node]!;
    const move = await bestMove(current, options);
    if (move === null) break;
    const { next } = move;
    // The same peak stuck further on: this block is solved and the next one, alike, is the
    // peak now (the two triangle multiplications).
    const later =
      next.peak === current.peak &&
      next.node > next.graph.nodes.findIndex((n) => n.name === stuck.name);
    if (!(next.peak < current.peak || (later && ++level <= MAX_LEVEL_ROUNDS))) break;
    if (next.peak < current.peak) level = 0;
    const first = current.graph.nodes[move.moved[0]!]!.name;
    rewrites.push(
      `prepose: ${move.moved.length} nodes (${first} …) before the region around "${stuck.name}"`,
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
