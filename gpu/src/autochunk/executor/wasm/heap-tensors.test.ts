import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphBuilder } from "../../ir/builder.js";
import { estimateMemory } from "../../estimate/estimate.js";
import { execute } from "../execute.js";
import { tensor } from "../tensor.js";
import { markParam, residentParam } from "./resident-params.js";
import { kernelRuntime } from "./runtime.js";

test("a run's activations come from the heap and are all given back; outputs leave it", async () => {
  const g = new GraphBuilder();
  const x = g.input("x", [64, 48]);
  const w = g.param("w", [48, 40], { kind: "normal", std: 0.1 });
  g.output(g.softmax(g.gelu(g.linear(x, w)), -1));
  const graph = g.build();
  const { heap } = kernelRuntime();
  const input = tensor([64, 48], new Float32Array(64 * 48).fill(0.5));
  await execute(graph, [input]); // the first run also makes the weight's resident copy
  const before = heap.usedBytes;
  const run = await execute(graph, [input]);
  assert.equal(heap.usedBytes, before);
  assert.ok(run.outputs[0]!.data.buffer instanceof ArrayBuffer, "outputs are copied out");
  assert.equal(run.peakBytes, estimateMemory(graph).peakBytes);
});

test("a parameter is copied into the heap once and reused; other arrays are not kept", () => {
  const { heap } = kernelRuntime();
  const weights = new Float32Array([1, 2, 3]);
  const scratch = new Float32Array([4, 5, 6]);
  markParam(weights);
  const at = residentParam(heap, weights);
  assert.notEqual(at, null);
  assert.equal(residentParam(heap, weights), at);
  assert.deepEqual([...new Float32Array(heap.buffer, at!, 3)], [1, 2, 3]);
  assert.equal(residentParam(heap, scratch), null);
});

test("a parameter given as the caller's array is read afresh on every run", async () => {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 3]);
  const weights = new Float32Array([1, 0, 0, 1, 0, 0]);
  g.output(g.matmul(x, g.param("w", [3, 2], { kind: "data", data: weights })));
  const graph = g.build();
  const input = tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
  assert.deepEqual([...(await execute(graph, [input])).outputs[0]!.data], [1, 2, 4, 5]);
  weights.set([0, 1, 1, 0, 0, 0]);
  assert.deepEqual([...(await execute(graph, [input])).outputs[0]!.data], [2, 1, 5, 4]);
});
