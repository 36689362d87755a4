import assert from "node:assert/strict";
import { test } from "node:test";
import { autochunk as ac } from "@tessera/gpu";
import {
  decodeChunkPlan,
  memoryEventsOf,
  MIME_CHUNK_PLAN,
  validateChunkPlan,
  type ChunkPlanPayload,
  type ChunkPlanReply,
} from "@tessera/viz";
import { CommManager, type CommData } from "../comms/manager.js";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { chunkPlanView, pseudocodeLines } from "./chunk-plan.js";
import { FLAT_COST_TABLE } from "../../../gpu/test/fixtures/autochunk-cost-table.js";
import { serveLiveWidgets } from "./live.js";

const model = ac.gptPrefill({ seq: 256, nEmbd: 32, nHead: 2, nLayer: 2, vocab: 64 });
const FLAT = FLAT_COST_TABLE;

test("pseudocodeLines maps each name to the line that computes it", () => {
  const lines = pseudocodeLines(
    "def f(x):\n  y = relu(x)\n  for i in range(0, 4, 1):\n    z = exp(y[i:i+1])\n    out[i:i+1] = z",
  );
  assert.deepEqual(
    [...lines],
    [
      ["y", 2],
      ["z", 4],
    ],
  );
});

test("chunkPlanView shows the plan, its SVG and text; each node says why it is chunked or not", async () => {
  const estimate = ac.estimateMemory(model.graph);
  const plan = await ac.autochunk(model.graph, {
    budget: Math.floor(0.3 * estimate.peakBytes),
    costModel: FLAT,
  });
  const view = await chunkPlanView(plan, { title: "GPT <tiny>", live: false });
  const bundle = view[JUPYTER_DISPLAY]() as Record<string, unknown>;
  const payload = bundle[MIME_CHUNK_PLAN] as ChunkPlanPayload;
  assert.ok(validateChunkPlan(payload).ok);
  assert.equal(payload.live, undefined);
  const svg = bundle["image/svg+xml"] as string;
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /GPT &lt;tiny&gt;/);
  assert.match(
    bundle["text/plain"] as string,
    /^AutoChunk plan: predicted peak .* → .*, \d+ region/,
  );
  const decoded = decodeChunkPlan(payload);
  // Parameters are left out; every region's nodes say which loop they are in.
  assert.equal(decoded.op.includes("param"), false);
  assert.ok(payload.regions.length >= 1);
  assert.ok(payload.minimumBytes! <= plan.peakBytes.after);
  const r = payload.regions[0]!;
  assert.match(
    decoded.reason[r.start]!,
    new RegExp(`^in ${r.loop}: computed per chunk along its dim`),
  );
  // Every chunked node maps to its pseudocode line, which computes it.
  for (let i = r.start; i <= r.end; i++) {
    const line = decoded.pseudocode[decoded.line[i]! - 1]!;
    assert.equal(line.trim().split(" = ")[0], decoded.name[i]);
  }
  // A node left out for a rule it broke says which (the softmax along its key axis, say).
  const outside = decoded.reason.filter((x) => x.startsWith("not chunked"));
  assert.ok(outside.length > 0);
  assert.equal(decoded.peakBytes.after, plan.peakBytes.after);
  assert.equal(decoded.afterBytes[decoded.peakNode.after], plan.peakBytes.after);
});

