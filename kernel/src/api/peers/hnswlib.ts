/*
 * hnswlib-node as CAGRA's peer (bench/cagra.bench.ts, notebooks/03-cagra-paper.ipynb): build
 * with (M, efConstruction) and search the queries one at a time for each ef, on the calling
 * thread (hnswlib-node has no batch search). hnswlib-node is an optional dependency (a native
 * addon that needs a C++ compiler), so it is loaded on demand and may be missing.
 */
import { performance } from "node:perf_hooks";
import type { Matrix } from "@tessera/gpu";

/** The part of hnswlib-node's API used here (its own types are absent when it is). */
export interface HnswlibModule {
  HierarchicalNSW: new (
    space: "l2",
    dim: number,
  ) => {
    initIndex(maxElements: number, m: number, efConstruction: number, seed: number): void;
    addPoint(point: number[], label: number): void;
    setEf(ef: number): void;
    searchKnn(query: number[], k: number): { neighbors: number[]; distances: number[] };
  };
}

/** What to do when hnswlib-node is missing. */
export const HNSWLIB_MISSING =
  "hnswlib-node is not installed (it is optional: a native addon that needs a C++ compiler). " +
  "To add it: npm install hnswlib-node in the repository (or the notebook's folder), then " +
  "restart the kernel.";

/** hnswlib-node's module, or undefined when it is not installed. */
export async function loadHnswlib(): Promise<HnswlibModule | undefined> {
  // A specifier in a variable: TypeScript then needs no types for a package that may be absent.
  const name = "hnswlib-node";
  return import(name).then(
    (m: { default?: HnswlibModule } & HnswlibModule) => m.default ?? m,
    () => undefined,
  );
}

export interface HnswRun {
  M: number;
  efConstruction: number;
  buildS: number;
  /** Per ef: the best of the repeats' seconds for all queries, and ids [queries, k] closest first. */
  searches: { ef: number; searchS: number; ids: Uint32Array }[];
}

/**
 * Builds hnswlib's HNSW over `data` (squared L2, seed 100) and sweeps `efs` over `queries`,
 * each the best of `repeats` passes.
 *
 * @example
 * const hnswlib = await loadHnswlib();
 * if (hnswlib) runHnswlib(hnswlib, base, queries, 10, 16, 200, [16, 64]).searches[1].ids;
 */
export function runHnswlib(
  hnswlib: HnswlibModule,
  data: Matrix,
  queries: Matrix,
  k: number,
  M: number,
  efConstruction: number,
  efs: readonly number[],
  repeats = 1,
): HnswRun {
  if (queries.cols !== data.cols) {
    throw new RangeError(
      `runHnswlib: queries have ${queries.cols} dimensions, the data ${data.cols}.`,
    );
  }
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
