import type { Matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";
import { createCheckpoint } from "../../cpu/next-task.js";
import { prepareForMetric } from "../distance.js";
import type { KnnGraph, Metric, Progress } from "../types.js";
import {
  createDistanceTile,
  distanceTileBytes,
  paddedDim,
  type DistanceTile,
} from "./distance-tile.js";
import { createKernels, type Kernels } from "./kernels.js";
import {
  createLists,
  createRowBuffer,
  createStamps,
  joinRows,
  markOld,
  sortedRows,
  takeMarks,
  type Lists,
  type RowBuffer,
  type Stamps,
} from "./nn-descent-lists.js";
import { createSamples, sampleCandidates, type Samples } from "./nn-descent-samples.js";
import { fillRandomly, identity, joinLeaves } from "./nn-descent-seed.js";
import { permuteRows, randomProjectionLeaves } from "./rp-tree.js";
import { assertDataset, assertInteger, assertK, assertMetric } from "./validate.js";

/*
 * NN-descent (Dong, Charikar & Li 2011) as PyNNDescent runs it: every node keeps a list of
 * `internalDegree` candidates with a "new" flag; each iteration samples up to `samples` new
 * and old candidates per node (forward and reverse), and the local join offers every
 * new–new and new–old pair of a node's samples to both lists. A candidate becomes old once
 * sampled, so the work per iteration shrinks as the graph settles.
 *
 * Differences from a textbook run, all for speed on one CPU core:
 * - Lists start from random-projection-tree leaves (every pair of a leaf joined), not from
 *   random nodes, which spares the first, most expensive iterations.
 * - Rows are renumbered in the order of the first tree's leaves, so that a join's rows and
 *   lists are mostly in cache.
 * - Each join's distances come from one WebAssembly SIMD tile over the gathered rows, and
 *   the list updates run in WebAssembly on lists kept sorted (nn-descent-kernel.ts).
 */

/** Options of nnDescent(). Defaults follow cuVS (research/cagra.md §1) where it has one. */
export interface NnDescentOptions {
  /** Candidates kept per node while iterating; default round(1.5·k), at most N − 1. */
  internalDegree?: number;
  /** Iterations at most (cuVS: 20). */
  maxIterations?: number;
  /** Stop once an iteration changes fewer than this fraction of all list entries (cuVS: 1e-4). */
  terminationThreshold?: number;
  /** New (and old) candidates joined per node and iteration, forward and reverse together. */
  samples?: number;
  /** Random-projection trees that seed the lists. */
  seedTrees?: number;
  /** Seed of every random choice. Default 0. */
  seed?: number;
  /** Stops the run between batches of nodes with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called between batches: stage "nn-descent", done/total in node visits, the seeding
   * counted as one pass over the nodes and each iteration as one more.
   */
  onProgress?: (progress: Progress) => void;
}

/** Defaults of the options without a cuVS counterpart, chosen on SIFT and Gaussian mixtures. */
export const NN_DESCENT_SAMPLES = 16;
export const NN_DESCENT_SEED_TREES = 2;

/** Nodes between progress reports and abort checks. */
const NODES_PER_BATCH = 1024;

/**
 * An approximate k-NN graph of `dataset` against itself (self excluded) by NN-descent, rows
 * sorted by internal distance (ties to the smaller id): the same shape as bruteForceKnn's
 * result. Deterministic for a given seed.
 *
 * @example
 * const knn = await nnDescent(dataset, 64, "sqeuclidean", { seed: 1 });
 * knn.neighbors.subarray(0, 64); // ≈ the 64 nearest other rows of row 0
 */
export async function nnDescent(
  dataset: Matrix,
  k: number,
  metric: Metric,
  options: NnDescentOptions = {},
): Promise<KnnGraph> {
  const where = "nnDescent";
  assertMetric(metric, where);
  assertDataset(dataset, where);
  const n = dataset.rows;
  assertK(k, n, true, where);
  const {
    internalDegree = Math.min(n - 1, Math.max(k, Math.round(1.5 * k))),
    maxIterations = 20,
    terminationThreshold = 1e-4,
    samples = NN_DESCENT_SAMPLES,
    seedTrees = NN_DESCENT_SEED_TREES,
    seed = 0,
    signal,
    onProgress,
  } = options;
  assertInteger(internalDegree, "internalDegree", k, where);
  if (internalDegree > n - 1) {
    throw new RangeError(
      `${where}: internalDegree = ${internalDegree} exceeds the ${n - 1} other rows; ` +
        `use at most ${n - 1}.`,
    );
  }
  assertInteger(maxIterations, "maxIterations", 0, where);
  assertInteger(samples, "samples", 2, where);
  assertInteger(seedTrees, "seedTrees", 1, where);
  if (!(terminationThreshold >= 0)) {
    throw new RangeError(
      `${where}: terminationThreshold must be a number ≥ 0; got ${terminationThreshold}.`,
    );
  }
  signal?.throwIfAborted();

  const dim = dataset.cols;
  const degree = internalDegree;
  const rand = seededRandom(seed);
  const prepared = prepareForMetric(dataset, metric).data;
  const firstTree = randomProjectionLeaves(prepared, n, dim, degree + 1, rand);
  const { order } = firstTree;
  const tileRows = Math.max(degree + 1, 2 * samples);
  const dp = paddedDim(dim);
  const kernels = createKernels(
    distanceTileBytes(dim, tileRows, tileRows) +
      n * dp * 4 +
      2 * n * degree * 4 +
      (tileRows + n + 1) * 4 +
      64,
  );
  // The rows in the first tree's leaf order, padded as tiles want them, in kernel memory.
  const dataAt = kernels.reserve(n * dp * 4);
  const data = permuteRows(prepared, order, dim, kernels.f32.subarray(dataAt / 4), dp);
  const tile = createDistanceTile(kernels, metric, dim, tileRows, tileRows);
  const lists = createLists(kernels, n, degree);
  const rows = createRowBuffer(kernels, tileRows);
  const stamps = createStamps(kernels, n);
  const total = (maxIterations + 1) * n;
  const report = (done: number) => onProgress?.({ stage: "nn-descent", done, total });
  const checkpoint = createCheckpoint(signal);

  // Seeding: the first tree's leaves are contiguous in the new numbering.
  for (let tree = 0; tree < seedTrees; tree++) {
    const leaves =
      tree === 0
        ? { order: identity(n), starts: firstTree.starts }
        : randomProjectionLeaves(data, n, dp, degree + 1, rand);
    for (let leaf = 0; leaf + 1 < leaves.starts.length;) {
      const end = joinLeaves(
        dataAt,
        leaves,
        leaf,
        NODES_PER_BATCH,
        lists,
        tile,
        rows,
        stamps,
        kernels,
      );
      report(Math.floor((tree * n + leaves.starts[end]!) / seedTrees));
      await checkpoint();
      leaf = end;
    }
    // The first tree's pairs have all been joined: its entries start old.
    if (tree === 0) markOld(lists.ids);
  }
  fillRandomly(data, dp, metric, lists, kernels, stamps, rand);

  const samplesState = createSamples(n, samples);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    sampleCandidates(lists, samplesState, rand);
    let updates = 0;
    for (let first = 0; first < n; first += NODES_PER_BATCH) {
      const end = Math.min(n, first + NODES_PER_BATCH);
      for (let v = first; v < end; v++) {
        updates += localJoin(v, dataAt, lists, tile, rows, kernels, samplesState, stamps);
      }
      report(iteration * n + end);
      await checkpoint();
    }
    if (updates < terminationThreshold * n * degree) break;
  }
  report(total);
  return sortedRows(lists, order, k);
}

