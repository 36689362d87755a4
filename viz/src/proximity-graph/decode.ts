import { unpack } from "../common/packed.js";
import type { GraphLayer, ProximityGraphPayload, SearchTracePayload } from "./types.js";

/** A graph of the payload with its arrays unpacked. */
export interface GraphData {
  readonly name: string;
  readonly degree: number;
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly component: Uint32Array;
  readonly componentCount: number;
  readonly componentSizes: Uint32Array;
  readonly twoHopMean: number | undefined;
  /** [nodes · degree], or undefined when the kernel serves edges. */
  readonly edges: Uint32Array | undefined;
}

export interface TraceStepData {
  readonly top: Uint32Array;
  readonly parents: Uint32Array;
  readonly candidates: Uint32Array;
}

export interface TraceData {
  readonly label: string;
  readonly graph: number;
  readonly position: readonly [number, number];
  readonly seeds: Uint32Array;
  readonly steps: readonly TraceStepData[];
  readonly results: Uint32Array;
  readonly hits: Uint8Array;
  /** visitOrder[node]: the step (1-based; 0 = seed) at which the node's distance was first computed, or -1. */
  readonly visitOrder: Int32Array;
}

/** The payload with every packed array unpacked, as the renderer draws it. */
export interface ExplorerData {
  readonly nodes: number;
  readonly positions: Float32Array;
  /** Bounding box of the positions (and the trace queries): [minX, minY, maxX, maxY]. */
  readonly extent: readonly [number, number, number, number];
  readonly graphs: readonly GraphData[];
  readonly labels: readonly string[] | undefined;
  readonly classes:
    { readonly names: readonly string[]; readonly of: Uint8Array | Uint16Array } | undefined;
  readonly traces: readonly TraceData[];
}

/**
 * Unpacks a validated payload; throws a RangeError naming the field whose base64 does not
 * hold its stated values.
 *
 * @example
 * const data = decodeProximityGraph(payload);
 * data.graphs[0]!.inDegree[42]; // edges pointing at node 42
 */
export function decodeProximityGraph(p: ProximityGraphPayload): ExplorerData {
  const positions = unpack({ ...p.positions, dtype: "f32" }, "positions");
  const traces = (p.traces ?? []).map((t, i) => decodeTrace(t, p.nodes, `traces[${i}]`));
  return {
    nodes: p.nodes,
    positions,
    extent: extent(positions, traces),
    graphs: p.graphs.map((g, i) => decodeGraph(g, `graphs[${i}]`)),
    labels: p.labels,
    classes: p.classes && {
      names: p.classes.names,
      of:
        p.classes.of.dtype === "u16"
          ? unpack({ ...p.classes.of, dtype: "u16" }, "classes.of")
          : unpack({ ...p.classes.of, dtype: "u8" }, "classes.of"),
    },
    traces,
  };
}

function u32(a: { dtype: string; length: number; base64: string }, path: string): Uint32Array {
  return unpack({ ...a, dtype: "u32" }, path);
}

function decodeGraph(g: GraphLayer, path: string): GraphData {
  return {
    name: g.name,
    degree: g.degree,
    outDegree: u32(g.outDegree, `${path}.outDegree`),
    inDegree: u32(g.inDegree, `${path}.inDegree`),
    component: u32(g.component, `${path}.component`),
    componentCount: g.componentCount,
    componentSizes: u32(g.componentSizes, `${path}.componentSizes`),
    twoHopMean: g.twoHopMean,
    edges: g.edges && u32(g.edges, `${path}.edges`),
  };
}

function decodeTrace(t: SearchTracePayload, nodes: number, path: string): TraceData {
  const seeds = u32(t.seeds, `${path}.seeds`);
  const steps = t.steps.map((s, i) => ({
    top: u32(s.top, `${path}.steps[${i}].top`),
    parents: u32(s.parents, `${path}.steps[${i}].parents`),
    candidates: u32(s.candidates, `${path}.steps[${i}].candidates`),
  }));
  const visitOrder = new Int32Array(nodes).fill(-1);
  for (const id of seeds) if (id < nodes && visitOrder[id] === -1) visitOrder[id] = 0;
  steps.forEach((s, i) => {
    for (const id of s.candidates) if (id < nodes && visitOrder[id] === -1) visitOrder[id] = i + 1;
  });
  return {
    label: t.label,
    graph: t.graph,
    position: t.position,
    seeds,
    steps,
    results: u32(t.results, `${path}.results`),
    hits: unpack({ ...t.hits, dtype: "u8" }, `${path}.hits`),
    visitOrder,
  };
}

function extent(
  positions: Float32Array,
  traces: readonly TraceData[],
): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (x: number, y: number): void => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  };
  for (let i = 0; i < positions.length; i += 2) add(positions[i]!, positions[i + 1]!);
  for (const t of traces) add(t.position[0], t.position[1]);
  if (x0 > x1) return [-1, -1, 1, 1];
  // A degenerate axis (all x equal) still gets a unit of room, so the scale stays finite.
  if (x1 - x0 < 1e-12) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  return [x0, y0, x1, y1];
}
