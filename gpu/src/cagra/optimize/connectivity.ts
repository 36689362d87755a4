import type { Graph } from "../types.js";
import { assertOptimizable, INVALID_NODE } from "./validate.js";

/**
 * The edges optimize() places first in each list and protects from the merge when it
 * guarantees connectivity: row i of `neighbors` [size, degree] holds `counts[i]` distinct ids,
 * then INVALID_NODE. Every edge i → j comes with j → i, so the lists link the nodes into one
 * undirected tree (a forest of `components` trees where the search could not link them all).
 */
export interface ConnectivityEdges extends Graph {
  readonly counts: Uint32Array;
  /** Trees left at the end: 1 when every node reaches every other through these edges. */
  readonly components: number;
}

// The stride of the last round's search for a node of the largest tree, as cuVS takes it.
const MAIN_TREE_STRIDE = 97;

/**
 * cuVS's `mst_optimization` (detail/cagra/graph_core.cuh, guarantee_connectivity): an
 * approximate, degree-bounded minimum spanning forest grown from the kNN graph's ranks.
 * Round k offers every node its rank-k kNN neighbour; a node links to it when the two are in
 * different trees, the node has outgoing room (2 at first, one more each round it is full) and
 * the target incoming room (the rest of `degree`), else to a node that already links into the
 * target. After the last rank, each node outside the largest tree links to the first node of
 * that tree at a stride of 97 from itself. It stops as soon as one tree remains. Both ends of
 * every link list each other, so the result is symmetric.
 *
 * cuVS runs a round's nodes in parallel (OpenMP or one GPU thread each), so its choices vary
 * with thread timing; this visits them in the order cuVS's CPU loop names (descending ids in
 * even rounds, ascending in odd ones), one of the orders it can produce, so builds repeat.
 * Trees are tracked with a union-find whose label is the smallest id, cuVS's label.
 *
 * @example
 * const mst = connectivityEdges(knn, 32); // knn: [N, 64], rows sorted by distance
 * mst.components; // 1 unless some node could not be linked
 */
export function connectivityEdges(knn: Graph, degree: number): ConnectivityEdges {
  assertOptimizable(knn, degree);
  const n = knn.size;
  const rows = new Uint32Array(n * degree).fill(INVALID_NODE);
  const outMax = new Uint32Array(n).fill(Math.min(2, degree));
  const inMax = outMax.map((o) => degree - o);
  const outNum = new Uint32Array(n);
  const inNum = new Uint32Array(n);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const label = Uint32Array.from({ length: n }, (_, i) => i);
  const size = new Uint32Array(n).fill(1);
  const candidate = new Uint32Array(n);

  const find = (v: number): number => {
    let root = v;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[v] !== root) {
      const next = parent[v]!;
      parent[v] = root;
      v = next;
    }
    return root;
  };
  // The smaller root becomes the parent, so a tree's root is its smallest id (cuVS's label).
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    parent[hi] = lo;
    size[lo] = size[lo]! + size[hi]!;
  };
  // True if a node of row `v` (outgoing links first, incoming from the end) has label `l`.
  const rowReaches = (v: number, l: number): boolean => {
    for (let k = 0; k < degree; k++) {
      const u = rows[v * degree + k]!;
      if (u !== INVALID_NODE && label[u] === l) return true;
    }
    return false;
  };
  const link = (i: number, j: number): void => {
    rows[i * degree + outNum[i]!++] = j;
    rows[(j + 1) * degree - 1 - inNum[j]!++] = i;
    union(i, j);
  };

  let components = n;
  for (let k = 0; k <= knn.degree && components > 1; k++) {
    if (k < knn.degree) {
      for (let i = 0; i < n; i++) candidate[i] = knn.neighbors[i * knn.degree + k]!;
    } else {
      mainTreeCandidates(label, size, candidate);
    }
    for (let step = 0; step < n; step++) {
      const i = k % 2 === 0 ? n - 1 - step : step;
      const j = candidate[i]!;
      if (outNum[i]! >= outMax[i]! || j >= n || label[i] === label[j]) continue;
      const li = label[i]!;
      if (inNum[j]! < inMax[j]!) {
        if (!rowReaches(j, li)) link(i, j);
        continue;
      }
      // j is full: link to a node that links into j instead.
      for (let kj = 0; kj < degree; kj++) {
        const l = rows[(j + 1) * degree - 1 - kj]!;
        if (l === INVALID_NODE) continue;
        if (label[l] === li) break;
        if (inNum[l]! >= inMax[l]!) continue;
        if (rowReaches(l, li)) break;
        link(i, l);
        break;
      }
    }
    components = 0;
    for (let i = 0; i < n; i++) {
      label[i] = find(i);
      if (label[i] === i) components++;
    }
    // A node that used its outgoing room may take one more next round, if its row has room.
    for (let i = 0; i < n; i++) {
      if (outNum[i] === outMax[i] && outNum[i]! + inNum[i]! < degree) {
        outMax[i] = outMax[i]! + 1;
        inMax[i] = degree - outMax[i]!;
      }
    }
  }
  return compactRows(rows, n, degree, components);
}

/**
 * cuVS's last round: for each node outside the largest tree (the one with the smallest label
 * among the largest), the first node of that tree at stride 97 from it; INVALID_NODE for the
 * others. `size` holds each root's tree size.
 */
function mainTreeCandidates(label: Uint32Array, size: Uint32Array, out: Uint32Array): void {
  const n = label.length;
  let main = 0;
  for (let i = 0; i < n; i++) if (label[i] === i && size[i]! > size[main]!) main = i;
  for (let i = 0; i < n; i++) {
    out[i] = INVALID_NODE;
    if (label[i] === main) continue;
    let j = i;
    // When 97 divides N the stride can cycle without reaching the tree (cuVS would spin);
    // after N steps the next node of the tree by id is taken instead.
    for (let steps = 0; label[j] !== main; steps++) {
      j = steps < n ? (j + MAIN_TREE_STRIDE) % n : (j + 1) % n;
    }
    out[i] = j;
  }
}

/** Each row's valid ids, first occurrence only, moved to its front (cuVS's final copy). */
function compactRows(
  rows: Uint32Array,
  size: number,
  degree: number,
  components: number,
): ConnectivityEdges {
  const neighbors = new Uint32Array(size * degree).fill(INVALID_NODE);
  const counts = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    const base = i * degree;
    let count = 0;
    for (let k = 0; k < degree; k++) {
      const v = rows[base + k]!;
      if (v === INVALID_NODE || neighbors.subarray(base, base + count).includes(v)) continue;
      neighbors[base + count++] = v;
    }
    counts[i] = count;
  }
  return { neighbors, counts, size, degree, components };
}