/**
 * The local join of node v: every pair of its new samples, and every new–old pair, is offered
 * to both lists. Returns the number of list entries that changed.
 */
function localJoin(
  v: number,
  dataAt: number,
  lists: Lists,
  tile: DistanceTile,
  rows: RowBuffer,
  kernels: Kernels,
  state: Samples,
  stamps: Stamps,
): number {
  const { samples, newIds, newCounts, oldIds, oldCounts } = state;
  const mark = takeMarks(stamps, 1);
  const marks = stamps.marks;
  const gathered = rows.ids;
  let count = 0;
  const base = v * samples;
  for (let s = 0; s < newCounts[v]!; s++) {
    const id = newIds[base + s]!;
    if (marks[id] !== mark) {
      marks[id] = mark;
      gathered[count++] = id;
    }
  }
  const nNew = count;
  if (nNew === 0) return 0;
  for (let s = 0; s < oldCounts[v]!; s++) {
    const id = oldIds[base + s]!;
    if (marks[id] !== mark) {
      marks[id] = mark;
      gathered[count++] = id;
    }
  }
  if (count < 2) return 0;
  tile.gatherX(dataAt, rows.at, count);
  tile.compute(count, nNew, true);
  return joinRows(tile, rows, nNew, count, lists, stamps, kernels);
}
