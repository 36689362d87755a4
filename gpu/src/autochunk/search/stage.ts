import type { MemoryEstimate } from "../estimate/estimate.js";
import type { Graph } from "../ir/graph.js";
import type { Candidate, RegionChoice } from "../select/select.js";
import { withMemory } from "../select/select.js";
import { regionCandidates } from "./candidates.js";
import type { SearchContext } from "./context.js";
import type { Span } from "./window.js";
import { maxRegion, peakRegion, searchBounds } from "./window.js";

/** Nodes that broke a legality rule, each with the first reason found. */
export type Rejected = readonly { readonly node: number; readonly reason: string }[];

/** One span a stage searched around the peak: the windows and the legal regions found. */
export interface StageSpan {
  readonly peakNode: number;
  readonly peakBytes: number;
  readonly peakRegion: Span;
  readonly maxRegion: Span;
  readonly candidates: readonly Candidate[];
  readonly rejected: Rejected;
}

/** Per node: its predicted peak with the chosen regions applied (a span takes its region's). */
export function appliedPeaks(base: MemoryEstimate, choices: readonly RegionChoice[]): number[] {
  const peaks = base.nodes.map((m) => m.peakBytes);
  for (const c of choices) peaks.fill(c.peakBytes, c.trace.start, c.trace.end + 1);
  return peaks;
}

/** The index of the first largest value (0 for an empty list). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

interface Found {
  readonly candidates: readonly Candidate[];
  readonly rejected: Rejected;
}

// Per estimate (one per graph in autochunk), the candidates of each span pair, and each region's
// memory model by its extent and end dim: neither depends on the budget or on the regions chosen
// elsewhere, so re-planning at another budget (a budget slider) and the beam's many partial
// plans, whose windows overlap, reuse them.
const found = new WeakMap<MemoryEstimate, Map<string, Found>>();
const modelled = new WeakMap<MemoryEstimate, Map<string, Candidate>>();

/**
 * Whether nodes [start, end] of `graph` and the values they read are the same in a reordering
 * of `graph` that moves only nodes with ids in `changed`: the span lies before the change, or
 * after it without reading a moved value (whose id changed).
 *
 * @example
 * clearOfChange(graph, region.start, region.end, { start: at, end: lastMoved });
 */
export function clearOfChange(graph: Graph, start: number, end: number, changed: Span): boolean {
  if (end < changed.start) return true;
  if (start <= changed.end) return false;
  for (let id = start; id <= end; id++) {
    for (const input of graph.nodes[id]!.inputs) {
      if (input >= changed.start && input <= changed.end) return false;
    }
  }
  return true;
}

/**
 * Gives `to` (the estimate of a reordering of `graph` that moves only nodes with ids in
 * `changed`) the candidates and memory models `from` (the estimate of `graph`) has for spans
 * and regions clear of the change (clearOfChange): their nodes, ids, inputs and the values live
 * around them are the same in both.
 *
 * @example
 * inheritCandidates(graph, estimate, estimateMemory(prepose(graph, moved, at)), { start: at, end: last });
 */
export function inheritCandidates(
  graph: Graph,
  from: MemoryEstimate,
  to: MemoryEstimate,
  changed: Span,
): void {
  // Keys are "start,end,…" (models) and "start,end,maxStart,maxEnd" (spans, whose candidates
  // lie within the max region): `at` says where the range a key covers begins.
  const copy = <V>(cache: WeakMap<MemoryEstimate, Map<string, V>>, at: number) => {
    const entries = cache.get(from);
    if (entries === undefined) return;
    let into = cache.get(to);
    if (into === undefined) cache.set(to, (into = new Map()));
    for (const [key, value] of entries) {
      const bounds = key.split(",").map(Number);
      const clear = clearOfChange(graph, bounds[at]!, bounds[at + 1]!, changed);
      if (clear && !into.has(key)) into.set(key, value);
    }
  };
  copy(found, 2);
  copy(modelled, 0);
}

function candidatesAround(ctx: SearchContext, base: MemoryEstimate, span: Span, max: Span): Found {
  let byKey = found.get(base);
  if (byKey === undefined) found.set(base, (byKey = new Map()));
  const key = `${span.start},${span.end},${max.start},${max.end}`;
  let result = byKey.get(key);
  if (result === undefined) {
    let byTrace = modelled.get(base);
    if (byTrace === undefined) modelled.set(base, (byTrace = new Map()));
    const rejected = new Map<number, string>();
    const candidates = regionCandidates(ctx, span, max, rejected).map((trace) => {
      const traceKey = `${trace.start},${trace.end},${trace.endDim}`;
      let candidate = byTrace.get(traceKey);
      if (candidate === undefined)
        byTrace.set(traceKey, (candidate = withMemory(ctx, base, [trace])[0]!));
      return candidate;
    });
    const sorted = [...rejected].sort(([a], [b]) => a - b);
    result = { candidates, rejected: sorted.map(([node, reason]) => ({ node, reason })) };
    byKey.set(key, result);
  }
  return result;
}

/**
 * The spans one search stage tries around `peak`, in order, with their legal regions: in budget
 * mode the peak grown over neighbours above the budget, then (when it grew) the peak alone,
 * since the grown span may cover nodes no single region can chunk; in minimum mode the peak
 * alone. New regions stay clear of `taken` ones and of barriers.
 *
 * @example
 * const [first] = stageSpans(ctx, base, peaks, argmax(peaks), [], "budget", budget);
 * first.candidates.length;
 */
export function stageSpans(
  ctx: SearchContext,
  base: MemoryEstimate,
  peaks: readonly number[],
  peak: number,
  taken: readonly Span[],
  mode: "budget" | "minimum",
  budget: number,
): StageSpan[] {
  const bounds = searchBounds(ctx, taken, peak);
  const single = { start: peak, end: peak };
  const grown = mode === "budget" ? peakRegion(ctx, peaks, peak, budget, bounds) : single;
  const spans = grown.start === peak && grown.end === peak ? [single] : [grown, single];
  return spans.map((span) => {
    const max = maxRegion(base, span, bounds);
    const { candidates, rejected } = candidatesAround(ctx, base, span, max);
    return {
      peakNode: peak,
      peakBytes: peaks[peak]!,
      peakRegion: span,
      maxRegion: max,
      candidates,
      rejected,
    };
  });
}
