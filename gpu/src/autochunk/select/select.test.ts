import assert from "node:assert/strict";
import { test } from "node:test";
import { FLAT_COST_TABLE } from "../../../test/fixtures/autochunk-cost-table.js";
import type { CostTable, Graph, Node } from "../internal.js";
import {
  GraphBuilder,
  balancedChunkSize,
  cachedCostTable,
  estimateMemory,
  flopsOf,
  largestChunkSize,
  measureCostTable,
  nodeSeconds,
  numel,
  planEinsum,
  rateAt,
  regionCandidates,
  searchContext,
  selectForBudget,
  selectForMinimum,
  withMemory,
} from "../internal.js";
import { searchRegions } from "../search/search.js";
import { extendOverSoleReaders } from "./select.js";

test("rates interpolate in log(size) and clamp at the ends", () => {
  const points = [
    [1, 1e9],
    [100, 3e9],
    [10000, 4e9],
  ] as const;
  assert.equal(rateAt(points, 10), 2e9);
  assert.equal(rateAt(points, 1000), 3.5e9);
  assert.equal(rateAt(points, 0.5), 1e9);
  assert.equal(rateAt(points, 1e6), 4e9);
  assert.throws(() => rateAt([], 5), /at least one point/);
});

test("the chunk size search finds the largest size that fits, then evens the chunks out", () => {
  for (const length of [1, 2, 7, 64, 1000, 1024]) {
    for (const limit of [0, 1, 3, 5, 63, 64, 100, 700, 5000]) {
      const calls: number[] = [];
      const got = largestChunkSize(length, (size) => {
        calls.push(size);
        return size <= limit;
      });
      assert.equal(got, Math.min(limit, length), `length ${length}, limit ${limit}`);
      assert.ok(calls.length <= 2 * Math.log2(length) + 3, `${calls.length} probes`);
    }
  }
  assert.equal(balancedChunkSize(1024, 300), 256);
  assert.equal(balancedChunkSize(1000, 300), 250);
  assert.equal(balancedChunkSize(10, 10), 10);
  assert.throws(() => largestChunkSize(0, () => true), /length must be an integer ≥ 1, got 0/);
});

/** softmax(q·kᵀ)·v, then three elementwise ops: regions may end after any of them. */
function attentionTail() {
  const g = new GraphBuilder();
  const q = g.input("q", [4, 64, 16]);
  const kT = g.input("kT", [4, 16, 64]);
  const v = g.input("v", [4, 64, 16]);
  const scores = g.matmul(q, kT);
  const probs = g.softmax(scores, -1);
  const y = g.matmul(probs, v);
  const out = g.relu(g.tanh(g.gelu(y)));
  g.output(out);
  return { graph: g.build(), scores, probs, y, out };
}

const table = (overrides: Partial<CostTable>): CostTable => ({
  ...FLAT_COST_TABLE,
  iterationSeconds: 1e-5,
  ...overrides,
});

test("selection follows the cost table, not the node count", () => {
  const { graph, scores, probs, y, out } = attentionTail();
  const ctx = searchContext(graph);
  const base = estimateMemory(graph);
  assert.equal(base.peakNode, probs.id);
  const candidates = withMemory(
    ctx,
    base,
    regionCandidates(ctx, { start: scores.id, end: probs.id }, { start: 0, end: out.id }),
  );
  const ends = new Set(candidates.map((c) => c.trace.end));
  assert.ok(ends.has(y.id) && ends.has(out.id), "regions ending at y and at the output");
  const budget = base.peakBytes / 2;
  // Costly dispatches: every extra node in the loop body costs per iteration → shortest body.
  const dispatchBound = selectForBudget(ctx, candidates, budget, table({ dispatchSeconds: 1e-3 }));
  assert.equal(dispatchBound?.trace.end, y.id);
  // Elementwise ops much faster on cache-sized chunks: chunking them too pays → longest body,
  // where the reference's rule (fewest nodes) would still take the shortest.
  const cacheBound = selectForBudget(
    ctx,
    candidates,
    budget,
    table({
      dispatchSeconds: 1e-9,
      stream: [
        [256, 1e11],
        [1 << 20, 1e8],
      ],
    }),
  );
  assert.equal(cacheBound?.trace.end, out.id);
  for (const choice of [dispatchBound!, cacheBound!]) {
    const { length } = choice.trace;
    assert.ok(choice.peakBytes <= budget);
    // The largest size that fits, evened out: as few iterations, no more memory.
    const largest = largestChunkSize(length, (size) => choice.memory.peakAt(size) <= budget);
    assert.ok(choice.memory.peakAt(largest + 1) > budget || largest === length);
    assert.equal(Math.ceil(length / choice.chunkSize), Math.ceil(length / largest));
    assert.ok(choice.chunkSize <= largest);
  }
  // Minimum mode takes the region with the lowest reachable peak.
  const least = selectForMinimum(candidates)!;
  assert.ok(candidates.every((c) => c.minPeakBytes >= least.minPeakBytes));
  assert.equal(selectForBudget(ctx, candidates, least.minPeakBytes - 1, table({})), null);
});

