import assert from "node:assert/strict";
import { test } from "node:test";
import { assertParity, compareWithTorch, TORCH_MISSING } from "../../../test/torch-reference.js";
import { estimateMemory, execute, tensor } from "../index.js";
import { vit } from "./vit.js";

const small = { image: 32, patch: 8, dim: 64, depth: 2, heads: 4, classes: 10 } as const;

test(
  "vit matches a PyTorch (timm-style) ViT with the same weights and inputs",
  {
    skip: TORCH_MISSING,
  },
  async () => {
    const [out] = await compareWithTorch(vit({ ...small, batch: 2 }), "vit");
    assert.deepEqual(out!.shape, [2, 10]);
    assertParity("the output", out!);
  },
);

test("vit classifies each image of a batch on its own", async () => {
  const pair = vit({ ...small, batch: 2 });
  const inputs = pair.makeInputs();
  const [both] = (await execute(pair.graph, inputs)).outputs;
  const first = inputs.pixel_values!.data.subarray(0, 3 * 32 * 32) as Float32Array;
  const [one] = (await execute(vit(small).graph, [tensor([1, 3, 32, 32], first)])).outputs;
  assert.deepEqual(one!.shape, [1, 10]);
  one!.data.forEach((v, i) => assert.ok(Math.abs(v - both!.data[i]!) < 1e-5, `logit ${i}`));
});

test("vit: the estimated peak equals the measured one", async () => {
  const model = vit(small);
  const run = await execute(model.graph, model.makeInputs());
  assert.equal(estimateMemory(model.graph).peakBytes, run.peakBytes);
});

test("vit defaults to ViT-L/16 at 384 px: 576 patches, attention over 577 tokens", () => {
  const { graph, sequenceLength, config } = vit();
  assert.equal(sequenceLength, 576);
  assert.equal(config.depth, 24);
  const softmaxes = graph.nodes.filter((n) => n.op === "softmax");
  assert.equal(softmaxes.length, 24);
  assert.deepEqual(softmaxes[0]!.shape, [1, 16, 577, 577]);
  assert.deepEqual(graph.nodes[graph.outputs[0]!]!.shape, [1, 1000]);
});

test("vit rejects bad configs, naming the fields", () => {
  assert.throws(() => vit({ image: 100 }), /vit: image \(100\) must be a multiple of patch \(16\)/);
  assert.throws(() => vit({ heads: 0 }), /vit: heads must be an integer ≥ 1, got 0/);
});
