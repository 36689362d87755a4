import assert from "node:assert/strict";
import { test } from "node:test";
import { cagra, cpuBackend, datasets, matrix } from "@tessera/gpu";
import { decodeProximityGraph, MIME_PROXIMITY_GRAPH, validateProximityGraph } from "@tessera/viz";
import { CommManager, type CommData } from "../comms/manager.js";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { serveLiveWidgets } from "./live.js";
import { proximityGraph } from "./proximity-graph.js";

const base = datasets.gaussianMixture({ rows: 1500, dim: 16, clusters: 8, spread: 0.3, seed: 3 });
const queries = datasets.gaussianMixture({ rows: 4, dim: 16, clusters: 8, spread: 0.3, seed: 3 });
const backend = cpuBackend();
const index = await cagra.build(backend, base, { intermediateGraphDegree: 32, graphDegree: 16 });
const knn = await cagra.bruteForceKnn(base, base, 16, "sqeuclidean", { excludeSelf: true });

test("proximityGraph makes a valid payload with both graphs, traces, the SVG and text", async () => {
  const view = await proximityGraph(index, {
    title: "mixture <1500>",
    compare: { graph: knn, name: "kNN" },
    trace: { queries, rows: [0, 2], k: 10 },
  });
  assert.ok(validateProximityGraph(view.payload).ok);
  const data = decodeProximityGraph(view.payload);
  assert.equal(data.nodes, 1500);
  assert.equal(data.graphs.length, 2);
  const [g, k] = data.graphs as [
    NonNullable<(typeof data.graphs)[0]>,
    NonNullable<(typeof data.graphs)[1]>,
  ];
  // Degrees and components agree with gpu's analysis; component 0 is the largest.
  const { inDegree } = cagra.degrees(index.graph);
  assert.deepEqual(g.inDegree, inDegree);
  assert.deepEqual(g.edges, index.graph.neighbors);
  const scc = cagra.stronglyConnectedComponents(knn);
  assert.equal(k.componentCount, scc.count);
  assert.equal(k.componentSizes[0], scc.largest);
  assert.ok(k.componentSizes.every((s, i) => i === 0 || s <= k.componentSizes[i - 1]!));
  assert.equal(k.component.filter((c) => c === 0).length, scc.largest);
  // Traces: the search's own results, hits counted against exact neighbours.
  assert.deepEqual(
    data.traces.map((t) => t.label),
    ["query 0", "query 2"],
  );
  const searched = await cagra.search(backend, index, queries, 10);
  assert.deepEqual(data.traces[1]!.results, searched.neighbors.subarray(20, 30));
  const exact = await cagra.bruteForceKnn(base, queries, 10, "sqeuclidean");
  const truth = new Set(exact.neighbors.subarray(0, 10));
  assert.deepEqual(
    data.traces[0]!.hits,
    Uint8Array.from(data.traces[0]!.results, (id) => (truth.has(id) ? 1 : 0)),
  );
  assert.ok(data.traces[0]!.steps.length > 1);
  const bundle = (await view[JUPYTER_DISPLAY]()) as Record<string, unknown>;
  assert.equal(bundle[MIME_PROXIMITY_GRAPH], view.payload);
  assert.match(String(bundle["image/svg+xml"]), /^<svg[^>]*>[\s\S]*mixture &lt;1500&gt;/);
  assert.match(String(bundle["text/plain"]), /proximity graph of 1500 nodes \(pca layout\)/);
  view.dispose();
});

test("the PCA layout is computed once per index; own coordinates are taken as given", async () => {
  const a = await proximityGraph(index);
  const b = await proximityGraph(index);
  assert.equal(a.payload.positions.base64, b.payload.positions.base64);
  const xy = new Float32Array(3000).map((_, i) => i);
  const own = await proximityGraph(index, { layout: xy });
  assert.deepEqual(decodeProximityGraph(own.payload).positions, xy);
  assert.equal(own.payload.layout, "user");
  await assert.rejects(
    proximityGraph(index, { layout: new Float32Array(5) }),
    /layout needs 3000 values/,
  );
  const withNaN = xy.slice();
  withNaN[7] = NaN;
  await assert.rejects(
    proximityGraph(index, { layout: withNaN }),
    /layout value 7 \(y of node 3\) is NaN; every coordinate must be a finite number/,
  );
  await assert.rejects(
    proximityGraph(index, {
      compare: { graph: { neighbors: new Uint32Array(4), size: 2, degree: 2 } },
    }),
    /compare.graph has 2 nodes, the index 1500/,
  );
  for (const v of [a, b, own]) v.dispose();
});

