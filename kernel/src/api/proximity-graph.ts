/**
 * `proximityGraph(index)`: CAGRA's graph as the proximity-graph explorer shows it. The
 * payload carries positions (PCA by default, UMAP or the user's own), degrees and strongly
 * connected components as packed typed arrays, edges up to 20,000 nodes, a second graph to
 * compare and search traces; a live object serves the edges and 2-hop neighbourhoods the
 * widget asks for.
 */
import { cagra, cpuBackend, matrix, type Matrix } from "@tessera/gpu";
import {
  MIME_PROXIMITY_GRAPH,
  pack,
  PROXIMITY_GRAPH_LIMITS as LIMITS,
  proximityGraphSvg,
  validateProximityGraph,
  type GraphLayer,
  type ProximityGraphPayload,
  type SearchTracePayload,
} from "@tessera/viz";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";
import { liveWidget, type LiveResult } from "./live.js";
import { progress, type ProgressBar } from "./progress.js";

type Graph = cagra.Graph;
type CagraIndex = cagra.CagraIndex;

export interface ProximityGraphOptions {
  title?: string;
  /** Name of the index's graph (default "CAGRA (degree G)"). */
  name?: string;
  /**
   * Node positions: "pca" (default), "umap" (seeded, with a progress bar), or the user's own
   * 2-D coordinates ([nodes · 2] values, or a nodes × 2 matrix). PCA and UMAP are computed
   * once per index and kept with it.
   */
  layout?: "pca" | "umap" | Float32Array | Matrix;
  /** Seed of the layout (default 0). */
  seed?: number;
  /** A second graph over the same nodes, shown beside the first with linked selection. */
  compare?: { graph: Graph; name?: string };
  /** A label per node, shown on hover (as text). */
  labels?: readonly string[];
  /** A class per node (indexes into `names`), for colouring. */
  classes?: { of: ArrayLike<number>; names: readonly string[] };
  /** Queries whose search to trace: `rows` of `queries` (default the first), `k` results (default 10). */
  trace?: {
    queries: Matrix;
    rows?: readonly number[];
    k?: number;
    params?: Partial<cagra.SearchParams>;
  };
  /** Nodes sampled for the mean 2-hop reach (default 5,000; all nodes when fewer). */
  twoHopSample?: number;
  /** Progress of a UMAP layout (default: a progress bar in the cell's output). */
  onProgress?: (p: cagra.Progress) => void;
}

/** A displayable proximity graph; `payload` is the plain data the widget gets. */
export interface ProximityGraph extends Displayable {
  readonly payload: ProximityGraphPayload;
  /** Stops serving the widget's requests (edges, neighbourhoods). */
  dispose(): void;
}

/** A layout kept with its index, and how to place new vectors (queries) in it. */
interface CachedLayout {
  positions: Float32Array;
  place?: (vectors: Matrix) => Float32Array;
}

const layouts = new WeakMap<CagraIndex, Map<string, CachedLayout>>();

/**
 * The explorer for a CAGRA index. As a cell's last value it renders as the interactive
 * explorer in JupyterLab, and as SVG or text elsewhere.
 *
 * @example
 * await proximityGraph(index, {
 *   compare: { graph: knn, name: "kNN" },
 *   trace: { queries, rows: [0, 1] },
 * });
 */
