import type { SearchContext } from "./context.js";
import type { RegionTrace } from "./trace.js";
import { completeTrace, traceEnd } from "./trace.js";
import type { Span } from "./window.js";

/**
 * Every legal region (s, e) with s in [max.start, peak.start] and e in [peak.end, max.end], for
 * every chunk dim of e of extent ≥ 2 that e does not compute (autochunk.md §2, step 4). One
 * backward sweep per (e, dim) serves every start; starts at or before a node where the sweep
 * failed are skipped.
 *
 * @example
 * regionCandidates(ctx, { start: 70, end: 79 }, { start: 52, end: 95 }).length; // e.g. 40
 */
export function regionCandidates(ctx: SearchContext, peak: Span, max: Span): RegionTrace[] {
  const { graph, flows, source } = ctx;
  const found: RegionTrace[] = [];
  for (let e = peak.end; e <= max.end; e++) {
    const flow = flows[e] ?? null;
    if (source[e] || flow === null) continue;
    const shape = graph.nodes[e]!.shape;
    flow.forEach((f, dim) => {
      if (f.computed || shape[dim]! < 2) return;
      const sweep = traceEnd(ctx, e, dim, max.start);
      const first = Math.max(max.start, (sweep.failure?.node ?? -1) + 1);
      for (let s = peak.start; s >= first; s--) {
        if (typeof sweep.dims[s - max.start] !== "number") continue;
        const result = completeTrace(ctx, sweep, s);
        if (result.ok) found.push(result.trace);
      }
    });
  }
  return found;
}
