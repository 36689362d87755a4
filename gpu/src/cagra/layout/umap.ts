import { UMAP } from "umap-js";
import type { Matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";
import { nextTask } from "../../cpu/next-task.js";
import { bruteForceKnn } from "../knn/brute-force.js";
import type { Progress } from "../types.js";

/** Options of umapLayout(). */
export interface UmapOptions {
  /** Neighbours per point (default 15, UMAP's own default). */
  nNeighbors?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 below 10k rows, 200 above). */
  nEpochs?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  /** Seed of the initial embedding and of the negative sampling (default 0). */
  seed?: number;
  /** Threads for the exact kNN graph UMAP starts from (default 1). */
  threads?: number;
  /** Reports `{ stage: "umap", done, total }` per epoch (and the kNN stage before it). */
  onProgress?: (p: Progress) => void;
  /** Checked between epochs. */
  signal?: AbortSignal;
}

/** Rows above which UMAP is refused: its epochs cost minutes there; use PCA. */
export const UMAP_MAX_ROWS = 200_000;

/**
 * A 2-D UMAP embedding of `data` [rows · 2], by umap-js on an exact squared-L2 kNN graph
 * that Tessera's own brute force computes (faster than umap-js's NN-descent). Seeded, so a
 * run repeats exactly; yields to the event loop between epochs, so a kernel interrupt
 * (the signal) stops it.
 *
 * @example
 * const xy = await umapLayout(base, { seed: 1, onProgress: ({ done, total }) => bar.set(done) });
 */
export async function umapLayout(data: Matrix, options: UmapOptions = {}): Promise<Float32Array> {
  const { nNeighbors = 15, minDist = 0.1, seed = 0, threads = 1, onProgress, signal } = options;
  const { rows, cols } = data;
  if (rows > UMAP_MAX_ROWS) {
    throw new RangeError(
      `umapLayout: ${rows} rows is more than UMAP lays out in reasonable time here (${UMAP_MAX_ROWS}); use the PCA layout or a sample.`,
    );
  }
  if (rows <= nNeighbors) {
    throw new RangeError(`umapLayout: ${rows} rows are too few for ${nNeighbors} neighbours.`);
  }
  const knn = await bruteForceKnn(data, data, nNeighbors - 1, "sqeuclidean", {
    excludeSelf: true,
    threads,
    signal,
    onProgress,
  });
  // umap-js expects each list to start with the point itself, and true distances.
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * knn.degree;
    indices.push([r, ...knn.neighbors.subarray(o, o + knn.degree)]);
    distances.push([0, ...Array.from(knn.distances.subarray(o, o + knn.degree), Math.sqrt)]);
  }
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    random: seededRandom(seed),
    ...(options.nEpochs !== undefined ? { nEpochs: options.nEpochs } : {}),
  });
  umap.setPrecomputedKNN(indices, distances);
  const vectors: number[][] = [];
  for (let r = 0; r < rows; r++)
    vectors.push(Array.from(data.data.subarray(r * cols, (r + 1) * cols)));
  const total = umap.initializeFit(vectors);
  for (let epoch = 0; epoch < total; epoch++) {
    signal?.throwIfAborted();
    umap.step();
    if (epoch % 10 === 9 || epoch === total - 1) {
      onProgress?.({ stage: "umap", done: epoch + 1, total });
      await nextTask();
    }
  }
  const out = new Float32Array(rows * 2);
  umap.getEmbedding().forEach(([x, y], r) => {
    out[2 * r] = x!;
    out[2 * r + 1] = y!;
  });
  return out;
}