export async function proximityGraph(
  index: CagraIndex,
  options: ProximityGraphOptions = {},
): Promise<ProximityGraph> {
  const graph = index.graph;
  const nodes = graph.size;
  if (nodes > LIMITS.nodes) {
    throw new RangeError(
      `proximityGraph: ${nodes} nodes exceed the widget's limit of ${LIMITS.nodes}; build the explorer on a sample.`,
    );
  }
  const graphs: Graph[] = [graph];
  if (options.compare) {
    if (options.compare.graph.size !== nodes) {
      throw new RangeError(
        `proximityGraph: compare.graph has ${options.compare.graph.size} nodes, the index ${nodes}; both graphs must cover the same nodes.`,
      );
    }
    graphs.push(options.compare.graph);
  }
  const layout = await layoutOf(index, options);
  const names = [options.name ?? `CAGRA (degree ${graph.degree})`, options.compare?.name ?? "kNN"];
  const live = liveWidget(liveMethods(graphs));
  const payload: ProximityGraphPayload = {
    version: 1,
    ...(options.title !== undefined ? { title: options.title } : {}),
    nodes,
    layout: layout.name,
    positions: pack("f32", layout.positions),
    graphs: graphs.map((g, i) => graphLayer(g, names[i]!, options.twoHopSample ?? 5000)),
    ...(options.labels ? { labels: [...options.labels] } : {}),
    ...(options.classes ? { classes: packClasses(options.classes, nodes) } : {}),
    ...(options.trace ? { traces: await traces(index, layout, options.trace) } : {}),
    live: live.ref,
  };
  const checked = validateProximityGraph(payload);
  if (!checked.ok) {
    live.dispose();
    throw new TypeError(
      `proximityGraph(): the options do not make a valid graph view:\n  ${checked.errors.join("\n  ")}`,
    );
  }
  return {
    payload,
    dispose: live.dispose,
    [JUPYTER_DISPLAY]: (): MimeBundle => ({
      [MIME_PROXIMITY_GRAPH]: payload,
      "image/svg+xml": proximityGraphSvg(payload),
      "text/plain": summary(payload, graphs),
    }),
  };
}

/** One graph's layer: degrees, components renumbered by size, 2-hop reach, edges if small. */
function graphLayer(graph: Graph, name: string, twoHopSample = 5000): GraphLayer {
  const { outDegree, inDegree } = cagra.degrees(graph);
  const scc = cagra.stronglyConnectedComponents(graph);
  // Component 0 becomes the largest: the widget lists and colours them by size.
  const order = Array.from(scc.sizes.keys()).sort((a, b) => scc.sizes[b]! - scc.sizes[a]! || a - b);
  const rank = new Uint32Array(scc.count);
  order.forEach((c, r) => (rank[c] = r));
  const component = scc.component.map((c) => rank[c]!);
  const sizes = Uint32Array.from(order.slice(0, LIMITS.listedComponents), (c) => scc.sizes[c]!);
  const reach = cagra.twoHopReach(graph, { sample: twoHopSample, seed: 0 });
  return {
    name,
    degree: graph.degree,
    outDegree: pack("u32", outDegree),
    inDegree: pack("u32", inDegree),
    component: pack("u32", component),
    componentCount: scc.count,
    componentSizes: pack("u32", sizes),
    twoHopMean: reach.mean,
    ...(graph.size <= LIMITS.fullEdgeNodes ? { edges: pack("u32", graph.neighbors) } : {}),
  };
}

async function layoutOf(
  index: CagraIndex,
  options: ProximityGraphOptions,
): Promise<CachedLayout & { name: string }> {
  const nodes = index.graph.size;
  const layout = options.layout ?? "pca";
  if (typeof layout !== "string") {
    const values = layout instanceof Float32Array ? layout : layout.data;
    if (!(layout instanceof Float32Array) && layout.cols !== 2) {
      throw new RangeError(
        `proximityGraph: a layout matrix must have 2 columns, got ${layout.cols}.`,
      );
    }
    if (values.length !== nodes * 2) {
      throw new RangeError(
        `proximityGraph: layout needs ${nodes * 2} values (x, y per node), got ${values.length}.`,
      );
    }
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new RangeError(
        `proximityGraph: layout value ${bad} (${bad % 2 === 0 ? "x" : "y"} of node ${bad >> 1}) is ${values[bad]}; every coordinate must be a finite number.`,
      );
    }
    return { name: "user", positions: values };
  }
  if (layout !== "pca" && layout !== "umap") {
    throw new RangeError(
      `proximityGraph: layout must be "pca", "umap" or coordinates, got "${String(layout)}".`,
    );
  }
  const data = index.dataset;
  if (!data) {
    throw new RangeError(
      "proximityGraph: this index holds no vectors to lay out; pass your own coordinates as `layout`.",
    );
  }
  const seed = options.seed ?? 0;
  const key = `${layout}:${seed}`;
  const cache = layouts.get(index) ?? new Map<string, CachedLayout>();
  layouts.set(index, cache);
  let cached = cache.get(key);
  if (!cached) {
    if (layout === "pca") {
      const pca = cagra.fitPca2(data, { seed });
      cached = { positions: cagra.projectPca2(pca, data), place: (v) => cagra.projectPca2(pca, v) };
    } else {
      const onProgress = options.onProgress ?? progressBar("umap");
      cached = { positions: await cagra.umapLayout(data, { seed, onProgress }) };
    }
    cache.set(key, cached);
  }
  return { name: layout, ...cached };
}

