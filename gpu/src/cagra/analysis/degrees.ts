import { assertGraph } from "../optimize/validate.js";
import type { Graph } from "../types.js";
import { distribution, type Distribution } from "./distribution.js";

/** Out- and in-degree distributions of a graph; histograms have one bin per degree. */
export interface DegreeStats {
  readonly out: Distribution;
  readonly in: Distribution;
}

/**
 * The out-degree (entries < size, i.e. real edges) and in-degree (edges pointing at the node)
 * of every node, [size] each.
 *
 * @example
 * const { inDegree } = degrees(graph);
 * inDegree[0]; // how many lists hold node 0
 */
export function degrees(graph: Graph): { outDegree: Uint32Array; inDegree: Uint32Array } {
  assertGraph(graph, "degrees: graph");
  const { neighbors, size, degree } = graph;
  const outDegree = new Uint32Array(size);
  const inDegree = new Uint32Array(size);
  for (let node = 0; node < size; node++) {
    let edges = 0;
    for (let k = node * degree, end = k + degree; k < end; k++) {
      const target = neighbors[k]!;
      if (target >= size) continue;
      edges++;
      inDegree[target]!++;
    }
    outDegree[node] = edges;
  }
  return { outDegree, inDegree };
}

/**
 * Out- and in-degree histograms (counts per degree) with min, max and mean, as plain data.
 *
 * @example
 * degreeStats(graph).in.histogram.counts[0]; // nodes no list points to
 */
export function degreeStats(graph: Graph): DegreeStats {
  const { outDegree, inDegree } = degrees(graph);
  return { out: distribution(outDegree), in: distribution(inDegree) };
}
