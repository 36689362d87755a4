import assert from "node:assert/strict";
import { test } from "node:test";
import type { RegionTrace, TraceResult } from "../internal.js";
import {
  GraphBuilder,
  chunkGraph,
  estimateMemory,
  regionCandidates,
  searchBounds,
  searchContext,
  searchRegions,
  traceRegion,
} from "../internal.js";
import { FLAT_COST_TABLE } from "../../../test/fixtures/autochunk-cost-table.js";

function legal(result: TraceResult): RegionTrace {
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.trace;
}

function rejected(result: TraceResult): string {
  assert.ok(!result.ok, "expected the region to be rejected");
  return result.reason;
}

/** exp → softmax over the last dim → relu, on x[2, 8, 16]. */
function softmaxChain() {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 8, 16]);
  const a = g.exp(x);
  const s = g.softmax(a, -1);
  const b = g.relu(s);
  g.output(b);
  return { graph: g.build(), x, a, s, b };
}

test("a region across a softmax along its reduced dim is rejected", () => {
  const { graph, a, b } = softmaxChain();
  const reason = rejected(traceRegion(searchContext(graph), a.id, b.id, 2));
  assert.match(reason, /softmax "softmax" computes along dim 2/);
});

test("a region along a batch-like dim of the softmax is accepted", () => {
  const { graph, x, a, s, b } = softmaxChain();
  for (const dim of [0, 1]) {
    const trace = legal(traceRegion(searchContext(graph), a.id, b.id, dim));
    assert.deepEqual(trace.body, [a.id, s.id, b.id]);
    assert.deepEqual(trace.inputs, [{ node: x.id, dim }]);
    assert.deepEqual(trace.outputs, [{ node: b.id, dim }]);
    assert.equal(trace.length, x.shape[dim]);
  }
});

test("a chunk dim that a matmul contracts is never chosen", () => {
  // y = aᵀ·a contracts a's dim 0 (x's dim 0): no region through the matmul slices x along it.
  const g = new GraphBuilder();
  const x = g.input("x", [8, 16]);
  const a = g.relu(x);
  const t = g.transpose(a, 0, 1);
  const y = g.matmul(t, a);
  const z = g.tanh(y);
  g.output(z);
  const graph = g.build();
  const ctx = searchContext(graph);
  // The result dim of a matmul is computed (as in the reference).
  assert.match(rejected(traceRegion(ctx, t.id, z.id, 1)), /matmul "matmul" computes along dim 1/);
  // Along y's rows: a is needed whole by the matmul, so it is computed before the loop and
  // passed twice, sliced along dim 1 for the transpose and whole for the product.
  const rows = legal(traceRegion(ctx, t.id, z.id, 0));
  assert.deepEqual(rows.inputs, [
    { node: a.id, dim: 1 },
    { node: a.id, dim: null },
  ]);
  const all = regionCandidates(ctx, { start: y.id, end: y.id }, { start: 0, end: z.id });
  assert.ok(all.length > 0);
  for (const trace of all) {
    for (const input of trace.inputs) {
      assert.ok(!(input.node === x.id && input.dim === 0), "x sliced along its contracted dim");
    }
  }
  // a itself cannot start such a region: its users need it along two different dims.
  assert.match(rejected(traceRegion(ctx, a.id, z.id, 0)), /start node relu "relu" is not chunked/);
});

test("a region may start with several tensor inputs, and chunk-free work is hoisted", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [6, 4]);
  const y = g.input("y", [6, 4]);
  const w = g.param("w", [4], { kind: "constant", value: 2 });
  const sum = g.add(x, y);
  const w2 = g.exp(w); // depends on a parameter only: computed once, before the loop
  const out = g.mul(sum, w2);
  g.output(out);
  const graph = g.build();
  const trace = legal(traceRegion(searchContext(graph), sum.id, out.id, 0));
  assert.deepEqual(trace.body, [sum.id, out.id]);
  assert.deepEqual(trace.hoisted, [w2.id]);
  assert.deepEqual(
    new Set(trace.inputs.map((i) => `${i.node}:${i.dim}`)),
    new Set([`${x.id}:0`, `${y.id}:0`, `${w2.id}:null`]),
  );
});

