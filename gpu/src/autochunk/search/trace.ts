import type { Node } from "../ir/graph.js";
import type { SearchContext } from "./context.js";
import { LEGALITY_RULES } from "./legality.js";

/** A value crossing a region boundary and the dim it is chunked along (null: passed whole). */
export interface ChunkedValue {
  readonly node: number;
  readonly dim: number | null;
}

/**
 * A legal chunk region [start, end] of a graph with one chunk dim per node: what codegen turns
 * into a chunk loop (autochunk.md §2).
 */
export interface RegionTrace {
  readonly start: number;
  readonly end: number;
  /** The chunk dim of the end node. */
  readonly endDim: number;
  /** Extent of the chunk dim (the same on every chunked value). */
  readonly length: number;
  /** Per node id in [start, end] (index id − start): its chunk dim, or null when not chunked. */
  readonly dims: readonly (number | null)[];
  /** Nodes computed once per chunk, in program order: the loop body. */
  readonly body: readonly number[];
  /**
   * Nodes of the range emitted before the loop, in program order: sources, and chunk-free
   * nodes whose region inputs are chunk-free too (the reference's "preposed" nodes).
   */
  readonly hoisted: readonly number[];
  /** Values the body reads from outside it, each with the dim it is sliced along. */
  readonly inputs: readonly ChunkedValue[];
  /** Body nodes read after the region or returned: the loop's outputs, with their chunk dims. */
  readonly outputs: readonly { readonly node: number; readonly dim: number }[];
}

/** Why a region is not legal: the rule it breaks, at which node. */
export interface Illegal {
  readonly node: number;
  readonly reason: string;
}

/** A traced region, or why it is illegal. */
export type TraceResult =
  { readonly ok: true; readonly trace: RegionTrace } | ({ readonly ok: false } & Illegal);

/**
 * The backward sweep from an end node: the chunk dims that the nodes in [lo, end] must take so
 * that `end` can be chunked along `endDim`. Shared by every start ≥ lo, since a node's dim only
 * depends on its users, which are all later.
 */
export interface EndTrace {
  readonly end: number;
  readonly endDim: number;
  readonly length: number;
  readonly lo: number;
  /** Per node id in [lo, end]: its dim, null (whole), or undefined (not reached from `end`). */
  readonly dims: readonly (number | null | undefined)[];
  /** The sweep stopped here: no region starting at or before it is legal; null when it did not. */
  readonly failure: Illegal | null;
}

const label = (node: Node) => `${node.op} "${node.name}"`;
const dimText = (dim: number | null) => (dim === null ? "whole" : `dim ${dim}`);

/**
 * Sweeps back from `end` to `lo` assigning each node the dim its region users need: one dim
 * demanded → that dim (it must not be computed, so a softmax along the chunk dim fails); several
 * dims or "whole" demanded → the node is chunk-free, computed whole before the loop and passed
 * whole or sliced (its region inputs then must be chunk-free too). Sources are outside values.
 *
 * @example
 * const sweep = traceEnd(searchContext(graph), 12, 2, 0);
 * sweep.failure; // e.g. { node: 9, reason: 'softmax "attn.softmax" computes along dim 3 ...' }
 */
export function traceEnd(ctx: SearchContext, end: number, endDim: number, lo: number): EndTrace {
  const { graph, flows, source } = ctx;
  const length = graph.nodes[end]!.shape[endDim]!;
  const dims: (number | null | undefined)[] = new Array(end - lo + 1).fill(undefined);
  const demands: (Set<number | null> | undefined)[] = new Array(end - lo + 1);
  const result = (failure: Illegal | null): EndTrace => ({
    end,
    endDim,
    length,
    lo,
    dims,
    failure,
  });
  for (let i = end; i >= lo; i--) {
    const node = graph.nodes[i]!;
    if (source[i]) continue;
    const wanted = demands[i - lo];
    if (i !== end && wanted === undefined) continue;
    const only = wanted?.size === 1 ? ([...wanted][0] ?? null) : null;
    const dim = i === end ? endDim : only;
    const flow = flows[i] ?? null;
    if (flow === null) {
      return result({ node: i, reason: `${label(node)} has no dimension-flow rule (a barrier)` });
    }
    if (dim !== null) {
      if (flow[dim]!.computed) {
        return result({
          node: i,
          reason: `${label(node)} computes along dim ${dim}, the chunk dim it would need`,
        });
      }
      if (node.shape[dim] !== length) {
        return result({
          node: i,
          reason: `${label(node)} has extent ${node.shape[dim]} along its chunk dim ${dim}, not ${length}`,
        });
      }
    }
    dims[i - lo] = dim;
    node.inputs.forEach((u, slot) => {
      if (u < lo || source[u]) return;
      const want = dim === null ? null : (flow[dim]!.from[slot] ?? null);
      (demands[u - lo] ??= new Set()).add(want);
    });
  }
  return result(null);
}

/**
 * Completes a backward sweep into the region [start, sweep.end]: nodes the sweep did not reach
 * take the dim their chunked inputs flow into (or are chunk-free), then every node is checked
 * (a chunked node reads each region input along the dim the flow names; a chunk-free node reads
 * no chunked value) and the region-level rules of LEGALITY_RULES are applied.
 *
 * @example
 * const result = completeTrace(ctx, traceEnd(ctx, 12, 2, 0), 4);
 * if (result.ok) result.trace.inputs; // [{ node: 3, dim: 1 }, { node: 7, dim: null }]
 */
