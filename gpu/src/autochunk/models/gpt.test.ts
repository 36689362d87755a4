import assert from "node:assert/strict";
import { test } from "node:test";
import { assertParity, compareWithTorch, TORCH_MISSING } from "../../../test/torch-reference.js";
import { estimateMemory, execute, tensor } from "../index.js";
import { gptPrefill } from "./gpt.js";

const small = { seq: 32, nEmbd: 64, nHead: 4, nLayer: 2, vocab: 100 } as const;

test(
  "gptPrefill matches a PyTorch GPT-2 prefill with the same weights and inputs",
  {
    skip: TORCH_MISSING,
  },
  async () => {
    const [out] = await compareWithTorch(gptPrefill(small), "gpt");
    assert.deepEqual(out!.shape, [1, 32, 64]);
    assertParity("the output", out!);
  },
);

test("gptPrefill is causal: changing the last token changes only the last position", async () => {
  const model = gptPrefill(small);
  const inputs = model.makeInputs();
  const ids = inputs.input_ids!.data as Int32Array;
  const changed = ids.slice();
  changed[31] = (changed[31]! + 1) % 100;
  const [a] = (await execute(model.graph, inputs)).outputs;
  const [b] = (await execute(model.graph, { input_ids: tensor([1, 32], changed) })).outputs;
  const width = 64;
  assert.deepEqual(a!.data.subarray(0, 31 * width), b!.data.subarray(0, 31 * width));
  assert.notDeepEqual(a!.data.subarray(31 * width), b!.data.subarray(31 * width));
});

test("gptPrefill: the estimated peak equals the measured one", async () => {
  const model = gptPrefill({ ...small, batch: 2 });
  const run = await execute(model.graph, model.makeInputs());
  assert.equal(estimateMemory(model.graph).peakBytes, run.peakBytes);
  assert.deepEqual(run.outputs[0]!.shape, [2, 32, 64]);
});

test("gptPrefill: at long sequences the attention scores [B, H, T, T] are the peak", () => {
  const { graph, sequenceLength } = gptPrefill({ seq: 2048 });
  const est = estimateMemory(graph);
  const peak = graph.nodes[est.peakNode]!;
  assert.equal(sequenceLength, 2048);
  assert.match(peak.name, /^h0\.attn\./);
  assert.deepEqual(peak.shape, [1, 12, 2048, 2048]);
  // two score-sized tensors are live while one op turns one into the next
  assert.ok(est.peakBytes >= 2 * 12 * 2048 * 2048 * 4);
});

test("gptPrefill: the seed fixes weights and inputs", async () => {
  const run = async (seed: number) => {
    const model = gptPrefill({ ...small, nLayer: 1, seed });
    return (await execute(model.graph, model.makeInputs())).outputs[0]!.data;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
});

test("gptPrefill rejects bad configs, naming the field", () => {
  assert.throws(() => gptPrefill({ seq: 0 }), /gptPrefill: seq must be an integer ≥ 1, got 0/);
  assert.throws(
    () => gptPrefill({ seq: 8, nEmbd: 100 }),
    /gptPrefill: nEmbd \(100\) must be a multiple of nHead \(12\)/,
  );
  assert.throws(
    () => gptPrefill({ seq: 2048, nPositions: 1024 }),
    /nPositions must be an integer ≥ 2048, got 1024/,
  );
});
