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
    const t = performance.now();
    for (let q = 0; q < qs.length; q++) {
      const r = index.searchKnn(qs[q]!, k);
      // hnswlib returns farthest first.
      const order = r.neighbors
        .map((id, j) => [r.distances[j]!, id] as const)
        .sort((a, b) => a[0] - b[0]);
      order.forEach(([, id], j) => (ids[q * k + j] = id));
    }
    return { ef, searchS: (performance.now() - t) / 1000, ids };
  });
  return { M, efConstruction, buildS, searches };
}
