import type { SearchContext } from "./context.js";
import type { Illegal, RegionTrace } from "./trace.js";

/** A region-level legality rule, checked once every node of a region has its chunk dim. */
export interface LegalityRule {
  readonly name: string;
  /** The node that breaks the rule and why, or null when the region keeps it. */
  check(ctx: SearchContext, trace: RegionTrace): Illegal | null;
}

/**
 * The rules a traced region must keep beyond the per-node dim flow (autochunk.md §2, step 4).
 * Unlike the reference, a region may start with several tensor inputs: each becomes a loop input,
 * sliced or whole, and a value read along two dims becomes two loop inputs.
 */
export const LEGALITY_RULES: readonly LegalityRule[] = [
  {
    // A region whose end nothing reads does no useful work.
    name: "the end is an output",
    check: (_ctx, t) =>
      t.outputs.some((o) => o.node === t.end)
        ? null
        : { node: t.end, reason: "the end node is not chunked, read after the region or returned" },
  },
  {
    // The loop needs something to slice; a chunk dim made inside the region cannot be traced.
    name: "a sliced input",
    check: (_ctx, t) =>
      t.inputs.some((i) => i.dim !== null)
        ? null
        : { node: t.start, reason: "no input of the region is sliced along the chunk dim" },
  },
  {
    // Each output gets its own preallocated buffer; a view of another buffer would double it.
    name: "outputs own their buffers",
    check({ storage, graph }, t) {
      const seen = new Set<number>();
      for (const { node } of t.outputs) {
        const s = storage.storageOf[node]![0]!;
        const producer = storage.storages[s]!.node;
        const inBody =
          producer >= t.start && producer <= t.end && t.dims[producer - t.start] !== null;
        if (!inBody || seen.has(s)) {
          return {
            node,
            reason: `output "${graph.nodes[node]!.name}" shares its buffer with another value`,
          };
        }
        seen.add(s);
      }
      return null;
    },
  },
];
