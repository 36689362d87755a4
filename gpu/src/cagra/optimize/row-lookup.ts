import type { Graph } from "../types.js";

/**
 * Finds, in O(1), the rank at which an id occurs in one row of a graph: the detour count asks
 * "where is B in A's list, after rank kAD?" I² times per node, so a scan (O(I)) or a hash map
 * would dominate. `rankOf` is indexed by node id and holds the first rank of that id in the
 * loaded row (−1 elsewhere); `nextSame[k]` chains later copies of the id at rank k.
 */
export interface RowLookup {
  readonly rankOf: Int32Array;
  readonly nextSame: Int32Array;
  /** Whether the loaded row holds some id twice (then nextSame matters). */
  hasDuplicates: boolean;
}

/** A lookup for rows of `graph`; every entry starts absent. */
export function createRowLookup(graph: Graph): RowLookup {
  return {
    rankOf: new Int32Array(graph.size).fill(-1),
    nextSame: new Int32Array(graph.degree),
    hasDuplicates: false,
  };
}

/** Loads row `node` of `graph` into `lookup`; ids ≥ size (no neighbour) are left out. */
export function loadRow(lookup: RowLookup, graph: Graph, node: number): void {
  const { rankOf, nextSame } = lookup;
  const { neighbors, size, degree } = graph;
  const base = node * degree;
  let hasDuplicates = false;
  // Backwards, so that rankOf ends at the first copy and each copy links to the next one.
  for (let k = degree - 1; k >= 0; k--) {
    const id = neighbors[base + k]!;
    if (id >= size) continue;
    const next = rankOf[id]!;
    if (next !== -1) hasDuplicates = true;
    nextSame[k] = next;
    rankOf[id] = k;
  }
  lookup.hasDuplicates = hasDuplicates;
}

/** Undoes loadRow in O(degree), so the lookup can take the next row without an O(size) reset. */
export function unloadRow(lookup: RowLookup, graph: Graph, node: number): void {
  const { neighbors, size, degree } = graph;
  const base = node * degree;
  for (let k = 0; k < degree; k++) {
    const id = neighbors[base + k]!;
    if (id < size) lookup.rankOf[id] = -1;
  }
}
