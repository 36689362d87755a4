import type { Matrix } from "../common/matrix.js";
import type { VectorStorage } from "./storage/vector-storage.js";

/**
 * Distance metrics, named as cuVS's Python API names them.
 * - `sqeuclidean`: squared L2 (cuVS L2Expanded), smaller is closer.
 * - `inner_product`: search ranks by −dot internally and reports +dot, as cuVS does.
 * - `cosine`: 1 − cos(a, b) (cuVS CosineExpanded).
 */
export type Metric = "sqeuclidean" | "inner_product" | "cosine";

/** The metrics, for validation and documentation. */
export const METRICS: readonly Metric[] = ["sqeuclidean", "inner_product", "cosine"];

/**
 * How the dataset is stored (and serialized). Distances are always computed in f32;
 * f16/i8/u8 keep the original values for persistence and for backends that read them.
 */
export type DType = "f32" | "f16" | "i8" | "u8";

/**
 * A fixed-degree directed graph over `size` nodes, row-major: the neighbours of node i
 * are `neighbors[i * degree .. (i + 1) * degree)`, ordered closest (rank 0) first.
 */
export interface Graph {
  readonly neighbors: Uint32Array;
  readonly size: number;
  readonly degree: number;
}

/** A kNN graph with the distance of every edge, rows sorted by distance. */
export interface KnnGraph extends Graph {
  readonly distances: Float32Array;
}

/**
 * A built CAGRA index: the dataset (f32 working copy, plus the dtype it came as), the
 * optimized graph [size, graphDegree] and the metric the graph was built for.
 */
export interface CagraIndex {
  readonly metric: Metric;
  readonly dtype: DType;
  /** The vectors, one row per node; absent for a graph-only index (attachDatasetOnBuild false). */
  readonly dataset: Matrix | undefined;
  readonly graph: Graph;
  /** The original row id of each node when the index covers a subset (cuVS source_indices). */
  readonly sourceIndices?: Uint32Array;
  /**
   * The vectors as searches read them when set (f16 or int8 to save memory, see
   * compressIndex), prepared for the metric; otherwise searches read `dataset`.
   */
  readonly storage?: VectorStorage;
}

/** The result of a batched k-NN search: [queries, k] ids and distances, row-major. */
export interface SearchResult {
  readonly neighbors: Uint32Array;
  readonly distances: Float32Array;
  readonly queries: number;
  readonly k: number;
}

/** Reported by long operations so a notebook can draw a progress bar. */
export interface Progress {
  /** What is being done, e.g. "knn", "optimize". */
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}
