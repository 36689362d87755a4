import assert from "node:assert/strict";
import { test } from "node:test";
import { BudgetError, autochunk, lowestPeak } from "../api.js";
import { estimateMemory } from "../estimate/estimate.js";
import { execute } from "../executor/execute.js";
import type { Feeds } from "../executor/feeds.js";
import type { Tensor } from "../executor/tensor.js";
import { tensor } from "../executor/tensor.js";
import { numel } from "../ir/shape.js";
import { seededRandom } from "../../common/random.js";
import { GraphBuilder } from "../ir/builder.js";
import type { Graph } from "../ir/graph.js";
import { validate } from "../ir/validate.js";
import { evoformerBlock, vit } from "../models/index.js";
import { searchContext } from "../search/context.js";
import { searchRegions } from "../search/search.js";
import { inheritCandidates, stageSpans } from "../search/stage.js";
import { SOURCE_OPS } from "../ir/op.js";
import { FLAT_COST_TABLE } from "../../../test/fixtures/autochunk-cost-table.js";
import { SMALL_EVOFORMER } from "../../../test/fixtures/autochunk-small-models.js";
import { prepose } from "./prepose.js";
import { recomputePerReader } from "./recompute.js";
import { reschedule } from "./reschedule.js";
import { shareCopies } from "./share.js";
import { chunkGraph } from "../codegen/chunk-graph.js";
import { traceRegion } from "../search/trace.js";

const table = FLAT_COST_TABLE;
// Its triangle multiplications set the lowest peak, as at r = 256.
const small = () => evoformerBlock(SMALL_EVOFORMER);

function sharedNorm(): Graph {
  const g = new GraphBuilder();
  const z = g.input("z", [6, 8]);
  let params = 0;
  const w = () => g.param(`w${params++}`, [8, 8], { kind: "normal", std: 0.3 });
  const x = g.layerNorm(z);
  const a = g.linear(x, w());
  const b = g.sigmoid(g.linear(x, w()));
  const kept = g.layerNorm(g.add(a, b));
  g.output(g.mul(g.linear(kept, w()), g.linear(kept, w())), kept);
  return g.build();
}

/** reschedule's result on `graph`, checked valid and more than 20 % below the floor as written. */
async function rescheduledFloor(graph: Graph) {
  const asWritten = await searchRegions(graph, estimateMemory(graph), {
    mode: "minimum",
    budget: 0,
    table,
  });
  const found = await reschedule(graph, { executor: "cpu", table });
  validate(found.graph);
  assert.ok(
    found.lowestPeakBytes < 0.8 * asWritten.peakBytes,
    `${found.lowestPeakBytes} vs ${asWritten.peakBytes}`,
  );
  return found;
}

async function outputs(graph: Graph, feeds: Feeds): Promise<Float32Array[]> {
  const run = await execute(graph, feeds);
  return run.outputs.map((t) => t.data as Float32Array);
}

function randomFeeds(graph: Graph): Tensor[] {
  const rand = seededRandom(1);
  return graph.inputs.map((id) => {
    const { shape } = graph.nodes[id]!;
    return tensor(
      shape,
      Float32Array.from({ length: numel(shape) }, () => rand() - 0.5),
    );
  });
}

test("recomputePerReader gives each reader of a shared layer norm its own copy, just before it", async () => {
  const graph = sharedNorm();
  const rewritten = recomputePerReader(graph);
  validate(rewritten);
  const norms = rewritten.nodes.filter((n) => n.op === "layer_norm");
  // The first norm has two readers (two copies); the second is a graph output, left whole.
  assert.deepEqual(
    norms.map((n) => n.name),
    ["layer_norm", "layer_norm#2", "layer_norm_1"],
  );
  for (const copy of norms.slice(0, 2)) {
    const reader = rewritten.nodes[copy.id + 1]!;
    assert.ok(reader.inputs.includes(copy.id), `${copy.name} is read by the next node`);
  }
  const feeds = randomFeeds(graph);
  assert.deepEqual(await outputs(rewritten, feeds), await outputs(graph, feeds));
});

test("recomputePerReader returns the graph itself when no producer is shared", () => {
  const g = new GraphBuilder();
  g.output(g.relu(g.layerNorm(g.input("x", [2, 4]))));
  const graph = g.build();
  assert.equal(recomputePerReader(graph), graph);
});

