import { buildBody } from "../codegen/body.js";
import { GraphEmitter } from "../codegen/emitter.js";
import { emitRegion } from "../codegen/region.js";
import type { MemoryEstimate } from "../estimate/estimate.js";
import { estimateMemory } from "../estimate/estimate.js";
import type { Graph, Node } from "../ir/graph.js";
import type { SearchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";

/** One region's memory in the chunked program, as a function of its chunk size. */
export interface RegionMemory {
  /** The most bytes live while the region's span (hoisted nodes, loop) runs, at `chunkSize`. */
  peakAt(chunkSize: number): number;
}

/**
 * The span of a region as a graph of its own: its outside values become inputs, then the
 * hoisted nodes, the loop and its get_items; it returns what is read after the region.
 */
export function spanGraph(
  ctx: SearchContext,
  trace: RegionTrace,
  chunkSize: number,
): { graph: Graph; outside: readonly number[] } {
  const { graph, lastUse, source } = ctx;
  const emit = new GraphEmitter();
  const outside: number[] = [];
  const made = new Map<number, Node>();
  const valueOf = (id: number) => {
    let node = made.get(id);
    if (node === undefined) {
      const original = graph.nodes[id]!;
      node = emit.input(original.name, original.shape, original.dtype);
      made.set(id, node);
      outside[node.id] = id;
    }
    return node;
  };
  const { values } = emitRegion(emit, ctx, trace, chunkSize, valueOf, "chunk");
  const kept = [...values].filter(([id]) => !source[id] && lastUse[id]! > trace.end);
  emit.output(...kept.map(([, node]) => node));
  return { graph: emit.build(), outside };
}

/**
 * Predicts a region's span peak in the chunked program for any chunk size, exactly as the
 * estimator would for `base`'s executor: the span is estimated once (at chunk size 1) on top of what is live when the
 * region starts (`base`, the estimate of the unchunked graph, which nothing outside the span
 * changes), releasing outside values after their last reader in the span; the loop body is
 * estimated at sizes 1 and 2, since every body buffer (outputs, workspaces, slices) grows
 * affinely with the chunk size, so each body node's peak is a line in it.
 *
 * @example
 * const memory = regionMemory(ctx, estimateMemory(graph), trace);
 * memory.peakAt(128); // bytes
 */
export function regionMemory(
  ctx: SearchContext,
  base: MemoryEstimate,
  trace: RegionTrace,
): RegionMemory {
  const { storage } = ctx;
  const { graph: span, outside } = spanGraph(ctx, trace, 1);
  // Outside activations whose last reader is in the region: the loop may write an output over
  // one (as planStorage does in the chunked program), and the others die at their last reader.
  const storageOfInput = (input: number) => storage.storageOf[outside[input]!]![0]!;
  const endsInside = (input: number) => {
    const original = storage.storages[storageOfInput(input)]!;
    return (
      original.activation && original.releaseAfter !== null && original.releaseAfter <= trace.end
    );
  };
  // Two inputs viewing one storage are one buffer in the program: neither may be overwritten.
  const viewers = new Map<number, number>();
  for (const input of span.inputs) {
    viewers.set(storageOfInput(input), (viewers.get(storageOfInput(input)) ?? 0) + 1);
  }
  const reusable = span.inputs.filter(
    (input) => endsInside(input) && viewers.get(storageOfInput(input)) === 1,
  );
  const estimate = estimateMemory(span, base.executor, { reusable: new Set(reusable) });
  const loop = span.nodes.findIndex((n) => n.op === "chunk_loop");
  // An input overwritten by the loop lives on as its output, which the span does not count.
  const overwritten = new Set(estimate.plan.storageOf[loop]);
  const freedAfter = new Map<number, number>();
  span.inputs.forEach((input) => {
    if (!endsInside(input)) return;
    const own = estimate.plan.storageOf[input]![0]!;
    if (overwritten.has(own)) return;
    const s = storageOfInput(input);
    const at = estimate.plan.storages[own]!.releaseAfter ?? Infinity;
    freedAfter.set(s, Math.max(freedAfter.get(s) ?? -1, at));
  });
  const entering = base.nodes[trace.start]!.beforeBytes;
  const outsideLive = (j: number) => {
    let bytes = entering;
    for (const [s, at] of freedAfter) if (at < j) bytes -= storage.storages[s]!.bytes;
    return bytes;
  };
  let fixed = 0;
  for (const m of estimate.nodes) {
    if (m.node !== loop) fixed = Math.max(fixed, outsideLive(m.node) + m.peakBytes);
  }
  const atLoop = estimate.nodes[loop]!;
  const body1 = atLoop.loop!.body.nodes;
  const body2 = estimateMemory(buildBody(ctx, trace, 2), base.executor).nodes;
  const slices = atLoop.workspaceBytes - atLoop.loop!.body.peakBytes;
  const around = outsideLive(loop) + atLoop.beforeBytes + atLoop.outputBytes;
  const lines = body1.map((m, n) => {
    const slope = body2[n]!.peakBytes - m.peakBytes;
    return { slope, at0: m.peakBytes - slope };
  });
  return {
    peakAt(chunkSize) {
      let body = 0;
      for (const { slope, at0 } of lines) body = Math.max(body, at0 + slope * chunkSize);
      return Math.max(fixed, around + slices * chunkSize + body);
    },
  };
}
