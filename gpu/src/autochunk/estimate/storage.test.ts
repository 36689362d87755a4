import assert from "node:assert/strict";
import { test } from "node:test";
import { residualLoop } from "../../../test/fixtures/autochunk-residual-loop.js";
import { seededRandom } from "../../common/random.js";
import { chunkGraph } from "../codegen/chunk-graph.js";
import { execute } from "../executor/execute.js";
import { tensor } from "../executor/tensor.js";
import { GraphBuilder } from "../ir/builder.js";
import type { Graph } from "../ir/graph.js";
import { numel } from "../ir/shape.js";
import { searchContext } from "../search/context.js";
import { traceRegion } from "../search/trace.js";
import { estimateMemory } from "./estimate.js";
import { planStorage } from "./storage.js";

const loopOf = (graph: Graph) => graph.nodes.find((n) => n.op === "chunk_loop")!;

async function runBoth(graph: Graph, chunked: Graph) {
  const rand = seededRandom(4);
  const x = graph.nodes[graph.inputs[0]!]!;
  const feeds = [
    tensor(
      x.shape,
      Float32Array.from({ length: numel(x.shape) }, () => rand() - 0.5),
    ),
  ];
  return { want: await execute(graph, feeds), got: await execute(chunked, feeds) };
}

for (const [B, dim] of [
  [1, 1],
  [2, 1],
  [3, 0],
] as const) {
  test(`a chunk loop writes its output over the input it reads last (B ${B}, chunk dim ${dim}), as estimated`, async () => {
    const { graph, chunked } = residualLoop(B, dim, false);
    const plan = planStorage(chunked);
    const loop = loopOf(chunked);
    const sliced = loop.inputs.find((id) => chunked.nodes[id]!.op === "relu")!;
    assert.equal(plan.storageOf[loop.id]![0], plan.storageOf[sliced]![0]);
    assert.deepEqual(plan.allocatedAt[loop.id], []);
    const { want, got } = await runBoth(graph, chunked);
    const a = want.outputs[0]!.data;
    const b = got.outputs[0]!.data;
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `element ${i}: ${a[i]} vs ${b[i]}`);
    }
    assert.equal(got.peakBytes, estimateMemory(chunked).peakBytes);
    // Beside the slices and the body, the loop holds one [B, 12, 8] buffer, not two.
    const kept = residualLoop(B, dim, true);
    assert.equal(
      estimateMemory(kept.chunked).nodes[loopOf(kept.chunked).id]!.peakBytes -
        estimateMemory(chunked).nodes[loop.id]!.peakBytes,
      B * 12 * 8 * 4,
    );
  });
}

test("an input read after the loop, or a graph input, is not written over", async () => {
  const { graph, chunked } = residualLoop(2, 1, true);
  const plan = planStorage(chunked);
  const loop = loopOf(chunked);
  const sliced = loop.inputs.find((id) => chunked.nodes[id]!.op === "relu")!;
  assert.notEqual(plan.storageOf[loop.id]![0], plan.storageOf[sliced]![0]);
  assert.equal(plan.allocatedAt[loop.id]!.length, 1);
  const { want, got } = await runBoth(graph, chunked);
  assert.deepEqual(got.outputs[1]!.data, want.outputs[1]!.data);
  assert.equal(got.peakBytes, estimateMemory(chunked).peakBytes);

  // Chunking straight from the graph input x: its storage is the caller's, never overwritten.
  const g = new GraphBuilder();
  const x = g.input("x", [2, 12, 8]);
  const y = g.add(x, g.relu(x));
  g.output(y);
  const fromInput = g.build();
  const trace = traceRegion(searchContext(fromInput), y.id - 1, y.id, 1);
  assert.ok(trace.ok);
  const loopGraph = chunkGraph(fromInput, [{ trace: trace.trace, chunkSize: 5 }]).graph;
  const loopPlan = planStorage(loopGraph);
  assert.equal(loopPlan.allocatedAt[loopOf(loopGraph).id]!.length, 1);
  // Unless the caller says the input stands for an activation it may overwrite (a region's span).
  const reusable = planStorage(loopGraph, { reusable: new Set(loopGraph.inputs) });
  assert.deepEqual(reusable.allocatedAt[loopOf(loopGraph).id], []);
});