test("the live `plan` method re-plans at a new budget, and reports an impossible one", async () => {
  const sent: { content: CommData }[] = [];
  const manager = new CommManager((_type, content) => sent.push({ content }));
  serveLiveWidgets(manager);
  const estimate = ac.estimateMemory(model.graph);
  const plan = await ac.autochunk(model.graph, {
    budget: Math.floor(0.5 * estimate.peakBytes),
    costModel: FLAT,
  });
  const view = await chunkPlanView(plan);
  const id = view.payload.live!.id;
  await manager.handleOpen({ comm_id: "p", target_name: "tessera", data: { widget: id } }, []);
  const ask = async (request: number, budget: number): Promise<ChunkPlanReply> => {
    await manager.handleMessage(
      { comm_id: "p", data: { request, method: "plan", params: { budget } } },
      [],
    );
    for (
      let k = 0;
      k < 200 && !sent.some((s) => (s.content.data as { reply?: number }).reply === request);
      k++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const reply = sent.find((s) => (s.content.data as { reply?: number }).reply === request)!;
    return (reply.content.data as { result: ChunkPlanReply }).result;
  };
  const tighter = Math.floor(0.25 * estimate.peakBytes);
  const fit = await ask(1, tighter);
  assert.ok(fit.ok);
  assert.ok(validateChunkPlan(fit.payload).ok);
  assert.equal(fit.payload.budgetBytes, tighter);
  assert.ok(fit.payload.peakBytes.after <= tighter);
  assert.equal(view.plan.budget, tighter, "the view's plan is the latest");
  const minimum = view.payload.minimumBytes!;
  const impossible = await ask(2, Math.floor(minimum / 2));
  assert.ok(!impossible.ok);
  assert.equal(impossible.minimumBytes, minimum);
  assert.match(impossible.message, /the lowest peak reachable is/);
  view.dispose();
});

test("measured runs come with the plan as linked timelines, named by the plan's nodes", async () => {
  const estimate = ac.estimateMemory(model.graph);
  const plan = await ac.autochunk(model.graph, {
    budget: Math.floor(0.3 * estimate.peakBytes),
    costModel: FLAT,
  });
  const inputs = model.makeInputs();
  const plain = await ac.execute(model.graph, inputs);
  const chunked = await plan.run(inputs);
  const view = await chunkPlanView(plan, {
    live: false,
    timelines: { unchunked: plain.memory, chunked: chunked.memory },
  });
  assert.ok(validateChunkPlan(view.payload).ok);
  const timelines = view.payload.timelines!;
  assert.deepEqual(
    timelines.runs.map((r) => r.name),
    ["unchunked", "chunked"],
  );
  assert.equal(timelines.budgetBytes, plan.budget);
  assert.ok(
    timelines.runs.every((r) => (r.predicted?.length ?? 0) > 0),
    "predictions drawn",
  );
  // The chunked run's allocations inside loops name the plan's nodes (chunk0/… → node).
  const names = new Set(view.payload.nodes.name);
  const first = view.payload.regions[0]!;
  const strings = new Set(timelines.runs[1]!.events.strings);
  assert.ok(strings.has(view.payload.nodes.name[first.start]!), "a region's node is in the run");
  assert.ok([...strings].some((s) => names.has(s)));
  // The static picture shows the plan and, below it, both runs.
  const svg = (view[JUPYTER_DISPLAY]() as Record<string, string>)["image/svg+xml"]!;
  assert.match(svg, /<svg y="\d+" xmlns=[^]*: unchunked<[^]*: chunked</);
});

test("with the model, the view runs both programs itself; the chunked run fits the budget", async () => {
  const estimate = ac.estimateMemory(model.graph);
  const plan = await ac.autochunk(model.graph, {
    budget: Math.floor(0.3 * estimate.peakBytes),
    costModel: FLAT,
  });
  const view = await chunkPlanView(plan, { live: false, model });
  const runs = view.payload.timelines!.runs;
  assert.deepEqual(
    runs.map((r) => r.name),
    ["unchunked", "chunked"],
  );
  const peakOf = (run: (typeof runs)[number]) => {
    let live = 0;
    let peak = 0;
    for (const e of memoryEventsOf(run.events)) {
      live += e.kind === "alloc" ? e.bytes : -e.bytes;
      peak = Math.max(peak, live);
    }
    return peak;
  };
  assert.equal(peakOf(runs[0]!), plan.peakBytes.before, "measured = predicted, unchunked");
  assert.ok(peakOf(runs[1]!) <= plan.budget, "the chunked run fits the budget");
  await assert.rejects(
    chunkPlanView(plan, { live: false, model: {} as never }),
    /model must be the model the plan was made for/,
  );
});
