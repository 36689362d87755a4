import type { Graph } from "../types.js";

/**
 * The rows of `graph` in breadth-first order: from row 0, each visited row's unvisited
 * neighbours in rank order, restarting at the smallest unvisited row. Neighbours end up close
 * together in this order, so a pass that reads the lists of each row's neighbours (the detour
 * count) finds them in cache when it visits rows in it, and not at random across the graph.
 * Ids ≥ size are skipped. O(size · degree).
 *
 * @example
 * // 0 → 2, 1 → 0, 2 → 1: 0, then 2, then 1.
 * localityOrder({ neighbors: new Uint32Array([2, 0, 1]), size: 3, degree: 1 }); // [0, 2, 1]
 */
export function localityOrder(graph: Graph): Uint32Array {
  const { neighbors, size, degree } = graph;
  const order = new Uint32Array(size);
  const seen = new Uint8Array(size);
  let head = 0;
  let tail = 0;
  for (let start = 0; start < size; start++) {
    if (seen[start] === 1) continue;
    seen[start] = 1;
    order[tail++] = start;
    for (; head < tail; head++) {
      const base = order[head]! * degree;
      for (let k = 0; k < degree; k++) {
        const id = neighbors[base + k]!;
        if (id < size && seen[id] === 0) {
          seen[id] = 1;
          order[tail++] = id;
        }
      }
    }
  }
  return order;
}
