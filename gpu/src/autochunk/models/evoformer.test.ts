import assert from "node:assert/strict";
import { test } from "node:test";
import { assertParity, compareWithTorch, TORCH_MISSING } from "../../../test/torch-reference.js";
import { estimateMemory, execute } from "../index.js";
import { evoformerBlock } from "./evoformer.js";

const small = { nSeq: 8, nRes: 16, cM: 32, cZ: 16 } as const;

test(
  "evoformerBlock matches a PyTorch (OpenFold-style) Evoformer block",
  {
    skip: TORCH_MISSING,
  },
  async () => {
    const outputs = await compareWithTorch(evoformerBlock(small), "evoformer");
    assert.deepEqual(
      outputs.map((o) => o.shape),
      [
        [8, 16, 32],
        [16, 16, 16],
      ],
    );
    for (const [k, out] of outputs.entries()) assertParity(`output ${k}`, out);
  },
);

test("evoformerBlock: the estimated peak equals the measured one", async () => {
  const model = evoformerBlock(small);
  const run = await execute(model.graph, model.makeInputs());
  assert.equal(estimateMemory(model.graph).peakBytes, run.peakBytes);
});

test("evoformerBlock: the pair stack's triangle attention grows as nRes³ and becomes the peak", () => {
  const peak = (nRes: number) => {
    const { graph } = evoformerBlock({ nRes });
    const est = estimateMemory(graph);
    return { bytes: est.peakBytes, node: graph.nodes[est.peakNode]! };
  };
  const [r256, r512] = [peak(256), peak(512)];
  assert.match(r256.node.name, /^tri_att_(start|end)\./);
  assert.deepEqual(r256.node.shape, [256, 4, 256, 256]);
  assert.ok(r512.bytes / r256.bytes > 6, `ratio ${r512.bytes / r256.bytes}`);
});

test("evoformerBlock defaults to AlphaFold 2's widths at MSA 32 × 64 residues", () => {
  const { graph, sequenceLength, inputs } = evoformerBlock();
  assert.equal(sequenceLength, 64);
  assert.deepEqual(
    inputs.map((i) => [i.name, i.shape]),
    [
      ["msa", [32, 64, 256]],
      ["pair", [64, 64, 128]],
    ],
  );
  assert.deepEqual(
    graph.nodes.filter((n) => n.op === "softmax").map((n) => n.shape),
    [
      [32, 8, 64, 64],
      [64, 8, 32, 32],
      [64, 4, 64, 64],
      [64, 4, 64, 64],
    ],
  );
});

test("evoformerBlock rejects bad configs, naming the field", () => {
  assert.throws(
    () => evoformerBlock({ nRes: 2.5 }),
    /evoformerBlock: nRes must be an integer ≥ 1, got 2.5/,
  );
});
