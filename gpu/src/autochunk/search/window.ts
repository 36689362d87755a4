import type { MemoryEstimate } from "../estimate/estimate.js";
import type { SearchContext } from "./context.js";

/** An inclusive range of node ids. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Nodes scanned on each side of the peak region for the max region (the reference's window). */
export const MAX_REGION_WINDOW = 100;
/** The peak region stops growing after this many consecutive compute nodes under the budget. */
const UNDER_BUDGET_STOP = 3;

/**
 * The stretch around `peak` that a new region may cover: up to (not including) the nearest
 * barrier (an op without a dimension-flow rule) or already chosen region on each side.
 *
 * @example
 * searchBounds(ctx, [{ start: 40, end: 60 }], 75); // { start: 61, end: ... }
 */
export function searchBounds(ctx: SearchContext, taken: readonly Span[], peak: number): Span {
  const blocked = (i: number) =>
    ctx.flows[i] === null || taken.some((r) => r.start <= i && i <= r.end);
  let start = peak;
  while (start > 0 && !blocked(start - 1)) start--;
  let end = peak;
  while (end < ctx.graph.nodes.length - 1 && !blocked(end + 1)) end++;
  return { start, end };
}

/**
 * The peak region: the peak node grown over neighbours whose peak is above `budget`, stopping
 * after 3 compute nodes in a row under it (autochunk.md §2, step 2); sources are passed over.
 *
 * @example
 * peakRegion(ctx, peaks, 75, budget, bounds); // { start: 70, end: 79 }
 */
export function peakRegion(
  ctx: SearchContext,
  peaks: readonly number[],
  peak: number,
  budget: number,
  bounds: Span,
): Span {
  const grow = (step: -1 | 1, limit: number) => {
    let edge = peak;
    let under = 0;
    for (let i = peak + step; step < 0 ? i >= limit : i <= limit; i += step) {
      if (ctx.source[i]) continue;
      if (peaks[i]! > budget) {
        edge = i;
        under = 0;
      } else if (++under >= UNDER_BUDGET_STOP) break;
    }
    return edge;
  };
  return { start: grow(-1, bounds.start), end: grow(1, bounds.end) };
}

/**
 * The max region: at most MAX_REGION_WINDOW nodes on each side of the peak region, each side cut
 * where the fewest activations cross (the cheapest boundary; the farthest such cut on ties).
 *
 * @example
 * maxRegion(estimate, { start: 70, end: 79 }, bounds); // { start: 52, end: 95 }
 */
export function maxRegion(estimate: MemoryEstimate, peak: Span, bounds: Span): Span {
  const crossing = (cutAfter: number) =>
    cutAfter < 0 ? 0 : estimate.nodes[cutAfter]!.liveAfter.length;
  let start = peak.start;
  for (let i = peak.start; i >= Math.max(bounds.start, peak.start - MAX_REGION_WINDOW); i--) {
    if (crossing(i - 1) <= crossing(start - 1)) start = i;
  }
  let end = peak.end;
  for (let i = peak.end; i <= Math.min(bounds.end, peak.end + MAX_REGION_WINDOW); i++) {
    if (crossing(i) <= crossing(end)) end = i;
  }
  return { start, end };
}
