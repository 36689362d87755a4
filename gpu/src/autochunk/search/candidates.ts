import type { SearchContext } from "./context.js";
import type { Illegal, RegionTrace } from "./trace.js";
import { completeTrace, traceEnd } from "./trace.js";
import type { Span } from "./window.js";

/**
 * Every legal region (s, e) with s in [max.start, peak.start] and e in [peak.end, max.end], for
 * every chunk dim of e of extent ≥ 2 that e does not compute (autochunk.md §2, step 4). One
 * backward sweep per (e, dim) serves every start; starts at or before a node where the sweep
 * failed are skipped. When `rejected` is given, it receives why regions were illegal: per node
 * that broke a rule, the first reason found (what a plan viewer shows for a node left out).
 *
 * @example
 * const rejected = new Map<number, string>();
 * regionCandidates(ctx, { start: 70, end: 79 }, { start: 52, end: 95 }, rejected).length; // e.g. 40
 * rejected.get(75); // e.g. 'softmax "h0.attn.softmax" computes along dim 3, the chunk dim it would need'
 */
export function regionCandidates(
  ctx: SearchContext,
  peak: Span,
  max: Span,
  rejected?: Map<number, string>,
): RegionTrace[] {
  const reject = ({ node, reason }: Illegal) => {
    if (rejected !== undefined && !rejected.has(node)) rejected.set(node, reason);
  };
  const { graph, flows, source } = ctx;
  const found: RegionTrace[] = [];
  for (let e = peak.end; e <= max.end; e++) {
    const flow = flows[e] ?? null;
    if (source[e] || flow === null) continue;
    const shape = graph.nodes[e]!.shape;
    flow.forEach((f, dim) => {
      if (f.computed || shape[dim]! < 2) return;
      const sweep = traceEnd(ctx, e, dim, max.start);
      if (sweep.failure !== null) reject(sweep.failure);
      const first = Math.max(max.start, (sweep.failure?.node ?? -1) + 1);
      for (let s = peak.start; s >= first; s--) {
        if (typeof sweep.dims[s - max.start] !== "number") continue;
        const result = completeTrace(ctx, sweep, s);
        if (result.ok) found.push(result.trace);
        else reject(result);
      }
    });
  }
  return found;
}
