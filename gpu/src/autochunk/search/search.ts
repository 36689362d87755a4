import type { MemoryEstimate } from "../estimate/estimate.js";
import type { Graph } from "../ir/graph.js";
import type { CostTable } from "../select/cost-table.js";
import type { RegionChoice } from "../select/select.js";
import { choose, extendOverSoleReaders, selectForMinimum } from "../select/select.js";
import { beamSearch } from "./beam.js";
import { searchContext } from "./context.js";
import type { Rejected } from "./stage.js";
import { appliedPeaks, argmax, stageSpans } from "./stage.js";
import type { Span } from "./window.js";

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
  readonly rejected: Rejected;
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
  /** Budget mode: partial plans kept per stage and regions tried per plan (beamSearch). */
  readonly beamWidth?: number;
  readonly branching?: number;
  /**
   * Minimum mode: regions already chosen (from a search of a graph that differs only elsewhere),
   * kept and not searched again.
   */
  readonly from?: readonly RegionChoice[];
  readonly signal?: AbortSignal;
}

const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * The chunk search (autochunk.md §2). Budget mode searches combinations of regions with a beam
 * (beamSearch: the cheapest plan, by predicted time, whose peak fits the budget; the greedy plan
 * when none does). Minimum mode is the reference's multi-stage search: estimate memory with the
 * regions chosen so far, take the peak node, choose the region around it that reaches the
 * lowest peak (chunk size 1), and repeat until no region lowers it. Regions are disjoint; each
 * region's span peak depends only on its own chunk size, since chunking a region changes no
 * liveness outside it.
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
  if (options.mode === "budget") {
    return beamSearch(ctx, base, {
      budget: options.budget,
      table: options.table,
      width: options.beamWidth,
      branching: options.branching,
      signal: options.signal,
    });
  }
  const choices: RegionChoice[] = [...(options.from ?? [])];
  const stages: SearchStage[] = [];
  for (;;) {
    options.signal?.throwIfAborted();
    const peaks = appliedPeaks(base, choices);
    const peak = argmax(peaks);
    const done = { choices, stages, peakBytes: peaks[peak] ?? 0, peakNode: peak };
    const taken = choices.map((c) => c.trace);
    if (graph.nodes.length === 0 || taken.some((r) => r.start <= peak && peak <= r.end)) {
      return done;
    }
    const [span] = stageSpans(ctx, base, peaks, peak, taken, "minimum", options.budget);
    const best = extendOverSoleReaders(ctx, span!.candidates, selectForMinimum(span!.candidates));
    const lowers = best !== null && best.minPeakBytes < peaks[peak]!;
    const { candidates, ...where } = span!;
    stages.push({
      ...where,
      candidates: candidates.length,
      chosen: lowers ? choices.length : null,
    });
    if (!lowers) return done;
    choices.push(choose(ctx, best, 1, options.table));
    await yieldToEventLoop();
  }
}