/** A progress bar per stage in the cell's output; nothing outside a kernel (tests, scripts). */
function progressBar(label: string): (p: cagra.Progress) => void {
  const bars = new Map<string, ProgressBar | null>();
  return ({ stage, done, total }) => {
    if (!bars.has(stage)) {
      try {
        bars.set(stage, progress(total, { label: `${label}: ${stage}` }));
      } catch {
        bars.set(stage, null); // not in a kernel cell: no output to draw in
      }
    }
    bars.get(stage)?.set(done);
  };
}

function packClasses(
  classes: NonNullable<ProximityGraphOptions["classes"]>,
  nodes: number,
): NonNullable<ProximityGraphPayload["classes"]> {
  const of = classes.names.length <= 256 ? new Uint8Array(nodes) : new Uint16Array(nodes);
  if (classes.of.length !== nodes) {
    throw new RangeError(
      `proximityGraph: classes.of needs one class per node (${nodes}), got ${classes.of.length}.`,
    );
  }
  for (let i = 0; i < nodes; i++) {
    const c = classes.of[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes.names.length) {
      throw new RangeError(
        `proximityGraph: classes.of[${i}] is ${c}, not an index into classes.names (0 to ${classes.names.length - 1}).`,
      );
    }
    of[i] = c;
  }
  return of instanceof Uint8Array
    ? { names: [...classes.names], of: pack("u8", of) }
    : { names: [...classes.names], of: pack("u16", of) };
}

/** Searches the traced queries on the CPU (which records traces) and marks hits against exact neighbours. */
async function traces(
  index: CagraIndex,
  layout: CachedLayout,
  trace: NonNullable<ProximityGraphOptions["trace"]>,
): Promise<SearchTracePayload[]> {
  const { queries, rows = [0], k = 10, params = {} } = trace;
  if (rows.length > LIMITS.traces) {
    throw new RangeError(
      `proximityGraph: at most ${LIMITS.traces} traced queries, got ${rows.length}.`,
    );
  }
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= queries.rows) {
      throw new RangeError(
        `proximityGraph: trace.rows holds ${r}, not a row of the ${queries.rows} queries.`,
      );
    }
  }
  const picked = new Float32Array(rows.length * queries.cols);
  rows.forEach((r, i) =>
    picked.set(queries.data.subarray(r * queries.cols, (r + 1) * queries.cols), i * queries.cols),
  );
  const sub = matrix(picked, rows.length, queries.cols);
  const traceQueries = rows.map((_, i) => i);
  const found = await cagra.search(cpuBackend(), index, sub, k, params, { traceQueries });
  const exact = await cagra.bruteForceKnn(index.dataset!, sub, k, index.metric);
  const placed = layout.place?.(sub);
  return found.traces.map((t) => {
    const q = t.query;
    const results = found.neighbors.slice(q * k, (q + 1) * k);
    const truth = new Set(exact.neighbors.subarray(q * k, (q + 1) * k));
    const hits = Uint8Array.from(results, (id) => (truth.has(id) ? 1 : 0));
    return {
      label: `query ${rows[q]}`,
      graph: 0,
      position: placed
        ? [placed[2 * q]!, placed[2 * q + 1]!]
        : centroid(layout.positions, exact.neighbors.subarray(q * k, (q + 1) * k)),
      seeds: pack("u32", t.seedIds),
      steps: t.steps.map((s) => ({
        top: pack("u32", s.topIds),
        parents: pack("u32", s.parents),
        candidates: pack("u32", s.candidateIds),
      })),
      results: pack("u32", results),
      hits: pack("u8", hits),
    };
  });
}

/** Where a query sits in a layout that cannot place new vectors: among its exact neighbours. */
function centroid(positions: Float32Array, ids: Uint32Array): [number, number] {
  let [x, y] = [0, 0];
  for (const id of ids) [x, y] = [x + positions[2 * id]!, y + positions[2 * id + 1]!];
  return [x / Math.max(1, ids.length), y / Math.max(1, ids.length)];
}

