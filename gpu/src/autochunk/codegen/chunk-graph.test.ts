import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../common/random.js";
import type { Graph, RegionTrace, Tensor } from "../internal.js";
import {
  GraphBuilder,
  chunkGraph,
  estimateMemory,
  execute,
  formatPseudocode,
  numel,
  regionMemory,
  searchContext,
  tensor,
  traceRegion,
} from "../internal.js";
import { mlp, seededParams } from "../models/index.js";

const rand = seededRandom(11);
const feeds = (graph: Graph): Tensor[] =>
  graph.inputs.map((id) => {
    const shape = graph.nodes[id]!.shape;
    return tensor(
      shape,
      new Float32Array(numel(shape)).map(() => rand() - 0.5),
    );
  });

function assertClose(want: Tensor, got: Tensor): void {
  assert.deepEqual(got.shape, want.shape);
  let scale = 0;
  for (const v of want.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.data.length; i++) {
    const err = Math.abs(got.data[i]! - want.data[i]!);
    assert.ok(err <= 1e-4 * scale, `element ${i}: ${got.data[i]} vs ${want.data[i]}`);
  }
}

/** relu(softmax(q·kᵀ/4 + bias)·v) on q, v [B, H, T, D], kT [B, H, D, T]; bias is a parameter. */
function attention(B: number, H: number, T: number, D: number) {
  const g = new GraphBuilder();
  const q = g.input("q", [B, H, T, D]);
  const kT = g.input("kT", [B, H, D, T]);
  const v = g.input("v", [B, H, T, D]);
  const bias = g.param("bias", [T, T], { kind: "causal_mask", fill: -1e9 });
  const scores = g.matmul(q, kT);
  const probs = g.softmax(g.add(g.scale(scores, 0.25), bias), -1);
  const y = g.matmul(probs, v);
  g.output(g.relu(y));
  return { graph: g.build(), scores, y };
}

function trace(graph: Graph, start: number, end: number, dim: number): RegionTrace {
  const result = traceRegion(searchContext(graph), start, end, dim);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.trace;
}

test("a chunked region computes the same values with the predicted, lower peak", async () => {
  const { graph, scores, y } = attention(2, 3, 20, 8);
  const inputs = feeds(graph);
  const want = await execute(graph, inputs);
  const base = estimateMemory(graph);
  assert.equal(base.peakBytes, want.peakBytes);
  // Along the query rows (slices of q copied: dims before it are not 1) and along the heads.
  for (const dim of [2, 1]) {
    const region = trace(graph, scores.id, y.id, dim);
    const memory = regionMemory(searchContext(graph), base, region);
    for (const chunkSize of [1, 2, 3, 7, region.length].filter((c) => c <= region.length)) {
      const { graph: chunked, loops, values } = chunkGraph(graph, [{ trace: region, chunkSize }]);
      const got = await execute(chunked, inputs);
      assertClose(want.outputs[0]!, got.outputs[0]!);
      const estimate = estimateMemory(chunked);
      assert.equal(estimate.peakBytes, got.peakBytes, `dim ${dim}, chunk ${chunkSize}`);
      // The span model (estimated at sizes 1 and 2) equals the estimate of the emitted span.
      const first = values[region.start - 1]!.id + 1;
      const last = values[region.end + 1]!.id - 1;
      const span = Math.max(...estimate.nodes.slice(first, last + 1).map((m) => m.peakBytes));
      assert.equal(memory.peakAt(chunkSize), span, `dim ${dim}, chunk ${chunkSize}`);
      assert.equal(loops[0]!.op, "chunk_loop");
      if (chunkSize < region.length / 2) assert.ok(got.peakBytes < want.peakBytes);
    }
  }
});

test("several outputs and hoisted nodes: the chunked MLP matches, outputs via get_item", async () => {
  const g = new GraphBuilder();
  const p = seededParams(g, 3);
  const x = g.input("x", [1, 30, 16]);
  const h = mlp(p, "mlp", x, 64, "gelu");
  const scale = g.exp(p.normal("s", [16], 0.1)); // parameter-only work in the region
  const out = g.mul(h, scale);
  const side = g.tanh(h);
  g.output(g.add(out, x), side);
  const graph = g.build();
  const fc1 = graph.nodes.find((n) => n.name === "mlp.fc1.linear")!;
  const region = trace(graph, fc1.id, out.id, 1);
  assert.deepEqual(region.hoisted.map((id) => graph.nodes[id]!.op).includes("exp"), true);
  assert.equal(region.outputs.length, 2); // h (read by tanh after the region) and out
  const inputs = feeds(graph);
  const want = await execute(graph, inputs);
  const { graph: chunked } = chunkGraph(graph, [{ trace: region, chunkSize: 8 }]);
  const items = chunked.nodes.filter((n) => n.op === "get_item");
  assert.deepEqual(
    items.map((n) => n.name),
    region.outputs.map((o) => graph.nodes[o.node]!.name),
  );
  const got = await execute(chunked, inputs);
  assertClose(want.outputs[0]!, got.outputs[0]!);
  assertClose(want.outputs[1]!, got.outputs[1]!);
  assert.equal(estimateMemory(chunked).peakBytes, got.peakBytes);
});

test("regions must be disjoint and chunk sizes in range", () => {
  const { graph, scores, y } = attention(1, 2, 8, 4);
  const a = trace(graph, scores.id, y.id, 2);
  const b = trace(graph, y.id, y.id + 1, 2);
  assert.throws(
    () =>
      chunkGraph(graph, [
        { trace: a, chunkSize: 2 },
        { trace: b, chunkSize: 2 },
      ]),
    /regions \[\d+, \d+\] and \[\d+, \d+\] overlap/,
  );
  assert.throws(
    () => chunkGraph(graph, [{ trace: a, chunkSize: 9 }]),
    /chunkSize must be an integer in \[1, 8\]/,
  );
});

test("the pseudocode shows each loop with its slices, preallocated outputs and write-back", () => {
  const { graph, scores, y } = attention(1, 2, 10, 4);
  const region = trace(graph, scores.id, y.id, 2);
  const { graph: chunked } = chunkGraph(graph, [{ trace: region, chunkSize: 4 }]);
  const text = formatPseudocode(chunked);
  assert.match(
    text,
    /^def program\(q: f32\[1,2,10,4\], kT: f32\[1,2,4,10\], v: f32\[1,2,10,4\]\):/,
  );
  assert.match(text, /chunk0 = empty\(f32\[1,2,10,4\]\) {2}# preallocated output/);
  assert.match(text, /for i in range\(0, 10, 4\): {2}# the last runs the tail body on 2/);
  assert.match(text, /matmul = matmul\(q\[:, :, i:i\+4\], kT\) {2}# f32\[1,2,4,10\]/);
  assert.match(text, /add = add\(scale, bias\[i:i\+4\]\)/);
  assert.match(text, /chunk0\[:, :, i:i\+4\] = matmul_1/);
  assert.match(text, /relu = relu\(chunk0\)/);
  assert.match(text, /return relu$/);
});
