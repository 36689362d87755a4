import type { Matrix } from "../../../common/matrix.js";
import type { Metric } from "../../types.js";
import { assertKnnInput } from "../validate.js";
import { MAX_TOPK } from "./topk.js";

const FN = "bruteForceKnnWebGpu";
const F32_MAX = 3.4028234663852886e38;

/**
 * Throws a RangeError or TypeError naming the bad argument of a WebGPU brute-force kNN and
 * what to do instead: the checks every exact kNN makes (assertKnnInput: metric, shapes,
 * excludeSelf, k ≤ N or N − 1, finite values), plus this backend's own limits: k ≤ 256, the
 * top-k kernel's list length, and values small enough that no f32 distance overflows.
 *
 * @example
 * checkKnnArgs(dataset, dataset, 64, "sqeuclidean", true); // ok when dataset has ≥ 65 rows
 */
export function checkKnnArgs(
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  excludeSelf: boolean,
): void {
  assertKnnInput(dataset, queries, k, metric, excludeSelf, FN);
  if (k > MAX_TOPK) {
    throw new RangeError(
      `${FN}: k = ${k} exceeds ${MAX_TOPK}, the most the WebGPU top-k kernel keeps per query; ` +
        `use k ≤ ${MAX_TOPK} (e.g. intermediateGraphDegree ≤ ${MAX_TOPK}) or the CPU brute force.`,
    );
  }
  if (metric !== "cosine") {
    // Past this magnitude a distance can overflow f32 to +∞, which WGSL need not handle.
    const limit = Math.sqrt(F32_MAX / dataset.cols) / (metric === "sqeuclidean" ? 2 : 1);
    assertBelow(dataset, limit, `${FN}: dataset`);
    if (queries !== dataset) assertBelow(queries, limit, `${FN}: queries`);
  }
}

function assertBelow(m: Matrix, limit: number, what: string): void {
  const i = m.data.findIndex((v) => Math.abs(v) > limit);
  if (i < 0) return;
  const r = Math.floor(i / m.cols);
  throw new RangeError(
    `${what}: row ${r}, column ${i - r * m.cols} is ${m.data[i]}; with ${m.cols} dimensions, ` +
      `values beyond ±${limit.toPrecision(3)} can overflow f32 distances; scale the data down.`,
  );
}
