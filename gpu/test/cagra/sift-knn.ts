import { readFileSync } from "node:fs";
import { parseTsvVectors } from "../../src/datasets/tsv.js";
import { internalDistance } from "../../src/cagra/distance.js";
import type { Graph } from "../../src/cagra/types.js";
import { SIFT_5K_BASE } from "../datasets.js";

/*
 * Test support: the exact kNN graph of the first rows of the SIFT-5k sample
 * (/work/shared/datasets/sift-5k), computed with a plain loop so tests depend on no kNN builder.
 */

/** The SIFT-5k base vectors as the project's shared datasets folder holds them. */
export { SIFT_5K_BASE };

/**
 * The exact squared-L2 kNN graph [rows, k] of the first `rows` SIFT-5k vectors, self excluded,
 * each row sorted by distance with ties to the smaller id.
 */
export function siftKnn(rows: number, k: number): Graph {
  const lines = readFileSync(SIFT_5K_BASE, "utf8").split("\n").slice(0, rows).join("\n");
  const { vectors } = parseTsvVectors(lines, { idColumn: true });
  const distance = internalDistance("sqeuclidean");
  const neighbors = new Uint32Array(rows * k);
  const dist = new Float64Array(rows);
  const order = Array.from({ length: rows }, (_, j) => j);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++)
      dist[j] = distance(vectors.data, i, vectors.data, j, vectors.cols);
    dist[i] = Infinity;
    order.sort((a, b) => dist[a]! - dist[b]! || a - b);
    for (let r = 0; r < k; r++) neighbors[i * k + r] = order[r]!;
  }
  return { neighbors, size: rows, degree: k };
}

/** The first `degree` columns of `graph`: the kNN graph truncated to the final degree. */
export function truncate(graph: Graph, degree: number): Graph {
  const neighbors = new Uint32Array(graph.size * degree);
  for (let i = 0; i < graph.size; i++) {
    neighbors.set(
      graph.neighbors.subarray(i * graph.degree, i * graph.degree + degree),
      i * degree,
    );
  }
  return { neighbors, size: graph.size, degree };
}
