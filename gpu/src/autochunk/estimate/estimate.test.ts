import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../common/random.js";
import type { ExecuteResult, Graph, Node } from "../index.js";
import { GraphBuilder, estimateMemory, execute, numel, tensor } from "../index.js";

const rand = seededRandom(3);

/** A GPT-style block: pre-LN causal self-attention and a GELU MLP, both residual. */
function gptBlock(T: number, C: number, H: number): Graph {
  const g = new GraphBuilder();
  const w = (name: string, shape: number[]) => g.param(name, shape, { kind: "normal", std: 0.02 });
  const ones = (name: string, n: number) => g.param(name, [n], { kind: "constant", value: 1 });
  const zeros = (name: string, n: number) => g.param(name, [n], { kind: "constant", value: 0 });
  const x = g.input("x", [1, T, C]);
  const mask = g.param("mask", [1, 1, T, T], { kind: "causal_mask", fill: -1e9 });
  const attn = g.scope("attn", () => {
    const h = g.layerNorm(x, ones("ln_w", C), zeros("ln_b", C));
    const qkv = g.linear(h, w("w_qkv", [C, 3 * C]), zeros("b_qkv", 3 * C));
    const heads = (i: number) =>
      g.permute(g.reshape(g.slice(qkv, 2, i * C, (i + 1) * C), [1, T, H, C / H]), [0, 2, 1, 3]);
    const [q, k, v] = [heads(0), heads(1), heads(2)];
    const scores = g.add(g.scale(g.matmul(q, g.transpose(k, -1, -2)), 1 / Math.sqrt(C / H)), mask);
    const y = g.matmul(g.softmax(scores, -1), v);
    const merged = g.reshape(g.permute(y, [0, 2, 1, 3]), [1, T, C]);
    return g.linear(merged, w("w_proj", [C, C]), zeros("b_proj", C));
  });
  const x1 = g.add(x, attn);
  const mlp = g.scope("mlp", () => {
    const h = g.layerNorm(x1, ones("ln_w", C), zeros("ln_b", C));
    const up = g.gelu(g.linear(h, w("w_fc", [C, 4 * C]), zeros("b_fc", 4 * C)));
    return g.linear(up, w("w_out", [4 * C, C]), zeros("b_out", C));
  });
  g.output(g.add(x1, mlp));
  return g.build();
}

/** A UNet-style up block: conv, group norm, SiLU, nearest upsampling, strided conv. */
function unetBlock(): Graph {
  const g = new GraphBuilder();
  const p = (name: string, shape: number[]) => g.param(name, shape, { kind: "normal", std: 0.1 });
  const x = g.input("x", [1, 8, 12, 12]);
  const h = g.silu(
    g.groupNorm(g.conv2d(x, p("k1", [16, 8, 3, 3]), p("b1", [16]), { padding: 1 }), 4),
  );
  const up = g.upsample(h, 2);
  const down = g.conv2d(up, p("k2", [8, 16, 3, 3]), undefined, { stride: 2, padding: 1 });
  g.output(g.add(down, x), g.conv2d(h, p("k3", [4, 16, 1, 1])));
  return g.build();
}

async function measured(graph: Graph): Promise<ExecuteResult> {
  const inputs = graph.inputs.map((id) => {
    const n = graph.nodes[id]!;
    return tensor(
      n.shape,
      new Float32Array(numel(n.shape)).map(() => rand() - 0.5),
    );
  });
  return execute(graph, inputs);
}

/** The most bytes live while each node ran, replayed from the run's events. */
function measuredNodePeaks(result: ExecuteResult): Map<string, number> {
  const peaks = new Map<string, number>();
  let live = 0;
  for (const e of result.events) {
    live += e.kind === "alloc" ? e.bytes : -e.bytes;
    const owner = e.label.replace(/:workspace$/, "");
    if (e.kind === "alloc") peaks.set(owner, Math.max(peaks.get(owner) ?? 0, live));
  }
  return peaks;
}

for (const [what, make] of [
  ["a GPT block (attention + MLP)", () => gptBlock(64, 32, 4)],
  ["a UNet block (convs with im2col workspace, group norm, upsampling)", unetBlock],
] as const) {
  test(`the estimate equals the measured peak, node by node, on ${what}`, async () => {
    const graph = make();
    const estimate = estimateMemory(graph);
    const result = await measured(graph);
    assert.equal(estimate.peakBytes, result.peakBytes);
    const peaks = measuredNodePeaks(result);
    let checked = 0;
    for (const node of graph.nodes) {
      const m = estimate.nodes[node.id]!;
      assert.equal(m.peakBytes, m.beforeBytes + m.outputBytes + m.workspaceBytes);
      if (m.outputBytes + m.workspaceBytes === 0) continue;
      assert.equal(m.peakBytes, peaks.get(node.name), `node ${node.name}`);
      checked++;
    }
    assert.ok(checked >= 6, `checked ${checked} nodes`);
    const peakNode = graph.nodes[estimate.peakNode]!;
    assert.equal(peaks.get(peakNode.name), result.peakBytes);
  });
}

test("the GPT block's peak is at the attention scores, and views add nothing", () => {
  const T = 64;
  const graph = gptBlock(T, 32, 4);
  const estimate = estimateMemory(graph);
  const peak = graph.nodes[estimate.peakNode]!;
  assert.match(peak.name, /^attn\./);
  const scoreBytes = 4 * 4 * T * T;
  assert.ok(estimate.peakBytes >= 2 * scoreBytes);
  for (const node of graph.nodes.filter((n) => n.op === "reshape")) {
    assert.equal(estimate.nodes[node.id]!.outputBytes, 0);
  }
});

test("liveAfter lists the activations that cross each cut", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [4]);
  const a = g.relu(x);
  const b = g.exp(a);
  const c = g.neg(b);
  const d = g.add(c, a);
  g.output(d);
  const graph = g.build();
  const estimate = estimateMemory(graph);
  const names = (n: Node) =>
    estimate.nodes[n.id]!.liveAfter.map((s) => graph.nodes[estimate.plan.storages[s]!.node]!.name);
  assert.deepEqual(names(a), ["relu"]);
  assert.deepEqual(names(b), ["relu", "exp"]);
  assert.deepEqual(names(c), ["relu", "neg"]);
  assert.deepEqual(names(d), ["add"]);
  assert.deepEqual(
    estimate.nodes.map((m) => [m.beforeBytes, m.peakBytes, m.afterBytes]),
    [
      [0, 0, 0],
      [0, 16, 16],
      [16, 32, 32],
      [32, 48, 32],
      [32, 48, 16],
    ],
  );
});