export function completeTrace(ctx: SearchContext, sweep: EndTrace, start: number): TraceResult {
  const { graph, flows, source, lastUse } = ctx;
  const { end, length, lo } = sweep;
  const fail = (node: number, reason: string): TraceResult => ({ ok: false, node, reason });
  if (start < lo || start > end) {
    throw new RangeError(`completeTrace: start ${start} must be in [${lo}, ${end}]`);
  }
  if (sweep.failure !== null && start <= sweep.failure.node) {
    return fail(sweep.failure.node, sweep.failure.reason);
  }
  if (source[start] || typeof sweep.dims[start - lo] !== "number") {
    return fail(start, `the start node ${label(graph.nodes[start]!)} is not chunked`);
  }
  const dims = sweep.dims.slice(start - lo);
  const dimOf = (u: number) => (u < start || source[u] ? null : (dims[u - start] ?? null));
  for (let i = start; i <= end; i++) {
    const node = graph.nodes[i]!;
    if (source[i]) dims[i - start] = null;
    if (dims[i - start] !== undefined) continue;
    const flow = flows[i] ?? null;
    if (flow === null) return fail(i, `${label(node)} has no dimension-flow rule (a barrier)`);
    const chunked = node.inputs.flatMap((u, slot) => {
      const dim = dimOf(u);
      return dim === null ? [] : [{ slot, dim }];
    });
    if (chunked.length === 0) {
      dims[i - start] = null;
      continue;
    }
    const dim = flow.findIndex(
      (f, d) =>
        !f.computed && node.shape[d] === length && chunked.every((c) => f.from[c.slot] === c.dim),
    );
    if (dim < 0) {
      const what = chunked.map((c) => `${graph.nodes[node.inputs[c.slot]!]!.name} (dim ${c.dim})`);
      return fail(i, `${label(node)} reads chunked ${what.join(", ")} but no dim of it follows`);
    }
    dims[i - start] = dim;
  }
  const body: number[] = [];
  const hoisted: number[] = [];
  const inputs = new Map<string, { node: number; dim: number | null }>();
  for (let i = start; i <= end; i++) {
    const node = graph.nodes[i]!;
    const dim = dims[i - start] ?? null;
    (dim === null ? hoisted : body).push(i);
    if (source[i]) continue;
    for (const [slot, u] of node.inputs.entries()) {
      const have = dimOf(u);
      if (dim === null) {
        if (have !== null) {
          return fail(
            i,
            `${label(node)} is not chunked but reads chunked "${graph.nodes[u]!.name}"`,
          );
        }
        continue;
      }
      const want = flows[i]![dim]!.from[slot] ?? null;
      if (have !== null) {
        if (want !== have) {
          return fail(
            i,
            `${label(node)} needs "${graph.nodes[u]!.name}" ${dimText(want)}, but it is chunked along dim ${have}`,
          );
        }
        continue;
      }
      if (want !== null && graph.nodes[u]!.shape[want] !== length) {
        return fail(i, `"${graph.nodes[u]!.name}" has extent ≠ ${length} along dim ${want}`);
      }
      inputs.set(`${u}:${want}`, { node: u, dim: want });
    }
  }
  const outputs = body
    .filter((i) => lastUse[i]! > end)
    .map((i) => ({ node: i, dim: dims[i - start]! }));
  const trace: RegionTrace = {
    start,
    end,
    endDim: sweep.endDim,
    length,
    dims: dims.map((d) => d ?? null),
    body,
    hoisted,
    inputs: [...inputs.values()],
    outputs,
  };
  for (const rule of LEGALITY_RULES) {
    const broken = rule.check(ctx, trace);
    if (broken !== null) return fail(broken.node, `${rule.name}: ${broken.reason}`);
  }
  return { ok: true, trace };
}

/**
 * Whether [start, end] can be chunked with `end` along `endDim`, and how (every node's dim, the
 * loop's inputs and outputs); otherwise the rule it breaks and the node that breaks it.
 *
 * @example
 * const result = traceRegion(searchContext(graph), 4, 12, 2);
 * result.ok ? result.trace.body : result.reason;
 */
export function traceRegion(
  ctx: SearchContext,
  start: number,
  end: number,
  endDim: number,
): TraceResult {
  const node = ctx.graph.nodes[end];
  if (node === undefined || !Number.isInteger(start) || start < 0 || start > end) {
    throw new RangeError(
      `traceRegion: need 0 ≤ start ≤ end < ${ctx.graph.nodes.length}, got start ${start}, end ${end}`,
    );
  }
  if (!Number.isInteger(endDim) || endDim < 0 || endDim >= node.shape.length) {
    throw new RangeError(
      `traceRegion: endDim must be a dim of ${label(node)} (rank ${node.shape.length}), got ${endDim}`,
    );
  }
  if (node.shape[endDim]! < 2) {
    return { ok: false, node: end, reason: `dim ${endDim} of ${label(node)} has extent < 2` };
  }
  return completeTrace(ctx, traceEnd(ctx, end, endDim, start), start);
}
