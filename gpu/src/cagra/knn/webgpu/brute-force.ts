/// <reference types="@webgpu/types" />
import type { Matrix } from "../../../common/matrix.js";
import type { WebGpuBackend } from "../../../device/backend.js";
import {
  createBuffer,
  destroyBuffer,
  readBuffer,
  uploadBuffer,
  writeBuffer,
  type TrackedBuffer,
} from "../../../device/webgpu/buffers.js";
import { pipelineFor, submit } from "../../../device/webgpu/pipelines.js";
import { BufferUsage } from "../../../device/webgpu/usage.js";
import { prepareForMetric } from "../../distance.js";
import type { KnnGraph, Metric, Progress } from "../../types.js";
import { checkKnnArgs } from "./check-args.js";
import {
  DISTANCE_PARAMS,
  DISTANCE_TILE,
  distanceTileKernel,
  distanceTileParams,
  preferredDistanceKernel,
  type DistanceKernelVariant,
} from "./distance-tile.js";
import { planTiles, type TilePlan } from "./plan.js";
import { TOPK_PARAMS, topkCapacity, topkKernel, topkParams } from "./topk.js";
import { padRows } from "../../../common/matrix.js";

/** Options of {@link bruteForceKnnWebGpu}. */
export interface BruteForceKnnOptions {
  /**
   * Query i is dataset row i and must not be its own neighbour (building a kNN graph of the
   * dataset): queries must have the dataset's rows, and k ≤ N − 1.
   */
  readonly excludeSelf?: boolean;
  /** Checked between tiles; an abort frees the device buffers and rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called as each tile (query tile × column tile) completes, stage "knn". */
  readonly onProgress?: (p: Progress) => void;
  /** Tile sizes in rows, for tuning and tests; clamped to what the device allows. */
  readonly tiles?: Partial<TilePlan>;
  /** The distance kernel; by default "streaming" on SwiftShader, "tiled" on GPUs. */
  readonly distanceKernel?: DistanceKernelVariant;
}

/** The tracker's op name for this function's buffers. */
const OP = "knn";

/** A column tile: `cols` dataset rows starting at `colBase` within slab `slab`. */
interface ColumnTile {
  readonly slab: number;
  readonly colBase: number;
  readonly cols: number;
  /** Dataset id of the tile's first row. */
  readonly idBase: number;
}

/**
 * Exact k nearest dataset rows of every query on WebGPU, by internal distance (smaller is
 * closer: squared L2, −dot, 1 − cos; see cagra/distance.ts). The dataset is uploaded once;
 * queries go through in tiles, each meeting the dataset in column tiles: a GEMM-like distance
 * tile, then a per-query top-k merge into running lists kept on the device. Rows of the result
 * are sorted by distance, ties by smaller id. k ≤ 256.
 *
 * @example
 * // The initial kNN graph of CAGRA (self excluded):
 * const knn = await bruteForceKnnWebGpu(gpu, dataset, dataset, 64, "sqeuclidean", {
 *   excludeSelf: true,
 *   onProgress: (p) => console.log(`${p.done}/${p.total}`),
 * });
 * knn.neighbors.subarray(0, 64); // row 0's neighbours, closest first
 */