test("copies cost by their contiguous runs, element-by-element ones at the gather rate", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [256, 64]);
  const rows = g.slice(x, 1, 0, 32); // 256 runs of 128 bytes
  const whole = g.slice(x, 0, 0, 128); // one run of 32 KiB
  const kept = g.permute(g.reshape(x, [16, 16, 64]), [1, 0, 2]); // runs of 256 bytes
  const moved = g.permute(x, [1, 0]); // one element at a time
  for (const n of [rows, whole, kept, moved]) g.output(n);
  const graph = g.build();
  const copies = table({
    dispatchSeconds: 0,
    copy: [
      [16, 1e8],
      [1 << 15, 1e10],
    ],
    gatherPerSecond: 1e6,
  });
  const seconds = (id: number) => nodeSeconds(graph, graph.nodes[id]!, copies);
  // Equal bytes, one copy in many short runs: slower at the rate the run length has.
  assert.equal(seconds(rows.id), (256 * 32 * 4) / rateAt(copies.copy, 128));
  assert.ok(seconds(rows.id) > 3 * seconds(whole.id));
  assert.equal(seconds(whole.id), (128 * 64 * 4) / 1e10);
  assert.equal(seconds(moved.id), (256 * 64) / 1e6);
  assert.ok(seconds(kept.id) < seconds(moved.id));
  // Without a gather rate, element-by-element copies run at the copy rate of 4-byte runs.
  const { gatherPerSecond: _, ...plain } = copies;
  assert.equal(nodeSeconds(graph, moved, plain), (256 * 64 * 4) / 1e8);
});

test("an einsum the CPU runs in place costs its GEMM, and gathers when its batch is innermost; one it permutes pays the copies", () => {
  const g = new GraphBuilder();
  const a = g.input("a", [4, 8, 3]);
  const t = g.input("t", [3, 4, 8]);
  const b = g.input("b", [2, 3, 4]);
  const w = g.input("w", [4, 5]);
  const outer = g.einsum("cki,ckj->cij", t, t); // evenly strided, batch outermost: in place
  const inner = g.einsum("kic,kjc->ijc", a, a); // in place, batch c the unit-stride dim
  const permuted = g.einsum("abc,cd->adb", b, w); // a and b apart in the output: copied
  g.output(outer, inner, permuted);
  const graph = g.build();
  const rates = table({ dispatchSeconds: 0, gemm: [[1, 1e9]], copy: [[1, 1e6]] });
  const gemmSeconds = (n: Node) => flopsOf(graph, n) / 1e9;
  assert.equal(nodeSeconds(graph, outer, rates), gemmSeconds(outer));
  // Per batch (3): A [8, 4] once per block of 128 output columns, B [4, 8] and C [8, 8] once,
  // one element at a time (no gather rate: the copy rate of 4-byte runs).
  const gathered = 3 * (8 * 4 + 4 * 8 + 8 * 8);
  assert.equal(nodeSeconds(graph, inner, rates), gemmSeconds(inner) + (4 * gathered) / 1e6);
  // At the measured rate of the kernel's batch gathers, where the table has one.
  const withBatchRate = { ...rates, batchGatherPerSecond: 5e5 };
  assert.equal(nodeSeconds(graph, inner, withBatchRate), gemmSeconds(inner) + gathered / 5e5);
  assert.equal(nodeSeconds(graph, outer, withBatchRate), gemmSeconds(outer));
  // A permuted copy moving the last dim goes one element at a time (4-byte runs here).
  const planned = planEinsum("abc,cd->adb", [2, 3, 4], [4, 5]);
  assert.deepEqual([planned.permA, planned.permB], [null, null]);
  assert.equal(
    nodeSeconds(graph, permuted, rates),
    gemmSeconds(permuted) + (4 * numel(planned.productShape)) / 1e6,
  );
});

const flopsPerElement = (graph: Graph, node: Node) => flopsOf(graph, node) / numel(node.shape);

