import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "../internal.js";
import {
  GraphBuilder,
  OPS,
  SOURCE_OPS,
  VIEW_OPS,
  aliasOf,
  cpuKernels,
  dimFlowOf,
  flopsOf,
  opRules,
  workspaceBytesOf,
} from "../internal.js";

test("every op has a complete rule, and a CPU kernel unless it is a source or a view", () => {
  assert.deepEqual(Object.keys(opRules).sort(), [...OPS].sort());
  for (const op of OPS) {
    const rule = opRules[op];
    const [min, max] = rule.arity;
    assert.ok(Number.isInteger(min) && min >= 0 && max >= min, `${op}: arity`);
    for (const method of ["infer", "dimFlow", "alias", "workspaceBytes", "flops"] as const) {
      assert.equal(typeof rule[method], "function", `${op}: ${method}`);
    }
    const hasKernel = Object.hasOwn(cpuKernels, op);
    assert.equal(hasKernel, !SOURCE_OPS.has(op) && !VIEW_OPS.has(op), `${op}: CPU kernel`);
  }
  assert.deepEqual(Object.keys(cpuKernels).length, OPS.length - SOURCE_OPS.size - VIEW_OPS.size);
});

function built() {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 16, 32]);
  const nodes: Record<string, Node> = {
    linear: g.linear(x, g.param("w", [32, 8], { kind: "constant", value: 0 })),
    matmul: g.matmul(g.input("a", [3, 1, 16, 32]), g.input("b", [4, 32, 5])),
    softmax: g.softmax(x, 1),
    add: g.add(x, g.input("bias", [1, 32])),
    reshape: g.reshape(x, [2, 16, 4, 8]),
    merge: g.reshape(x, [32, 32]),
    permute: g.permute(x, [1, 0, 2]),
    einsum: g.einsum("bsic,bsjd->bijcd", g.input("m", [1, 5, 6, 2]), g.input("n", [1, 5, 7, 3])),
    layerNorm: g.layerNorm(x, g.param("lw", [32], { kind: "constant", value: 1 })),
    conv: g.conv2d(
      g.input("img", [2, 3, 8, 8]),
      g.param("k", [4, 3, 3, 3], { kind: "constant", value: 0 }),
      undefined,
      { padding: 1 },
    ),
    embedding: g.embedding(
      g.param("t", [10, 32], { kind: "constant", value: 0 }),
      g.input("ids", [2, 16], "i32"),
    ),
    sum: g.sum(x, 1),
    slice: g.slice(x, 1, 2, 6),
  };
  g.output(x);
  return { graph: g.build(), nodes };
}

test("dimension-flow rules follow the reference's table", () => {
  const { graph, nodes } = built();
  const flow = (n: Node) => dimFlowOf(graph, n)!.map((d) => [d.from, d.computed]);
  assert.deepEqual(flow(nodes.linear!), [
    [[0, null], false],
    [[1, null], false],
    [[null, 1], true],
  ]);
  // batch dims broadcast: a [3,1,16,32] · b [4,32,5] → [3,4,16,5]
  assert.deepEqual(flow(nodes.matmul!), [
    [[0, null], false],
    [[null, 0], false],
    [[2, null], false],
    [[null, 2], true],
  ]);
  assert.deepEqual(flow(nodes.softmax!), [
    [[0], false],
    [[1], true],
    [[2], false],
  ]);
  assert.deepEqual(flow(nodes.add!), [
    [[0, null], false],
    [[1, null], false],
    [[2, 1], false],
  ]);
  assert.deepEqual(flow(nodes.reshape!), [
    [[0], false],
    [[1], false],
    [[null], true],
    [[null], true],
  ]);
  assert.deepEqual(flow(nodes.merge!), [
    [[null], true],
    [[2], false],
  ]);
  assert.deepEqual(flow(nodes.permute!), [
    [[1], false],
    [[0], false],
    [[2], false],
  ]);
  assert.deepEqual(flow(nodes.einsum!), [
    [[0, 0], false],
    [[2, null], false],
    [[null, 2], false],
    [[3, null], false],
    [[null, 3], false],
  ]);
  assert.deepEqual(flow(nodes.layerNorm!), [
    [[0, null], false],
    [[1, null], false],
    [[2, 0], true],
  ]);
  assert.deepEqual(
    flow(nodes.conv!).map(([, c]) => c),
    [false, true, true, true],
  );
  assert.deepEqual(flow(nodes.embedding!), [
    [[null, 0], false],
    [[null, 1], false],
    [[1, null], true],
  ]);
  assert.deepEqual(flow(nodes.sum!), [
    [[0], false],
    [[2], false],
  ]);
  assert.deepEqual(flow(nodes.slice!)[1], [[null], true]);
});

test("views, workspace and FLOPs come from the rules", () => {
  const { graph, nodes } = built();
  assert.deepEqual(aliasOf(nodes.reshape!), { input: 0, output: 0 });
  assert.equal(aliasOf(nodes.permute!), null);
  assert.equal(flopsOf(graph, nodes.matmul!), 2 * 3 * 4 * 16 * 5 * 32);
  assert.equal(flopsOf(graph, nodes.linear!), 2 * 2 * 16 * 8 * 32);
  // im2col of one image: [3·3·3, 8·8] floats
  assert.equal(workspaceBytesOf(graph, nodes.conv!), 4 * 27 * 64);
  // einsum: A is permuted to [b,i,c,s], B is already [b,s,j,d], the product [b,i,c,j,d] is permuted
  assert.equal(workspaceBytesOf(graph, nodes.einsum!), 4 * (60 + 6 * 7 * 2 * 3));
  // an einsum whose letter groups are evenly strided runs in place on the CPU, not on WebGPU
  const g = new GraphBuilder();
  const a = g.input("a", [5, 6, 4]);
  const tri = g.einsum("kic,kjc->ijc", a, g.input("b", [5, 7, 4]));
  g.output(tri);
  const triGraph = g.build();
  assert.equal(workspaceBytesOf(triGraph, tri, "cpu"), 0);
  assert.equal(workspaceBytesOf(triGraph, tri, "webgpu"), 4 * (5 * 6 * 4 + 5 * 7 * 4 + 6 * 7 * 4));
  assert.equal(workspaceBytesOf(graph, nodes.matmul!), 0);
});
