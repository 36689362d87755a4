import { assertGraph } from "../optimize/validate.js";
import type { Graph } from "../types.js";

/** The strongly connected components of a graph. */
export interface StronglyConnectedComponents {
  /** Number of components. */
  readonly count: number;
  /** Nodes in the largest component. */
  readonly largest: number;
  /**
   * Component of each node, [size]. Ids run 0..count − 1 in the order Tarjan's algorithm
   * completes them: a component only has edges into components with smaller ids.
   */
  readonly component: Uint32Array;
  /** Nodes per component, [count]. */
  readonly sizes: Uint32Array;
}

/**
 * Tarjan's algorithm without recursion (explicit frame stack), so a million-node graph cannot
 * overflow the call stack. O(size · degree) time, O(size) extra memory; ids ≥ size are skipped.
 *
 * @example
 * const scc = stronglyConnectedComponents(graph);
 * scc.count === 1; // every node reaches every other
 */
export function stronglyConnectedComponents(graph: Graph): StronglyConnectedComponents {
  assertGraph(graph, "stronglyConnectedComponents: graph");
  const { neighbors, size, degree } = graph;
  const index = new Int32Array(size).fill(-1);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  const stack = new Uint32Array(size);
  const frameNode = new Uint32Array(size);
  const frameEdge = new Uint32Array(size);
  const component = new Uint32Array(size);
  const sizes: number[] = [];
  let nextIndex = 0;
  let top = 0;
  let depth = 0;
  // Starts visiting v in a new frame at `depth`.
  const enter = (v: number): void => {
    index[v] = low[v] = nextIndex++;
    stack[top++] = v;
    onStack[v] = 1;
    frameNode[depth] = v;
    frameEdge[depth] = 0;
  };
  for (let root = 0; root < size; root++) {
    if (index[root] !== -1) continue;
    depth = 0;
    enter(root);
    while (depth >= 0) {
      const v = frameNode[depth]!;
      const e = frameEdge[depth]!;
      if (e < degree) {
        frameEdge[depth] = e + 1;
        const w = neighbors[v * degree + e]!;
        if (w >= size) continue;
        if (index[w] === -1) {
          depth++;
          enter(w);
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      if (low[v] === index[v]) {
        const id = sizes.length;
        let members = 0;
        let w: number;
        do {
          w = stack[--top]!;
          onStack[w] = 0;
          component[w] = id;
          members++;
        } while (w !== v);
        sizes.push(members);
      }
      depth--;
      if (depth >= 0) {
        const parent = frameNode[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return {
    count: sizes.length,
    largest: sizes.reduce((a, b) => Math.max(a, b), 0),
    component,
    sizes: Uint32Array.from(sizes),
  };
}