test("arithmetic ops cost at their own kernel's rate where the table lists one", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [1024]);
  const y = g.gelu(x);
  const z = g.tanh(y);
  g.output(z);
  const graph = g.build();
  const rated = table({ dispatchSeconds: 0, stream: [[1, 1e9]], ops: { gelu: [[1, 1e6]] } });
  assert.equal(nodeSeconds(graph, y, rated), (1024 * flopsPerElement(graph, y)) / 1e6);
  assert.equal(nodeSeconds(graph, z, rated), (1024 * flopsPerElement(graph, z)) / 1e9);
});

test("the measured cost table is cheap, plausible and cached per backend", async () => {
  // The first calibration also starts the executor's runtime (WebAssembly, worker threads).
  await measureCostTable();
  // CPU time, not wall time: on this shared machine (load 10-20 on 2 cores) the scheduler
  // stretches wall time several-fold; the calibration's own work is well under 1 s.
  const start = process.cpuUsage();
  const measured = await measureCostTable();
  const { user, system } = process.cpuUsage(start);
  const ms = (user + system) / 1000;
  assert.ok(ms < 2500, `calibration took ${ms.toFixed(0)} ms of CPU time`);
  assert.equal(measured.backend, "cpu");
  assert.ok(measured.dispatchSeconds >= 0 && measured.dispatchSeconds < 1e-3);
  assert.ok(measured.iterationSeconds >= 0 && measured.iterationSeconds < 1e-3);
  const perOp = Object.values(measured.ops ?? {});
  assert.ok(["add", "gelu", "softmax", "layer_norm"].every((op) => op in (measured.ops ?? {})));
  assert.ok(measured.gatherPerSecond !== undefined && measured.gatherPerSecond > 1e6);
  const batchRate = measured.batchGatherPerSecond;
  assert.ok(batchRate !== undefined && batchRate > 1e6 && Number.isFinite(batchRate));
  for (const points of [measured.gemm, measured.stream, measured.copy, ...perOp]) {
    assert.ok(points.length >= 3);
    for (const [size, rate] of points) assert.ok(size > 0 && rate > 1e6 && Number.isFinite(rate));
  }
  for (let i = 1; i < measured.gemm.length; i++) {
    assert.ok(measured.gemm[i]![1] >= measured.gemm[i - 1]![1], "GEMM rate grows with rows");
  }
  // A copy in 16-byte runs is slower per byte than one in 1 MiB runs (a fixed cost per run).
  assert.ok(measured.copy[0]![1] < measured.copy[measured.copy.length - 1]![1]);
  // A one-row GEMM (B packed for one row) is slower per FLOP than a 256-row one.
  assert.ok(measured.gemm[0]![1] < measured.gemm[measured.gemm.length - 1]![1]);
  assert.equal(cachedCostTable(), cachedCostTable());
  assert.throws(() => cachedCostTable("webgpu"), /backend must be "cpu"/);
});

test("minimum mode grows a region over the permute that alone reads its end", async () => {
  // b = σ(z·w0) ⊙ (z·w1), then b permuted: ending a region at b leaves b and its permute whole
  // and live together, though regions ending at b and at the permute tie on their minimum.
  const g = new GraphBuilder();
  const z = g.input("z", [32, 32, 8]);
  const w = (name: string) => g.param(name, [8, 8], { kind: "normal", std: 0.3 });
  const b = g.mul(g.sigmoid(g.linear(z, w("w0"))), g.linear(z, w("w1")));
  const permuted = g.permute(b, [2, 1, 0]);
  g.output(g.add(g.permute(z, [2, 1, 0]), permuted));
  const graph = g.build();
  const base = estimateMemory(graph);
  const ctx = searchContext(graph);
  const whole = { start: 0, end: graph.nodes.length - 1 };
  const candidates = withMemory(
    ctx,
    base,
    regionCandidates(ctx, { start: b.id, end: b.id }, whole),
  );
  const shortest = selectForMinimum(candidates)!;
  assert.equal(shortest.trace.end, b.id);
  assert.equal(extendOverSoleReaders(ctx, candidates, shortest)!.trace.end, permuted.id);
  assert.equal(extendOverSoleReaders(ctx, candidates, null), null);
  const pair = 32 * 32 * 8 * 4;
  const { choices, peakBytes } = await searchRegions(graph, base, {
    mode: "minimum",
    budget: 0,
    table: FLAT_COST_TABLE,
  });
  assert.ok(choices.some((c) => c.trace.end === permuted.id));
  // z and the permuted b whole, and slices; without the growth the floor is 2 pairs.
  assert.ok(peakBytes < 1.2 * pair, `${peakBytes / pair} pairs`);
});
