import type { Graph } from "../ir/graph.js";
import type { ExecutorKind } from "../ops/rule.js";
import type { MemoryEstimate } from "./estimate.js";
import { estimateMemory } from "./estimate.js";

// The estimate of each graph per executor, kept while the graph lives: graphs are immutable,
// and the search caches its budget-independent candidates per estimate, so planning one graph
// again at another budget (a budget slider), or after the rewrite search has searched it,
// skips both.
const estimates: Record<ExecutorKind, WeakMap<Graph, MemoryEstimate>> = {
  cpu: new WeakMap(),
  webgpu: new WeakMap(),
};

/**
 * estimateMemory(graph, executor), computed once per graph object and executor.
 *
 * @example
 * cachedEstimate(graph, "cpu") === cachedEstimate(graph, "cpu"); // true
 */
export function cachedEstimate(graph: Graph, executor: ExecutorKind): MemoryEstimate {
  let estimate = estimates[executor].get(graph);
  if (estimate === undefined) {
    estimates[executor].set(graph, (estimate = estimateMemory(graph, executor)));
  }
  return estimate;
}
