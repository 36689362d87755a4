import type { MemoryEstimate } from "../estimate/estimate.js";
import type { CostTable } from "../select/cost-table.js";
import type { Candidate, RegionChoice } from "../select/select.js";
import { extraSeconds, fittingChoices } from "../select/select.js";
import type { SearchContext } from "./context.js";
import type { SearchOutcome, SearchStage } from "./search.js";
import type { StageSpan } from "./stage.js";
import { appliedPeaks, argmax, stageSpans } from "./stage.js";

/** Options of beamSearch. */
export interface BeamOptions {
  /** Bytes the program's predicted peak must fit. */
  readonly budget: number;
  readonly table: CostTable;
  /**
   * Partial plans kept per stage besides the greedy one; default BEAM_WIDTH. 0 (with
   * `branching` 0) runs the greedy search alone.
   */
  readonly width?: number;
  /** Regions tried per partial plan and stage besides the cheapest; default BEAM_BRANCHING. */
  readonly branching?: number;
  readonly signal?: AbortSignal;
}

/** Partial plans kept per stage: 4 finds every combination the benchmark models need. */
export const BEAM_WIDTH = 4;
/** Regions tried at each partial plan's peak, cheapest first. */
export const BEAM_BRANCHING = 4;

/** A partial plan: the regions chosen so far and what they are predicted to cost. */
interface State {
  readonly choices: readonly RegionChoice[];
  readonly stages: readonly SearchStage[];
  readonly extra: number;
  /** Whether every choice so far was the cheapest one: the plan the greedy search builds. */
  readonly greedy: boolean;
}

const regionKey = (c: RegionChoice) =>
  `${c.trace.start},${c.trace.end},${c.trace.endDim},${c.chunkSize}`;

/** The same regions chosen in another order are one plan. */
const stateKey = (s: State) => s.choices.map(regionKey).sort().join(";");

const better = (a: State, b: State) =>
  a.extra < b.extra || (a.extra === b.extra && a.choices.length < b.choices.length);

const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

function outcome(base: MemoryEstimate, state: State): SearchOutcome {
  const peaks = appliedPeaks(base, state.choices);
  const peak = argmax(peaks);
  return { ...state, peakBytes: peaks[peak] ?? 0, peakNode: peak };
}

function record(span: StageSpan, chosen: number | null): SearchStage {
  const { peakNode, peakBytes, peakRegion, maxRegion, candidates, rejected } = span;
  return {
    peakNode,
    peakBytes,
    peakRegion,
    maxRegion,
    candidates: candidates.length,
    rejected,
    chosen,
  };
}

/**
 * The search over combinations of regions (the paper's global strategy, autochunk.md §3): a beam
 * of partial plans, each extended at its own peak by its `branching` cheapest regions that fit
 * the budget (in predicted extra seconds, from the measured cost table), of which the `width`
 * cheapest plans go on to the next stage, plans with the same regions merged. The greedy plan
 * (the cheapest region at every stage: the reference's multi-stage search) is always kept, so
 * the result is never worse than greedy. Returns the cheapest plan that fits, or the greedy
 * plan, over the budget, when none does.
 *
 * Greedy can fail where the beam does not because a region's extent decides which regions can
 * follow: regions are disjoint, so the cheapest region for one peak can swallow the only nodes
 * where a later peak could be cut.
 *
 * @example
 * const { choices, peakBytes } = await beamSearch(ctx, estimateMemory(graph), { budget, table });
 */
export async function beamSearch(
  ctx: SearchContext,
  base: MemoryEstimate,
  options: BeamOptions,
): Promise<SearchOutcome> {
  const { budget, table } = options;
  const width = options.width ?? BEAM_WIDTH;
  const branching = options.branching ?? BEAM_BRANCHING;
  for (const [name, value] of [
    ["width", width],
    ["branching", branching],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`beamSearch: ${name} must be an integer ≥ 0, got ${value}`);
    }
  }
  const made = new Map<Candidate, RegionChoice>();
  let open: State[] = [{ choices: [], stages: [], extra: 0, greedy: true }];
  let best: State | null = null;
  let greedyEnd: State | null = null;
  while (open.length > 0) {
    options.signal?.throwIfAborted();
    const children = new Map<string, State>();
    for (const state of open) {
      const peaks = appliedPeaks(base, state.choices);
      const peak = argmax(peaks);
      if (ctx.graph.nodes.length === 0 || peaks[peak]! <= budget) {
        if (best === null || better(state, best)) best = state;
        if (state.greedy) greedyEnd = state;
        continue;
      }
      const taken = state.choices.map((c) => c.trace);
      // The peak is inside a chosen region: already at its best chunk size, so a dead end.
      if (taken.some((r) => r.start <= peak && peak <= r.end)) {
        if (state.greedy) greedyEnd = state;
        continue;
      }
      const spans = stageSpans(ctx, base, peaks, peak, taken, "budget", budget);
      const ranked = spans.map((span) =>
        fittingChoices(ctx, span.candidates, budget, table, made).map((choice) => ({
          choice,
          span,
        })),
      );
      // Greedy takes the cheapest region of the first span that has one.
      const first = ranked.find((r) => r.length > 0)?.[0];
      if (first === undefined) {
        const stages = [...state.stages, record(spans[spans.length - 1]!, null)];
        if (state.greedy) greedyEnd = { ...state, stages };
        continue;
      }
      const tried = ranked
        .flat()
        .sort((a, b) => extraSeconds(a.choice) - extraSeconds(b.choice))
        .filter((t, k, all) => all.findIndex((u) => u.choice === t.choice) === k)
        .slice(0, branching);
      if (!tried.some((t) => t.choice === first.choice)) tried.push(first);
      for (const { choice, span } of tried) {
        const child: State = {
          choices: [...state.choices, choice],
          stages: [...state.stages, record(span, state.choices.length)],
          extra: state.extra + extraSeconds(choice),
          greedy: state.greedy && choice === first.choice,
        };
        const key = stateKey(child);
        const seen = children.get(key);
        if (seen === undefined || child.greedy || (!seen.greedy && better(child, seen))) {
          children.set(key, child);
        }
      }
    }
    const sorted = [...children.values()].sort((a, b) =>
      better(a, b) ? -1 : better(b, a) ? 1 : 0,
    );
    open = sorted.slice(0, width);
    const greedy = sorted.find((s) => s.greedy);
    if (greedy !== undefined && !open.includes(greedy)) open.push(greedy);
    await yieldToEventLoop();
  }
  const result = best ?? greedyEnd;
  if (result === null) throw new Error("beamSearch: internal error: the greedy plan was lost");
  return outcome(base, result);
}