test("outputs that share a buffer are rejected; parameters are sliced like inputs", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [4, 6]);
  const a = g.exp(x);
  const r = g.reshape(a, [4, 3, 2]);
  g.output(g.relu(r), g.neg(a));
  const graph = g.build();
  // The region's outputs a and r are the same buffer: two preallocated outputs would double it.
  assert.match(
    rejected(traceRegion(searchContext(graph), a.id, r.id, 0)),
    /outputs own their buffers: output "reshape" shares its buffer/,
  );
  const h = new GraphBuilder();
  const p = h.param("p", [4, 4], { kind: "constant", value: 1 });
  const e = h.exp(p);
  const out = h.relu(e);
  h.output(out);
  const trace = legal(traceRegion(searchContext(h.build()), e.id, out.id, 0));
  assert.deepEqual(trace.inputs, [{ node: p.id, dim: 0 }]);
});

test("chunk loops are barriers: a second search never crosses them, and never crashes", async () => {
  const { graph, a, b } = softmaxChain();
  const trace = legal(traceRegion(searchContext(graph), a.id, b.id, 1));
  const { graph: chunked, loops } = chunkGraph(graph, [{ trace, chunkSize: 3 }]);
  const ctx = searchContext(chunked);
  const loop = loops[0]!.id;
  assert.equal(ctx.flows[loop], null);
  assert.match(
    rejected(traceRegion(ctx, 0, loop, 1)),
    /chunk_loop "chunk0" has no dimension-flow rule/,
  );
  assert.deepEqual(searchBounds(ctx, [], loop - 1), { start: 0, end: loop - 1 });
  const outcome = await searchRegions(chunked, estimateMemory(chunked), {
    mode: "budget",
    budget: 1,
    table: FLAT_COST_TABLE,
  });
  assert.equal(outcome.choices.length, 0);
});

test("the search records why nodes broke the rules, and reuses its candidates at another budget", async () => {
  // x[2, 8, 16] → exp → softmax(-1) → relu → softmax(1): no region ending after the first
  // softmax can take dim 2 through it.
  const g = new GraphBuilder();
  const x = g.input("x", [2, 8, 16]);
  const s = g.softmax(g.exp(x), -1);
  const t = g.softmax(g.relu(s), 1);
  g.output(t);
  const graph = g.build();
  const ctx = searchContext(graph);
  const rejectedByNode = new Map<number, string>();
  regionCandidates(ctx, { start: s.id, end: s.id }, { start: 1, end: t.id }, rejectedByNode);
  assert.match(rejectedByNode.get(s.id) ?? "", /softmax "softmax" computes along dim 2/);

  const base = estimateMemory(graph);
  const first = await searchRegions(graph, base, {
    mode: "budget",
    budget: base.peakBytes / 2,
    table: FLAT_COST_TABLE,
  });
  const stage = first.stages[0]!;
  assert.ok(stage.rejected.length > 0, "the stage lists its rejected nodes");
  assert.deepEqual(
    stage.rejected.map((r) => r.node),
    [...stage.rejected.map((r) => r.node)].sort((a, b) => a - b),
    "in node order",
  );
  for (const r of stage.rejected) {
    assert.ok(r.node >= stage.maxRegion.start && r.node <= stage.maxRegion.end);
  }
  // Same graph and estimate, another budget: the same candidate set is found again.
  const second = await searchRegions(graph, base, {
    mode: "budget",
    budget: base.peakBytes / 3,
    table: FLAT_COST_TABLE,
  });
  assert.equal(second.stages[0]!.candidates, stage.candidates);
  assert.equal(second.stages[0]!.rejected, stage.rejected, "the cached record is shared");
});
