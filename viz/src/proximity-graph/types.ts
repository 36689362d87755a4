/**
 * The proximity-graph payload (`application/vnd.tessera.proximity-graph.v1+json`): a graph's
 * nodes laid out in 2-D with their degrees and strongly connected components, optionally a
 * second graph over the same nodes to compare, and search traces. Per-node arrays travel as
 * packed typed arrays (common/packed.ts); edges are included in full only up to
 * `PROXIMITY_GRAPH_LIMITS.fullEdgeNodes` nodes, beyond that the widget asks the kernel.
 */
import type { PackedArray } from "../common/packed.js";
import type { LiveRef } from "../widget/live-messages.js";

export const MIME_PROXIMITY_GRAPH = "application/vnd.tessera.proximity-graph.v1+json";

/** Bounds that keep a payload small enough for a notebook. */
export const PROXIMITY_GRAPH_LIMITS = {
  /** Nodes a payload may carry (positions and per-node arrays: ~20 bytes a node). */
  nodes: 2_000_000,
  /** Largest graph whose edges travel in the payload. */
  fullEdgeNodes: 20_000,
  /** Out-degree (row width) of a graph. */
  degree: 1024,
  /** Node labels (beyond this, nodes are named by id only). */
  labels: 20_000,
  /** Classes a node may belong to. */
  classes: 256,
  /** Components listed by size (the rest are counted). */
  listedComponents: 1000,
  graphs: 2,
  traces: 32,
  /** Iterations of one trace. */
  steps: 2048,
  /** Characters of a title, name or label. */
  text: 200,
} as const;

/** One graph over the payload's nodes. */
export interface GraphLayer {
  /** E.g. "CAGRA (degree 32)", "kNN". */
  name: string;
  /** Row width of `edges` (the graph's fixed out-degree). */
  degree: number;
  /** u32 [nodes]: edges leaving each node. */
  outDegree: PackedArray;
  /** u32 [nodes]: edges pointing at each node. */
  inDegree: PackedArray;
  /** u32 [nodes]: strongly connected component of each node; 0 is the largest, then by size. */
  component: PackedArray;
  /** Number of strongly connected components. */
  componentCount: number;
  /** u32: sizes of the largest components, descending (at most `listedComponents`). */
  componentSizes: PackedArray;
  /** Mean number of distinct nodes within two hops (the CAGRA paper's 2-hop count). */
  twoHopMean?: number;
  /** u32 [nodes · degree]: row i holds node i's out-edges; ids ≥ nodes are empty slots. */
  edges?: PackedArray;
}

/** One iteration of a beam search. */
export interface TraceStep {
  /** u32: the internal top list after the merge, closest first. */
  top: PackedArray;
  /** u32: nodes expanded this iteration. */
  parents: PackedArray;
  /** u32: new candidates (distances computed), in expansion order. */
  candidates: PackedArray;
}

/** A query's search, drawn over the graph it ran on. */
export interface SearchTracePayload {
  label: string;
  /** Index into `graphs` of the graph searched. */
  graph: number;
  /** The query in the layout's coordinates. */
  position: [number, number];
  /** u32: the random entry points. */
  seeds: PackedArray;
  steps: TraceStep[];
  /** u32 [k]: the returned neighbours. */
  results: PackedArray;
  /** u8 [k]: 1 where results[i] is one of the query's exact k nearest neighbours. */
  hits: PackedArray;
}

export interface ProximityGraphPayload {
  version: 1;
  title?: string;
  /** Number of nodes. */
  nodes: number;
  /** How the positions were made ("pca", "umap", "user"), shown to the user. */
  layout: string;
  /** f32 [nodes · 2]: x, y of each node. */
  positions: PackedArray;
  /** One graph, or two to compare side by side (same nodes and positions). */
  graphs: GraphLayer[];
  /** A label per node (shown as text on hover). */
  labels?: string[];
  /** A class per node: u8 or u16 [nodes] indexes into `names`. */
  classes?: { names: string[]; of: PackedArray };
  traces?: SearchTracePayload[];
  /** The kernel object that serves edges and neighbourhoods (kernel/src/api/proximity-graph.ts). */
  live?: LiveRef;
}

/**
 * Methods the kernel side serves over the widget's comm; replies carry u32 buffers.
 * - `edges` `{ graph, node }` → buffers [out-edges, in-edges];
 * - `neighbourhood` `{ graph, node, hops }` → `{ nodes, edges }` counts and buffers
 *   [node ids, edge pairs (from, to, from, to, …)].
 */
export const PROXIMITY_GRAPH_METHODS = { edges: "edges", neighbourhood: "neighbourhood" } as const;
