import type { SearchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";
import type { CostTable } from "./cost-table.js";
import { graphSeconds, nodeSeconds } from "./cost-table.js";
import { spanGraph } from "./region-memory.js";

/** Predicted seconds of a region, as written and as a chunk loop. */
export interface RegionSeconds {
  readonly unchunked: number;
  /** Its span in the chunked program: hoisted nodes, the loop (iterations, bodies, copies). */
  readonly chunked: number;
}

/**
 * Predicted time of a region before and after chunking it by `chunkSize`, from a cost table:
 * the difference is the speed cost that selection minimises.
 *
 * @example
 * const { unchunked, chunked } = regionSeconds(ctx, trace, 128, table);
 */
export function regionSeconds(
  ctx: SearchContext,
  trace: RegionTrace,
  chunkSize: number,
  table: CostTable,
): RegionSeconds {
  const { graph } = ctx;
  let unchunked = 0;
  for (let i = trace.start; i <= trace.end; i++)
    unchunked += nodeSeconds(graph, graph.nodes[i]!, table);
  return { unchunked, chunked: graphSeconds(spanGraph(ctx, trace, chunkSize).graph, table) };
}
