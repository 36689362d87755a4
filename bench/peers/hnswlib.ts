/*
 * hnswlib-node as the CAGRA benchmark's peer: build with (M, efConstruction) and search the
 * queries one at a time for each ef, on the calling thread (hnswlib-node has no batch search).
 */
import hnswlib from "hnswlib-node";
import { performance } from "node:perf_hooks";
import type { Matrix } from "../../gpu/src/common/matrix.ts";

export interface HnswRun {
  M: number;
  efConstruction: number;
  buildS: number;
  searches: { ef: number; searchS: number; ids: Uint32Array }[];
}

/**
 * Builds hnswlib's HNSW over `data` (squared L2) and sweeps `efs` over `queries`, each the
 * best of `repeats` passes.
 */
export function runHnswlib(
  data: Matrix,
  queries: Matrix,
  k: number,
  M: number,
  efConstruction: number,
  efs: readonly number[],
  repeats = 1,
): HnswRun {
  const index = new hnswlib.HierarchicalNSW("l2", data.cols);
  const rows = Array.from({ length: data.rows }, (_, i) =>
    Array.from(data.data.subarray(i * data.cols, (i + 1) * data.cols)),
  );
  const qs = Array.from({ length: queries.rows }, (_, i) =>
    Array.from(queries.data.subarray(i * queries.cols, (i + 1) * queries.cols)),
  );
  const t0 = performance.now();
  index.initIndex(data.rows, M, efConstruction, 100);
  for (let i = 0; i < rows.length; i++) index.addPoint(rows[i]!, i);
  const buildS = (performance.now() - t0) / 1000;
  const searches = efs.map((ef) => {
    index.setEf(Math.max(ef, k));
    const ids = new Uint32Array(queries.rows * k);
    let searchS = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      for (let q = 0; q < qs.length; q++) {
        const found = index.searchKnn(qs[q]!, k);
        // Sorted closest first, as the other systems return them.
        const order = found.neighbors
          .map((id, j) => [found.distances[j]!, id] as const)
          .sort((a, b) => a[0] - b[0]);
        order.forEach(([, id], j) => (ids[q * k + j] = id));
      }
      searchS = Math.min(searchS, (performance.now() - t) / 1000);
    }
    return { ef, searchS, ids };
  });
  return { M, efConstruction, buildS, searches };
}
