import type { Matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";
import { createCheckpoint } from "../../cpu/next-task.js";
import { prepareForMetric } from "../distance.js";
import { DEFAULT_INDEX_PARAMS } from "../params.js";
import type { KnnGraph, Metric, Progress } from "../types.js";
import { paddedDim } from "./distance-tile.js";
import { createKernels, createSharedKernels } from "./kernels.js";
import {
  BLOCK_NODES,
  blockState,
  CHUNK_NODES,
  reserveLayout,
  slotScratch,
  type LayoutParams,
} from "./nn-descent-block.js";
import { emptyLists, markOld, sortedRows } from "./nn-descent-lists.js";
import { createPhaseRunner } from "./nn-descent-phase.js";
import { drawSampleStarts } from "./nn-descent-samples.js";
import { fillRandomly, identity } from "./nn-descent-seed.js";
import { permuteRows, randomProjectionLeaves, type Leaves } from "./rp-tree.js";
import { assertDataset, assertInteger, assertK, assertMetric } from "./validate.js";

/*
 * NN-descent (Dong, Charikar & Li 2011) as PyNNDescent runs it: every node keeps a list of
 * `internalDegree` candidates with a "new" flag; each iteration samples up to `samples` new
 * and old candidates per node (forward and reverse), and the local join offers every
 * new–new and new–old pair of a node's samples to both lists. A candidate becomes old once
 * sampled, so the work per iteration shrinks as the graph settles.
 *
 * Differences from a textbook run, all for speed:
 * - Lists start from random-projection-tree leaves (every pair of a leaf joined), not from
 *   random nodes, which spares the first, most expensive iterations.
 * - Rows are renumbered in the order of the first tree's leaves, so that a join's rows and
 *   lists are mostly in cache.
 * - Each join's distances come from one WebAssembly SIMD tile over the gathered rows, and
 *   the list updates run in WebAssembly on lists kept sorted (nn-descent-kernel.ts).
 * - Iterations run on any number of threads in PyNNDescent's two phases per block of nodes
 *   (nn-descent-block.ts): joins against the lists as the block found them, then the updates
 *   in a fixed order, so the graph is the same for any thread count.
 */

/** Options of nnDescent(). Defaults follow cuVS (research/cagra.md §1) where it has one. */
export interface NnDescentOptions {
  /** Candidates kept per node while iterating; default round(1.5·k), at most N − 1. */
  internalDegree?: number;
  /** Iterations at most (cuVS: 20). */
  maxIterations?: number;
  /**
   * Stop once an iteration changes fewer than this fraction of all list entries; default
   * build()'s (1e-2; cuVS: 1e-4).
   */
  terminationThreshold?: number;
  /** New (and old) candidates joined per node and iteration, forward and reverse together. */
  samples?: number;
  /** Random-projection trees that seed the lists. */
  seedTrees?: number;
  /** Seed of every random choice. Default 0. */
  seed?: number;
  /**
   * Threads of the iterations: this one and threads − 1 pooled workers over a shared
   * WebAssembly memory. The graph is the same for any number. Default 1 (no worker, no
   * shared memory).
   */
  threads?: number;
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

/**
 * An approximate k-NN graph of `dataset` against itself (self excluded) by NN-descent, rows
 * sorted by internal distance (ties to the smaller id): the same shape as bruteForceKnn's
 * result. Deterministic for a given seed, whatever the number of threads.
 *
 * @example
 * const knn = await nnDescent(dataset, 64, "sqeuclidean", { seed: 1, threads: 2 });
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
    terminationThreshold = DEFAULT_INDEX_PARAMS.nnDescentTerminationThreshold,
    samples = NN_DESCENT_SAMPLES,
    seedTrees = NN_DESCENT_SEED_TREES,
    seed = 0,
    threads = 1,
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
  assertInteger(threads, "threads", 1, where);
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
  const params: LayoutParams = {
    n,
    dim,
    metric,
    degree,
    samples,
    tileRows: Math.max(degree + 1, 2 * samples),
    // More threads than chunks of a block would have nothing to claim.
    threads: Math.min(threads, Math.ceil(Math.min(n, BLOCK_NODES) / CHUNK_NODES)),
  };
  let bytes = 0; // what the layout takes, reserved as Kernels.reserve does
  reserveLayout((b) => {
    const at = bytes;
    bytes += Math.ceil(b / 16) * 16;
    return at;
  }, params);
  const kernels = params.threads > 1 ? createSharedKernels(bytes) : createKernels(bytes);
  const layout = reserveLayout((b) => kernels.reserve(b), params);
  const { dataAt } = layout;
  const dp = paddedDim(dim);
  // The rows in the first tree's leaf order, padded as tiles want them, in kernel memory.
  const data = permuteRows(prepared, order, dim, kernels.f32.subarray(dataAt / 4), dp);
  const state = blockState(kernels, layout);
  const { lists } = state;
  emptyLists(lists);

  const total = (maxIterations + 1) * n;
  const report = (done: number) => onProgress?.({ stage: "nn-descent", done, total });
  const checkpoint = createCheckpoint(signal);

  const runPhase = createPhaseRunner(kernels, layout, signal);
  // Seeding, a tree at a time; the first tree's leaves are contiguous in the new numbering.
  let next: Leaves | undefined = { order: identity(n), starts: firstTree.starts };
  for (let tree = 0; tree < seedTrees; tree++) {
    const { order: treeOrder, starts }: Leaves = next!;
    state.leaves.order.set(treeOrder);
    state.leaves.starts.set(starts);
    // This thread builds the next tree while the workers start joining this one's leaves.
    await runPhase("seed", 0, starts.length - 1, () => {
      next =
        tree + 1 < seedTrees ? randomProjectionLeaves(data, n, dp, degree + 1, rand) : undefined;
    });
    report(Math.floor(((tree + 1) * n) / seedTrees));
    await checkpoint();
    // The first tree's pairs have all been joined: its entries start old.
    if (tree === 0) markOld(lists.ids);
  }
  const { tile, rows, stamps } = slotScratch(state, 0);
  fillRandomly(dataAt, lists, tile, rows, kernels, stamps, rand);

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const rotation = drawSampleStarts(state.sampleStarts, degree, rand);
    await runPhase("sample", 0, n);
    await runPhase("reverse", rotation, n);
    let updates = 0;
    for (let first = 0; first < n; first += BLOCK_NODES) {
      const end = Math.min(n, first + BLOCK_NODES);
      await runPhase("join", first, end);
      updates += await runPhase("apply", first, end);
      report(iteration * n + end);
      await checkpoint();
    }
    if (updates < terminationThreshold * n * degree) break;
  }
  report(total);
  return sortedRows(lists, order, k);
}