/** z → x = layer_norm(z) read by two projections, multiplied; recomputed: one copy per reader. */
function twoReaders(): { graph: Graph; recomputed: Graph } {
  const g = new GraphBuilder();
  const z = g.input("z", [6, 8]);
  const x = g.layerNorm(z);
  const w = (k: number) => g.param(`w${k}`, [8, 8], { kind: "normal", std: 0.3 });
  g.output(g.mul(g.linear(x, w(0)), g.sigmoid(g.linear(x, w(1)))));
  const graph = g.build();
  return { graph, recomputed: recomputePerReader(graph) };
}

const layerNorms = (graph: Graph) => graph.nodes.filter((n) => n.op === "layer_norm");

function traced(graph: Graph, start: number, end: number, dim: number) {
  const result = traceRegion(searchContext(graph), start, end, dim);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.trace;
}

test("shareCopies shares copies chunked alike in one loop again, with the same outputs", async () => {
  const { graph, recomputed } = twoReaders();
  const [first] = layerNorms(recomputed);
  const end = recomputed.nodes.length - 1;
  const choices = [{ trace: traced(recomputed, first!.id, end, 0), chunkSize: 2 }];
  const shared = shareCopies(recomputed, choices, () => true);
  assert.equal(shared.shared, 1);
  assert.equal(layerNorms(shared.graph).length, 1);
  validate(shared.graph);
  const { trace } = shared.choices[0]!;
  assert.equal(trace.end, shared.graph.nodes.length - 1);
  assert.equal(trace.body.filter((id) => shared.graph.nodes[id]!.op === "layer_norm").length, 1);
  const second = layerNorms(recomputed)[1]!;
  assert.equal(shared.newId[second.id], shared.newId[first!.id]);
  const feeds = randomFeeds(graph);
  assert.deepEqual(
    await outputs(chunkGraph(shared.graph, shared.choices).graph, feeds),
    await outputs(graph, feeds),
  );
});

test("shareCopies keeps copies the plan places apart, and every share its check refuses", () => {
  const { recomputed } = twoReaders();
  const [first] = layerNorms(recomputed);
  // Only the first copy and its projection are chunked; the second copy is outside the loop.
  const reader = recomputed.nodes.find((n) => n.op === "linear" && n.inputs[0] === first!.id)!;
  const apart = [{ trace: traced(recomputed, first!.id, reader.id, 0), chunkSize: 3 }];
  assert.equal(shareCopies(recomputed, apart, () => true).shared, 0);
  const calls: number[] = [];
  const refused = shareCopies(recomputed, [], (g) => {
    calls.push(layerNorms(g).length);
    return false;
  });
  assert.equal(refused.graph, recomputed);
  assert.equal(refused.shared, 0);
  // All shares together, then the one share alone: both refused.
  assert.deepEqual(calls, [1, 1]);
});

test("prepose moves nodes before a point with the same values, and refuses a node whose input stays behind", async () => {
  const graph = sharedNorm();
  const b = graph.nodes.find((n) => n.op === "sigmoid")!;
  const bLinear = graph.nodes[b.inputs[0]!]!;
  const moved = [bLinear.inputs[1]!, bLinear.id, b.id]; // its weight, the linear, the sigmoid
  const at = graph.nodes.find((n) => n.op === "layer_norm")!.id + 1;
  const earlier = prepose(graph, moved, at);
  validate(earlier);
  assert.deepEqual(
    earlier.nodes.slice(at, at + 3).map((n) => n.name),
    moved.map((id) => graph.nodes[id]!.name),
  );
  const feeds = randomFeeds(graph);
  assert.deepEqual(await outputs(earlier, feeds), await outputs(graph, feeds));
  assert.throws(
    () => prepose(graph, [b.id], at),
    /prepose: "sigmoid" reads "linear_1", which stays after the insertion point/,
  );
});

test("reschedule lowers the Evoformer's lowest peak below what any chunking of the graph as written reaches", async () => {
  const { graph } = small();
  const found = await rescheduledFloor(graph);
  assert.match(found.rewrites[0]!, /^recompute: \d+ copies of shared layer norms/);
  assert.equal(await lowestPeak(graph, { costModel: table }), found.lowestPeakBytes);
});