export async function bruteForceKnnWebGpu(
  backend: WebGpuBackend,
  dataset: Matrix,
  queries: Matrix,
  k: number,
  metric: Metric,
  options: BruteForceKnnOptions = {},
): Promise<KnnGraph> {
  const excludeSelf = options.excludeSelf ?? false;
  checkKnnArgs(dataset, queries, k, metric, excludeSelf);
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const n = dataset.rows;
  const q = queries.rows;
  const dim = dataset.cols;
  const neighbors = new Uint32Array(q * k);
  const distances = new Float32Array(q * k);
  const result: KnnGraph = { neighbors, distances, size: q, degree: k };
  if (q === 0) return result;

  // The kernels read rows as vec4s: pad them with zeros (neutral for every metric).
  const dimV = Math.ceil(dim / 4);
  const data = padRows(prepareForMetric(dataset, metric), dimV * 4);
  const query = queries === dataset ? data : padRows(prepareForMetric(queries, metric), dimV * 4);
  const width = dimV * 4;
  const kp = topkCapacity(k);
  const plan = planTiles(backend.limits, n, q, width, kp, options.tiles);
  const [distancePipeline, topkPipeline] = await Promise.all([
    pipelineFor(
      backend,
      distanceTileKernel(metric, options.distanceKernel ?? preferredDistanceKernel(backend)),
    ),
    pipelineFor(backend, topkKernel(kp)),
  ]);

  const owned: TrackedBuffer[] = [];
  const own = (b: TrackedBuffer) => (owned.push(b), b);
  const storage = BufferUsage.STORAGE;
  try {
    const slabs: TrackedBuffer[] = [];
    for (let s0 = 0; s0 < n; s0 += plan.slabRows) {
      const rows = Math.min(plan.slabRows, n - s0);
      const label = `knn dataset rows ${s0}..${s0 + rows - 1}`;
      slabs.push(
        own(
          uploadBuffer(backend, data.subarray(s0 * width, (s0 + rows) * width), label, OP, storage),
        ),
      );
    }
    const queryTile = own(
      createBuffer(
        backend,
        plan.queryRows * width * 4,
        storage | BufferUsage.COPY_DST,
        "knn query tile",
        OP,
      ),
    );
    const tileBytes = plan.queryRows * plan.columnRows * 4;
    const distanceTile = own(createBuffer(backend, tileBytes, storage, "knn distance tile", OP));
    const listBytes = plan.queryRows * kp * 4;
    const listUsage = storage | BufferUsage.COPY_SRC;
    const bestDistances = own(
      createBuffer(backend, listBytes, listUsage, "knn top-k distances", OP),
    );
    const bestIds = own(createBuffer(backend, listBytes, listUsage, "knn top-k ids", OP));
    const uniform = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
    const distanceParams = own(
      createBuffer(backend, DISTANCE_PARAMS.bytes, uniform, "knn distance params", OP),
    );
    const mergeParams = own(
      createBuffer(backend, TOPK_PARAMS.bytes, uniform, "knn top-k params", OP),
    );

    const tiles = columnTiles(plan, n);
    const total = Math.ceil(q / plan.queryRows) * tiles.length;
    let done = 0;
    // One tile stays queued while the previous one is awaited, so the device never idles on
    // the host, and the host still checks the signal after every tile.
    const settle = async (work: Promise<unknown>) => {
      await Promise.race([work, backend.lost]);
      onProgress?.({ stage: OP, done: ++done, total });
      signal?.throwIfAborted();
    };
    for (let q0 = 0; q0 < q; q0 += plan.queryRows) {
      const rows = Math.min(plan.queryRows, q - q0);
      writeBuffer(backend, queryTile, query.subarray(q0 * width, (q0 + rows) * width));
      let inFlight: Promise<unknown> | undefined;
      for (const [t, tile] of tiles.entries()) {
        const { cols, colBase, idBase } = tile;
        const stride = plan.columnRows;
        writeBuffer(
          backend,
          distanceParams,
          distanceTileParams({ rows, cols, dimV, colBase, stride }),
        );
        const selfBase = excludeSelf ? q0 : undefined;
        writeBuffer(
          backend,
          mergeParams,
          topkParams({ cols, stride, idBase, k, first: t === 0, selfBase }),
        );
        submit(
          backend,
          [
            {
              pipeline: distancePipeline,
              buffers: [queryTile, slabs[tile.slab]!, distanceTile, distanceParams],
              workgroups: [Math.ceil(cols / DISTANCE_TILE), Math.ceil(rows / DISTANCE_TILE)],
              label: "knn distance tile",
            },
            {
              pipeline: topkPipeline,
              buffers: [distanceTile, bestDistances, bestIds, mergeParams],
              workgroups: [rows],
              label: "knn top-k merge",
            },
          ],
          "knn tile",
        );
        const submitted = backend.device.queue.onSubmittedWorkDone();
        // Not awaited if an earlier tile fails; settle() still sees its outcome otherwise.
        submitted.catch(() => undefined);
        if (inFlight) await settle(inFlight);
        inFlight = submitted;
      }
      if (inFlight) await settle(inFlight);
      const [d, ids] = await Promise.all([
        readBuffer(backend, bestDistances, rows * kp * 4),
        readBuffer(backend, bestIds, rows * kp * 4),
      ]);
      copyLeading(new Float32Array(d), kp, distances, k, q0, rows);
      copyLeading(new Uint32Array(ids), kp, neighbors, k, q0, rows);
    }
    return result;
  } finally {
    for (const b of owned) destroyBuffer(backend, b);
  }
}

/** The column tiles of every slab, in id order. */
function columnTiles(plan: TilePlan, n: number): ColumnTile[] {
  const tiles: ColumnTile[] = [];
  for (let s0 = 0, slab = 0; s0 < n; s0 += plan.slabRows, slab++) {
    const slabRows = Math.min(plan.slabRows, n - s0);
    for (let c0 = 0; c0 < slabRows; c0 += plan.columnRows) {
      tiles.push({
        slab,
        colBase: c0,
        cols: Math.min(plan.columnRows, slabRows - c0),
        idBase: s0 + c0,
      });
    }
  }
  return tiles;
}

/** Copies the first `k` of every `kp`-wide row of `from` to rows q0.. of `to` (k wide). */
function copyLeading<T extends Float32Array | Uint32Array>(
  from: T,
  kp: number,
  to: T,
  k: number,
  q0: number,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) to.set(from.subarray(r * kp, r * kp + k), (q0 + r) * k);
}