/** The widget's requests: a node's edges (both ways) and its neighbourhood. */
function liveMethods(graphs: Graph[]) {
  const reverse = new Map<number, ReverseEdges>();
  const graphAt = (params: Record<string, unknown>): [Graph, number] => {
    const i = Number(params["graph"] ?? 0);
    const g = graphs[i];
    if (!g) throw new RangeError(`no graph ${String(params["graph"])}`);
    return [g, i];
  };
  const nodeOf = (params: Record<string, unknown>, g: Graph): number => {
    const node = Number(params["node"]);
    if (!Number.isInteger(node) || node < 0 || node >= g.size) {
      throw new RangeError(`node must be an id below ${g.size}, got ${String(params["node"])}`);
    }
    return node;
  };
  return {
    edges: (params: Record<string, unknown>): LiveResult => {
      const [g, i] = graphAt(params);
      const node = nodeOf(params, g);
      if (!reverse.has(i)) reverse.set(i, reverseEdges(g));
      const out = outEdges(g, node);
      const inEdges = reverse.get(i)!.of(node);
      return {
        result: { out: out.length, in: inEdges.length },
        buffers: [bytes(out), bytes(inEdges)],
      };
    },
    neighbourhood: (params: Record<string, unknown>): LiveResult => {
      const [g] = graphAt(params);
      const node = nodeOf(params, g);
      const hops = Math.min(3, Math.max(1, Number(params["hops"] ?? 2)));
      const { ids, edges } = neighbourhood(g, node, hops, 20_000);
      return {
        result: { nodes: ids.length, edges: edges.length / 2, hops },
        buffers: [bytes(ids), bytes(edges)],
      };
    },
  };
}

function bytes(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function outEdges(g: Graph, node: number): Uint32Array {
  const row = g.neighbors.subarray(node * g.degree, (node + 1) * g.degree);
  return row.filter((id) => id < g.size);
}

interface ReverseEdges {
  of(node: number): Uint32Array;
}

/** In-edges of every node as CSR (built once per graph, O(nodes · degree)). */
function reverseEdges(g: Graph): ReverseEdges {
  const { inDegree } = cagra.degrees(g);
  const start = new Uint32Array(g.size + 1);
  for (let i = 0; i < g.size; i++) start[i + 1] = start[i]! + inDegree[i]!;
  const fill = start.slice(0, g.size);
  const sources = new Uint32Array(start[g.size]!);
  for (let src = 0; src < g.size; src++) {
    for (let k = src * g.degree, end = k + g.degree; k < end; k++) {
      const dst = g.neighbors[k]!;
      if (dst < g.size) sources[fill[dst]!++] = src;
    }
  }
  return { of: (node) => sources.subarray(start[node]!, start[node + 1]!) };
}

/** Breadth-first out-neighbourhood of `node` up to `hops`, and the edges it followed. */
export function neighbourhood(
  g: Graph,
  node: number,
  hops: number,
  maxNodes: number,
): { ids: Uint32Array; edges: Uint32Array } {
  const seen = new Set<number>([node]);
  const edges: number[] = [];
  let frontier = [node];
  for (let h = 0; h < hops && seen.size < maxNodes; h++) {
    const next: number[] = [];
    for (const v of frontier) {
      for (const w of outEdges(g, v)) {
        edges.push(v, w);
        if (!seen.has(w) && seen.size < maxNodes) {
          seen.add(w);
          next.push(w);
        }
      }
    }
    frontier = next;
  }
  return { ids: Uint32Array.from(seen), edges: Uint32Array.from(edges) };
}

function summary(p: ProximityGraphPayload, graphs: Graph[]): string {
  const lines = [
    `${p.title ? `${p.title}: ` : ""}proximity graph of ${p.nodes} nodes (${p.layout} layout)`,
  ];
  p.graphs.forEach((g, i) => {
    lines.push(
      `  ${g.name}: degree ${graphs[i]!.degree}, ${g.componentCount} strongly connected components, mean 2-hop reach ${(g.twoHopMean ?? 0).toFixed(0)}`,
    );
  });
  for (const t of p.traces ?? []) lines.push(`  trace of ${t.label}: ${t.steps.length} iterations`);
  return lines.join("\n");
}
