/** A node's edges from a payload's edge table: out-edges by row, in-edges by a reverse index. */
export interface EdgeTable {
  out(node: number): Uint32Array;
  in(node: number): Uint32Array;
}

/**
 * Wraps `edges` [nodes · degree] (ids ≥ nodes are empty slots). The reverse index (CSR) is
 * built on the first in-edge question: O(nodes · degree) once.
 *
 * @example
 * const t = edgeTable(graph.edges, data.nodes, graph.degree);
 * t.in(42); // the nodes whose lists hold 42
 */
export function edgeTable(edges: Uint32Array, nodes: number, degree: number): EdgeTable {
  let reverse: { start: Uint32Array; sources: Uint32Array } | undefined;
  const build = () => {
    const start = new Uint32Array(nodes + 1);
    for (const dst of edges) if (dst < nodes) start[dst + 1]!++;
    for (let i = 0; i < nodes; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, nodes);
    const sources = new Uint32Array(start[nodes]!);
    for (let src = 0; src < nodes; src++) {
      for (let k = src * degree; k < (src + 1) * degree; k++) {
        const dst = edges[k]!;
        if (dst < nodes) sources[fill[dst]!++] = src;
      }
    }
    return { start, sources };
  };
  return {
    out: (node) => edges.subarray(node * degree, (node + 1) * degree).filter((id) => id < nodes),
    in: (node) => {
      reverse ??= build();
      return reverse.sources.subarray(reverse.start[node]!, reverse.start[node + 1]!);
    },
  };
}
