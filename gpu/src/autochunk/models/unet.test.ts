import assert from "node:assert/strict";
import { test } from "node:test";
import { assertParity, compareWithTorch, TORCH_MISSING } from "../../../test/torch-reference.js";
import { estimateMemory, execute } from "../index.js";
import { unet } from "./unet.js";

const small = {
  image: 16,
  blockChannels: [32, 64],
  attention: [false, true],
  groups: 8,
  layersPerBlock: 1,
} as const;

test(
  "unet matches a PyTorch (diffusers UNet2DModel-style) UNet",
  {
    skip: TORCH_MISSING,
  },
  async () => {
    const [out] = await compareWithTorch(unet({ ...small, batch: 2 }), "unet");
    assert.deepEqual(out!.shape, [2, 3, 16, 16]);
    assertParity("the output", out!);
  },
);

test("unet: the estimated peak equals the measured one", async () => {
  const model = unet(small);
  const run = await execute(model.graph, model.makeInputs());
  assert.equal(estimateMemory(model.graph).peakBytes, run.peakBytes);
});

test("unet defaults to diffusers' UNet2DModel() on a 64 × 64 sample", () => {
  const { graph, sequenceLength } = unet();
  const count = (op: string) => graph.nodes.filter((n) => n.op === op).length;
  assert.equal(sequenceLength, 64);
  // 2 ResNets per down level, 2 in the middle, 3 per up level: 22 blocks of 2 group norms,
  // plus 16 attention blocks (3 levels × (2 + 3), and the middle) and the output norm
  assert.equal(count("group_norm"), 22 * 2 + 16 + 1);
  assert.equal(count("softmax"), 16);
  assert.equal(count("upsample"), 3);
  const scores = graph.nodes.find((n) => n.op === "softmax")!;
  assert.deepEqual(scores.shape, [1, 448 / 8, 32 * 32, 32 * 32]);
  assert.deepEqual(graph.nodes[graph.outputs[0]!]!.shape, [1, 3, 64, 64]);
});

test("unet rejects bad configs, naming the fields", () => {
  assert.throws(
    () => unet({ image: 60 }),
    /unet: image \(60\) must be a multiple of 2\^\(levels − 1\) = 8/,
  );
  assert.throws(
    () => unet({ blockChannels: [32, 64], attention: [true] }),
    /blockChannels \(2 levels\) and attention \(1 entries\)/,
  );
  assert.throws(
    () => unet({ blockChannels: [48, 64], attention: [false, false] }),
    /blockChannels\[0\] \(48\) must be a multiple of groups \(32\)/,
  );
});