test("the live object serves a node's edges both ways and its 2-hop neighbourhood", async () => {
  const sent: { content: CommData; buffers?: readonly Uint8Array[] }[] = [];
  const manager = new CommManager((_, content, buffers) => sent.push({ content, buffers }));
  serveLiveWidgets(manager);
  const view = await proximityGraph(index);
  await manager.handleOpen(
    { comm_id: "pg", target_name: "tessera", data: { widget: view.payload.live!.id } },
    [],
  );
  const ask = async (request: number, method: string, params: CommData) => {
    await manager.handleMessage({ comm_id: "pg", data: { request, method, params } }, []);
    const last = sent.at(-1)!;
    const u32 = (b: Uint8Array) =>
      new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return { data: last.content.data as CommData, buffers: (last.buffers ?? []).map(u32) };
  };
  const node = 7;
  const edges = await ask(1, "edges", { graph: 0, node });
  const g = index.graph;
  assert.deepEqual(
    edges.buffers[0],
    g.neighbors.subarray(node * g.degree, (node + 1) * g.degree).filter((id) => id < g.size),
  );
  const expectedIn = [];
  for (let v = 0; v < g.size; v++)
    if (g.neighbors.subarray(v * g.degree, (v + 1) * g.degree).includes(node)) expectedIn.push(v);
  assert.deepEqual(
    [...edges.buffers[1]!].sort((a, b) => a - b),
    expectedIn,
  );
  const hood = await ask(2, "neighbourhood", { graph: 0, node, hops: 2 });
  const ids = new Set(hood.buffers[0]);
  assert.ok(ids.has(node));
  for (const w of edges.buffers[0]!) assert.ok(ids.has(w), "1-hop nodes are in the neighbourhood");
  const pairs = hood.buffers[1]!;
  assert.equal((hood.data["result"] as CommData)["edges"], pairs.length / 2);
  for (let i = 0; i < pairs.length; i += 2) {
    assert.ok(
      g.neighbors
        .subarray(pairs[i]! * g.degree, (pairs[i]! + 1) * g.degree)
        .includes(pairs[i + 1]!),
    );
  }
  const bad = await ask(3, "edges", { graph: 0, node: 99999 });
  assert.match(String(bad.data["error"]), /node must be an id below 1500/);
  view.dispose();
});

test("the UMAP layout is seeded, reports progress and is kept with the index", async () => {
  const stages = new Set<string>();
  const onProgress = ({ stage }: { stage: string }) => stages.add(stage);
  const a = await proximityGraph(index, { layout: "umap", seed: 3, onProgress });
  assert.equal(a.payload.layout, "umap");
  assert.deepEqual([...stages].sort(), ["knn", "umap"]);
  stages.clear();
  const b = await proximityGraph(index, { layout: "umap", seed: 3, onProgress });
  assert.equal(stages.size, 0, "the second view reuses the layout");
  assert.equal(a.payload.positions.base64, b.payload.positions.base64);
  const pca = await proximityGraph(index);
  assert.notEqual(a.payload.positions.base64, pca.payload.positions.base64);
  for (const v of [a, b, pca]) v.dispose();
});

test("bad classes and trace rows are named", async () => {
  await assert.rejects(
    proximityGraph(index, { classes: { of: new Uint8Array(1500).fill(3), names: ["a", "b"] } }),
    /classes.of\[0\] is 3, not an index into classes.names \(0 to 1\)/,
  );
  await assert.rejects(
    proximityGraph(index, { trace: { queries: matrix(new Float32Array(16), 1, 16), rows: [1] } }),
    /trace.rows holds 1, not a row of the 1 queries/,
  );
});
