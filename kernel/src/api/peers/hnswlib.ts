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
  /**
   * Per ef: the best of the repeats' seconds for all queries, every repeat's seconds, and ids
   * [queries, k] closest first.
   */
  searches: { ef: number; searchS: number; repeatS: number[]; ids: Uint32Array }[];
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
    const repeatS: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      for (let q = 0; q < qs.length; q++) {
        // The addon returns them closest first (it fills its arrays from the heap's far end).
        const { neighbors } = index.searchKnn(qs[q]!, k);
        for (let j = 0; j < neighbors.length; j++) ids[q * k + j] = neighbors[j]!;
      }
      repeatS.push((performance.now() - t) / 1000);
    }
    return { ef, searchS: Math.min(...repeatS), repeatS, ids };
  });
  return { M, efConstruction, buildS, searches };
}

/**
 * Seconds per searchKnn call that are the binding's, not the search's: hnswlib-node reads the
 * query element by element from a JavaScript array and builds two result arrays. Measured as
 * the fastest of `passes` per-call times over `queries` of a k-point index searched at ef = k
 * (the fastest, as other load only adds time), so the figure also holds a k-point search:
 * subtracting it slightly favours hnswlib-node.
 *
 * @example
 * const perCall = hnswlibCallOverhead(hnswlib, queries, 10); // about 2e-6 s at 128 dimensions
 */
export function hnswlibCallOverhead(
  hnswlib: HnswlibModule,
  queries: Matrix,
  k: number,
  passes = 10,
): number {
  const index = new hnswlib.HierarchicalNSW("l2", queries.cols);
  index.initIndex(k, 16, k, 100);
  for (let i = 0; i < k; i++) index.addPoint(Array.from(rowOf(queries, i % queries.rows)), i);
  index.setEf(k);
  const qs = Array.from({ length: queries.rows }, (_, i) => Array.from(rowOf(queries, i)));
  const perCall: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t = performance.now();
    for (const q of qs) index.searchKnn(q, k);
    perCall.push((performance.now() - t) / 1000 / qs.length);
  }
  return Math.min(...perCall);
}

function rowOf(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