test("reschedule moves a ViT block's key and value work before the region around its attention", async () => {
  const { graph, makeInputs } = vit({
    image: 64,
    patch: 4,
    dim: 32,
    heads: 2,
    depth: 2,
    classes: 10,
  });
  const found = await rescheduledFloor(graph);
  assert.deepEqual(
    found.rewrites.map((r) => /^prepose: \d+ nodes \((blocks\d)\.attn\./.exec(r)?.[1]),
    ["blocks0", "blocks1"],
  );
  const feeds = makeInputs();
  assert.deepEqual(await outputs(found.graph, feeds), await outputs(graph, feeds));
});

test("autochunk plans on the rescheduled program when only it fits, and runs it to the same outputs", async () => {
  const { graph, makeInputs } = small();
  const floor = await lowestPeak(graph, { costModel: table });
  const asWritten = await searchRegions(graph, estimateMemory(graph), {
    mode: "minimum",
    budget: 0,
    table,
  });
  const budget = Math.floor((floor + asWritten.peakBytes) / 2);
  const plan = await autochunk(graph, { budget, costModel: table });
  assert.ok(plan.rewrites.length >= 2, plan.rewrites.join("; "));
  // Copies whose readers the plan chunks alike are one copy again.
  const recomputedNorms = layerNorms(recomputePerReader(graph)).length;
  const sharedAgain = Number(/^share: (\d+) copies/m.exec(plan.rewrites.join("\n"))?.[1] ?? 0);
  assert.ok(sharedAgain > 0, plan.rewrites.join("; "));
  assert.equal(layerNorms(plan.graph).length, recomputedNorms - sharedAgain);
  assert.notEqual(plan.graph, graph);
  assert.match(String(plan), /# rewritten first: recompute: /);
  assert.equal(plan.peakBytes.before, estimateMemory(graph).peakBytes);
  const feeds = makeInputs();
  const run = await plan.run(feeds);
  assert.ok(run.peakBytes <= budget, `measured ${run.peakBytes} > budget ${budget}`);
  assert.equal(run.peakBytes, plan.peakBytes.after);
  const want = await outputs(graph, feeds);
  run.outputs.forEach((t, k) => {
    const got = t.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - want[k]![i]!) / (Math.abs(want[k]![i]!) + 1e-3));
    }
    assert.ok(worst < 1e-4, `output ${k}: relative error ${worst}`);
  });
  await assert.rejects(
    autochunk(graph, { budget: floor - 1, costModel: table }),
    (e: unknown) => e instanceof BudgetError && e.minimumBytes === floor,
  );
});

test("a reordered graph's search gives the same regions with candidates inherited from the original as from scratch", async () => {
  const graph = recomputePerReader(small().graph);
  const base = estimateMemory(graph);
  const minimum = { mode: "minimum", budget: 0, table } as const;
  const stuck = await searchRegions(graph, base, minimum);
  // Move the first chunk-free work of a region around the stuck node before it (as reschedule does).
  const [span] = stageSpans(
    searchContext(graph),
    base,
    base.nodes.map((m) => m.peakBytes),
    stuck.peakNode,
    [],
    "minimum",
    0,
  );
  const trace = span!.candidates
    .map((c) => c.trace)
    .find((t) => t.hoisted.some((id) => !SOURCE_OPS.has(graph.nodes[id]!.op)))!;
  const moved = new Set(trace.hoisted);
  const at =
    1 +
    Math.max(
      ...trace.hoisted.flatMap((id) => graph.nodes[id]!.inputs.filter((i) => !moved.has(i))),
    );
  const reordered = prepose(graph, trace.hoisted, at);
  const fresh = await searchRegions(reordered, estimateMemory(reordered), minimum);
  const inheriting = estimateMemory(reordered);
  inheritCandidates(graph, base, inheriting, { start: at, end: Math.max(...trace.hoisted) });
  const inherited = await searchRegions(reordered, inheriting, minimum);
  const regions = (o: typeof fresh) =>
    o.choices.map((c) => [c.trace.start, c.trace.end, c.peakBytes]);
  assert.equal(inherited.peakBytes, fresh.peakBytes);
  assert.deepEqual(regions(inherited), regions(fresh));
});
