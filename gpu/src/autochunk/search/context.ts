import type { StoragePlan } from "../estimate/storage.js";
import { planStorage } from "../estimate/storage.js";
import type { Graph } from "../ir/graph.js";
import { SOURCE_OPS } from "../ir/op.js";
import { dimFlowOf } from "../ops/registry.js";
import type { DimFlow } from "../ops/rule.js";

/** What the chunk search reads about a graph, computed once per graph. */
export interface SearchContext {
  readonly graph: Graph;
  /** Per node: its dimension flow, or null for a barrier. */
  readonly flows: readonly (DimFlow | null)[];
  /** Per node: whether it is a source (input, param): an outside value, never chunked. */
  readonly source: readonly boolean[];
  /** Per node: the id of its last reader; Infinity when the graph returns it, -1 when unread. */
  readonly lastUse: readonly number[];
  /** The executor's buffers and lifetimes (views share their source's storage). */
  readonly storage: StoragePlan;
}

const contexts = new WeakMap<Graph, SearchContext>();

/**
 * The search context of `graph`, cached per graph object.
 *
 * @example
 * searchContext(graph).flows[5]; // the dim flow of node 5
 */
export function searchContext(graph: Graph): SearchContext {
  const cached = contexts.get(graph);
  if (cached !== undefined) return cached;
  const lastUse = graph.nodes.map(() => -1);
  for (const node of graph.nodes) for (const id of node.inputs) lastUse[id] = node.id;
  for (const id of graph.outputs) lastUse[id] = Infinity;
  const context: SearchContext = {
    graph,
    flows: graph.nodes.map((node) => dimFlowOf(graph, node)),
    source: graph.nodes.map((node) => SOURCE_OPS.has(node.op)),
    lastUse,
    storage: planStorage(graph),
  };
  contexts.set(graph, context);
  return context;
}
