/**
 * Small proximity-graph payloads for viz's tests and the widget benchmark: a ring graph over
 * nodes on a spiral, packed with the same pack() the kernel uses.
 */
import { pack } from "../src/common/packed.js";
import type { ProximityGraphPayload } from "../src/proximity-graph/types.js";

export interface FixtureOptions {
  nodes: number;
  degree?: number;
  /** Include edges (only valid up to 20,000 nodes). */
  edges?: boolean;
  /** Add a second graph over the same nodes (pairs linked both ways). */
  second?: boolean;
  trace?: boolean;
  labels?: (i: number) => string;
}

/**
 * Node i sits on a spiral; its out-edges go to i+1 … i+degree (mod n), so the graph is one
 * strongly connected component; the optional second graph links pairs (2i, 2i+1) both ways,
 * giving n/2 components of 2.
 */
export function fixturePayload(o: FixtureOptions): ProximityGraphPayload {
  const { nodes: n, degree = 4 } = o;
  const positions = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = i * 0.05;
    const r = 1 + i / Math.max(1, n);
    positions[2 * i] = r * Math.cos(a);
    positions[2 * i + 1] = r * Math.sin(a);
  }
  const edges = new Uint32Array(n * degree);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < degree; k++) edges[i * degree + k] = (i + k + 1) % n;
  const full = new Uint32Array(n).fill(degree);
  const payload: ProximityGraphPayload = {
    version: 1,
    title: "fixture",
    nodes: n,
    layout: "user",
    positions: pack("f32", positions),
    graphs: [
      {
        name: "ring",
        degree,
        outDegree: pack("u32", full),
        inDegree: pack("u32", full),
        component: pack("u32", new Uint32Array(n)),
        componentCount: 1,
        componentSizes: pack("u32", new Uint32Array([n])),
        twoHopMean: 2 * degree,
        ...(o.edges ? { edges: pack("u32", edges) } : {}),
      },
    ],
  };
  if (o.second) {
    const pairs = new Uint32Array(n).map((_, i) => i ^ 1);
    const one = new Uint32Array(n).fill(1);
    payload.graphs.push({
      name: "pairs",
      degree: 1,
      outDegree: pack("u32", one),
      inDegree: pack("u32", one),
      component: pack(
        "u32",
        new Uint32Array(n).map((_, i) => i >> 1),
      ),
      componentCount: n / 2,
      componentSizes: pack("u32", new Uint32Array(Math.min(1000, n / 2)).fill(2)),
      ...(o.edges ? { edges: pack("u32", pairs) } : {}),
    });
  }
  if (o.labels) payload.labels = Array.from({ length: n }, (_, i) => o.labels!(i));
  if (o.trace) {
    payload.traces = [
      {
        label: "query <b>0</b>",
        graph: 0,
        position: [positions[0]! + 0.01, positions[1]! + 0.01],
        seeds: pack("u32", new Uint32Array([10, 20])),
        steps: [
          {
            top: pack("u32", new Uint32Array([10, 20])),
            parents: pack("u32", new Uint32Array([10])),
            candidates: pack("u32", new Uint32Array([11, 12])),
          },
          {
            top: pack("u32", new Uint32Array([11, 12, 10])),
            parents: pack("u32", new Uint32Array([11])),
            candidates: pack("u32", new Uint32Array([13])),
          },
          {
            top: pack("u32", new Uint32Array([13, 11, 12])),
            parents: pack("u32", new Uint32Array(0)),
            candidates: pack("u32", new Uint32Array(0)),
          },
        ],
        results: pack("u32", new Uint32Array([13, 11])),
        hits: pack("u8", new Uint8Array([1, 0])),
      },
    ];
  }
  return payload;
}
