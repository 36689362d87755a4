import type { MemoryEstimate } from "../estimate/estimate.js";
import type { Graph } from "../ir/graph.js";
import type { CostTable } from "../select/cost-table.js";
import type { Candidate, RegionChoice } from "../select/select.js";
import { choose, selectForBudget, selectForMinimum, withMemory } from "../select/select.js";
import { regionCandidates } from "./candidates.js";
import type { SearchContext } from "./context.js";
import { searchContext } from "./context.js";
import type { Span } from "./window.js";
import { maxRegion, peakRegion, searchBounds } from "./window.js";

/**
 * "budget": fit the budget at the least predicted slowdown (the reference's fit_memory);
 * "minimum": reach the lowest peak, chunk size 1 everywhere (its min_memory).
 */
export type SearchMode = "budget" | "minimum";

/** One stage of the search: the peak it attacked and what it chose. */
export interface SearchStage {
  readonly peakNode: number;
  readonly peakBytes: number;
  readonly peakRegion: Span;
  readonly maxRegion: Span;
  /** Legal regions found around the peak. */
  readonly candidates: number;
  /**
   * Nodes of the max region that broke a legality rule for some region tried, each with the
   * first reason found (the node and the rule: why it could not be chunked there).
   */
  readonly rejected: readonly { readonly node: number; readonly reason: string }[];
  /** Index into `choices` of the region this stage chose, or null when it chose none. */
  readonly chosen: number | null;
}

/** What the multi-stage search found. */
export interface SearchOutcome {
  readonly choices: readonly RegionChoice[];
  readonly stages: readonly SearchStage[];
  /** Predicted peak of the program with every choice applied, and where it is. */
  readonly peakBytes: number;
  readonly peakNode: number;
}

/** Options of searchRegions. */
export interface SearchOptions {
  readonly mode: SearchMode;
  /** Bytes; the search stops once the predicted peak is within it (budget mode). */
  readonly budget: number;
  readonly table: CostTable;
  readonly signal?: AbortSignal;
}

/** Per node: its predicted peak with the chosen regions applied (a span takes its region's). */
function appliedPeaks(base: MemoryEstimate, choices: readonly RegionChoice[]): number[] {
  const peaks = base.nodes.map((m) => m.peakBytes);
  for (const c of choices) peaks.fill(c.peakBytes, c.trace.start, c.trace.end + 1);
  return peaks;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The legal regions of a (peak, max) span pair and the reasons for the illegal ones. */
interface Found {
  readonly candidates: readonly Candidate[];
  readonly rejected: readonly { readonly node: number; readonly reason: string }[];
}

// Per estimate (one per graph in autochunk), the candidates of each span pair: they do not depend
// on the budget, so re-planning the same graph at another budget (a budget slider) reuses them.
const found = new WeakMap<MemoryEstimate, Map<string, Found>>();

function candidatesAround(ctx: SearchContext, base: MemoryEstimate, span: Span, max: Span): Found {
  let byKey = found.get(base);
  if (byKey === undefined) found.set(base, (byKey = new Map()));
  const key = `${span.start},${span.end},${max.start},${max.end}`;
  let result = byKey.get(key);
  if (result === undefined) {
    const rejected = new Map<number, string>();
    const candidates = withMemory(ctx, base, regionCandidates(ctx, span, max, rejected));
    const sorted = [...rejected].sort(([a], [b]) => a - b);
    result = { candidates, rejected: sorted.map(([node, reason]) => ({ node, reason })) };
    byKey.set(key, result);
  }
  return result;
}

const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/** One stage: the candidates around `peak` and the region chosen among them, if any. */
function stage(
  ctx: SearchContext,
  base: MemoryEstimate,
  peaks: readonly number[],
  peak: number,
  taken: readonly Span[],
  options: SearchOptions,
): { record: Omit<SearchStage, "chosen">; choice: RegionChoice | null } {
  const bounds = searchBounds(ctx, taken, peak);
  const single = { start: peak, end: peak };
  const grown =
    options.mode === "budget" ? peakRegion(ctx, peaks, peak, options.budget, bounds) : single;
  // The grown peak region may cover nodes no single region can chunk; then try the peak alone.
  const spans = grown.start === peak && grown.end === peak ? [single] : [grown, single];
  let record: Omit<SearchStage, "chosen"> | null = null;
  for (const span of spans) {
    const max = maxRegion(base, span, bounds);
    const { candidates, rejected } = candidatesAround(ctx, base, span, max);
    record = {
      peakNode: peak,
      peakBytes: peaks[peak]!,
      peakRegion: span,
      maxRegion: max,
      candidates: candidates.length,
      rejected,
    };
    if (options.mode === "budget") {
      const choice = selectForBudget(ctx, candidates, options.budget, options.table);
      if (choice !== null) return { record, choice };
      continue;
    }
    const best = selectForMinimum(candidates);
    const lowers = best !== null && best.minPeakBytes < peaks[peak]!;
    return { record, choice: lowers ? choose(ctx, best, 1, options.table) : null };
  }
  return { record: record!, choice: null };
}

/**
 * The multi-stage chunk search (autochunk.md §2): estimate memory with the regions chosen so far,
 * take the peak node, search the regions around it, choose one, and repeat until the peak is
 * within the budget (budget mode) or no region lowers it (minimum mode). Regions are disjoint;
 * each region's span peak depends only on its own chunk size, since chunking a region changes
 * no liveness outside it.
 *
 * @example
 * const outcome = await searchRegions(graph, estimateMemory(graph), { mode: "budget", budget, table });
 * outcome.choices.map((c) => c.chunkSize);
 */
export async function searchRegions(
  graph: Graph,
  base: MemoryEstimate,
  options: SearchOptions,
): Promise<SearchOutcome> {
  const ctx = searchContext(graph);
  const choices: RegionChoice[] = [];
  const stages: SearchStage[] = [];
  for (;;) {
    options.signal?.throwIfAborted();
    const peaks = appliedPeaks(base, choices);
    const peak = argmax(peaks);
    const done = { choices, stages, peakBytes: peaks[peak] ?? 0, peakNode: peak };
    if (graph.nodes.length === 0 || (options.mode === "budget" && peaks[peak]! <= options.budget)) {
      return done;
    }
    const taken = choices.map((c) => c.trace);
    if (taken.some((r) => r.start <= peak && peak <= r.end)) return done;
    const { record, choice } = stage(ctx, base, peaks, peak, taken, options);
    stages.push({ ...record, chosen: choice === null ? null : choices.length });
    if (choice === null) return done;
    choices.push(choice);
    await yieldToEventLoop();
  }
}
