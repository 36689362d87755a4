import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Where the shared real datasets are (../shared/datasets from the project root, not copied into
 * the project): TESSERA_DATASETS if set, else beside this clone, else the workplace's folder.
 */
const candidates = [
  process.env.TESSERA_DATASETS,
  fileURLToPath(new URL("../../../shared/datasets", import.meta.url)),
  "/work/shared/datasets",
].filter((p): p is string => p !== undefined && p !== "");

/** The datasets folder; tests that need it fail with this path in their message when absent. */
export const DATASETS = candidates.find((p) => existsSync(p)) ?? candidates[0]!;

/** SIFT-5k's folder: sift-dataset-5k.tsv (5000 × 128 plus an id column), sift-query-3.tsv. */
export const SIFT_5K_DIR = join(DATASETS, "sift-5k");
export const SIFT_5K_BASE = join(SIFT_5K_DIR, "sift-dataset-5k.tsv");
export const SIFT_5K_QUERIES = join(SIFT_5K_DIR, "sift-query-3.tsv");
