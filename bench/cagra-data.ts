/**
 * The CAGRA benchmarks' datasets, by name, shared so that every CAGRA benchmark measures the
 * same rows and queries:
 * - `sift-5k`: SIFT-5k less 500 held-out rows, queried by those rows and the 3 SIFT queries;
 * - `synthetic-100k`: 100,000 × 128 Gaussian mixture (1,000 clusters of ~100, spread 0.3),
 *   queried by 1,000 held-out rows;
 * - `synthetic-20k`: the same cluster structure at 20,000 rows (200 clusters), for quick runs;
 * - `synthetic-1m`: the same at 1,000,000 rows (10,000 clusters), not run in CI.
 * The ground truth is exact (true L2 of the 10 nearest).
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../gpu/src/common/matrix.ts";
import { gaussianMixture } from "../gpu/src/datasets/synthetic.ts";
import { holdOutQueries } from "../gpu/src/datasets/holdout.ts";
import { loadSift5k } from "../gpu/src/datasets/node.ts";
import { groundTruth } from "../gpu/src/datasets/ground-truth.ts";
import { euclideanFromSquared } from "../gpu/src/datasets/recall.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The names loadCagraData() knows. */
export const CAGRA_DATASETS = [
  "sift-5k",
  "synthetic-100k",
  "synthetic-20k",
  "synthetic-1m",
] as const;

const SYNTHETIC_ROWS: Readonly<Record<string, number>> = {
  "synthetic-20k": 20_000,
  "synthetic-100k": 100_000,
  "synthetic-1m": 1_000_000,
};

export interface CagraData {
  name: string;
  base: Matrix;
  queries: Matrix;
  /** True L2 distances of each query's `k` nearest rows, [queries, k]. */
  truth: Float32Array;
}

/** Loads dataset `name` with the exact L2 distances of each query's `k` nearest rows. */
export async function loadCagraData(name: string, k: number): Promise<CagraData> {
  let base: Matrix;
  let queries: Matrix;
  if (name === "sift-5k") {
    const sift = await loadSift5k(
      process.env.TESSERA_DATASETS
        ? path.join(process.env.TESSERA_DATASETS, "sift-5k")
        : path.join(ROOT, "../shared/datasets/sift-5k"),
    );
    // 500 held-out rows plus the 3 query vectors of the dataset.
    const split = holdOutQueries(sift.base, 500, 1);
    base = split.base;
    const q = new Float32Array((500 + sift.queries.rows) * base.cols);
    q.set(split.queries.data);
    q.set(sift.queries.data, split.queries.data.length);
    queries = { data: q, rows: 500 + sift.queries.rows, cols: base.cols };
  } else if (Object.hasOwn(SYNTHETIC_ROWS, name)) {
    const rows = SYNTHETIC_ROWS[name]!;
    const all = gaussianMixture({
      rows: rows + 1000,
      dim: 128,
      clusters: rows / 100,
      spread: 0.3,
      seed: 7,
    });
    const split = holdOutQueries(all, 1000, 1);
    base = split.base;
    queries = split.queries;
  } else {
    throw new RangeError(`--dataset must be one of ${CAGRA_DATASETS.join(", ")}, got "${name}".`);
  }
  const gt = await groundTruth(base, queries, k, "sqeuclidean", {
    threads: os.availableParallelism(),
  });
  return { name, base, queries, truth: euclideanFromSquared(gt.distances) };
}
