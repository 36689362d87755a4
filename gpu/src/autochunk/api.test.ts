import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../common/random.js";
import { cpuBackend } from "../device/select.js";
import type { CostTable, Graph, Plan, Tensor } from "./index.js";
import {
  BudgetError,
  GraphBuilder,
  autochunk,
  estimateMemory,
  execute,
  lowestPeak,
  maxSequenceLength,
  numel,
  tensor,
  validate,
} from "./index.js";
import {
  evoformerBlock,
  gptPrefill,
  mlp,
  selfAttention,
  seededParams,
  unet,
  vit,
} from "./models/index.js";
import { SMALL_EVOFORMER, SMALL_GPT } from "../../test/fixtures/autochunk-small-models.js";

// A fixed cost table, so plans do not depend on this machine's timing.
const TABLE: CostTable = {
  backend: "test",
  iterationSeconds: 5e-6,
  dispatchSeconds: 5e-6,
  gemm: [
    [1, 3e8],
    [16, 2e9],
    [256, 3.5e9],
  ],
  stream: [
    [256, 2e8],
    [65536, 4e8],
  ],
  copy: [
    [4096, 2e9],
    [1 << 20, 2e10],
  ],
};

const rand = seededRandom(21);
function randomFeeds(graph: Graph): Tensor[] {
  return graph.inputs.map((id) => {
    const shape = graph.nodes[id]!.shape;
    return tensor(
      shape,
      new Float32Array(numel(shape)).map(() => 2 * rand() - 1),
    );
  });
}

/** A pre-LN transformer block on x[1, T, C]: causal attention and a GELU MLP, both residual. */
function block(T: number, C: number, heads: number, layers = 1): Graph {
  const g = new GraphBuilder();
  const p = seededParams(g, 1);
  let x = g.input("x", [1, T, C]);
  const mask = g.param("mask", [T, T], { kind: "causal_mask", fill: -1e9 });
  for (let i = 0; i < layers; i++) {
    x = p.scope(`h${i}`, () => {
      const a = g.add(x, selfAttention(p, "attn", g.layerNorm(x), heads, mask));
      return g.add(a, mlp(p, "mlp", g.layerNorm(a), 4 * C, "gelu"));
    });
  }
  g.output(x);
  return g.build();
}

/** Runs the graph and the plan on the same inputs and checks what the plan promises. */
async function checkPlan(plan: Plan, inputs: Tensor[] | Record<string, Tensor>): Promise<void> {
  validate(plan.chunked);
  const want = await execute(plan.graph, inputs);
  const got = await plan.run(inputs);
  assert.equal(got.outputs.length, want.outputs.length);
  want.outputs.forEach((w, k) => {
    const g = got.outputs[k]!;
    assert.deepEqual(g.shape, w.shape);
    let scale = 0;
    let err = 0;
    for (let i = 0; i < w.data.length; i++) {
      scale = Math.max(scale, Math.abs(w.data[i]!));
      err = Math.max(err, Math.abs(g.data[i]! - w.data[i]!));
    }
    assert.ok(err <= 1e-4 * scale, `output ${k}: max error ${err} vs max |out| ${scale}`);
  });
  assert.equal(plan.peakBytes.before, want.peakBytes, "the unchunked prediction is exact");
  assert.ok(got.peakBytes <= plan.budget, `measured ${got.peakBytes} > budget ${plan.budget}`);
  const off = Math.abs(plan.peakBytes.after - got.peakBytes) / got.peakBytes;
  assert.ok(off <= 0.1, `estimated ${plan.peakBytes.after}, measured ${got.peakBytes}`);
  assert.equal(Math.max(...plan.nodes.map((n) => n.afterBytes)), plan.peakBytes.after);
  plan.regions.forEach((r, k) => {
    assert.equal(r.loop, `chunk${k}`);
    if (k > 0) assert.ok(plan.regions[k - 1]!.end < r.start, "regions are disjoint, in order");
    assert.ok(r.peakBytes.after <= plan.budget && r.peakBytes.after < r.peakBytes.before);
    assert.equal(r.iterations, Math.ceil(r.length / r.chunkSize));
  });
}

test("attention and MLP blocks: same outputs, measured peak within the budget", async () => {
  const graph = block(96, 32, 4);
  const inputs = randomFeeds(graph);
  const peak = estimateMemory(graph).peakBytes;
  for (const ratio of [0.5, 0.3]) {
    const plan = await autochunk(graph, { budget: ratio * peak, costModel: TABLE });
    assert.ok(plan.regions.length >= 1);
    await checkPlan(plan, inputs);
  }
});

test("a budget the graph already meets needs no region", async () => {
  const graph = block(16, 16, 2);
  const plan = await autochunk(graph, {
    budget: 2 * estimateMemory(graph).peakBytes,
    costModel: TABLE,
  });
  assert.equal(plan.regions.length, 0);
  assert.equal(plan.peakBytes.after, plan.peakBytes.before);
  await checkPlan(plan, randomFeeds(graph));
});

test("multi-stage: attention and MLP peaks of two layers take several regions", async () => {
  const graph = block(128, 32, 4, 2);
  const peak = estimateMemory(graph).peakBytes;
  const plan = await autochunk(graph, { budget: 0.3 * peak, costModel: TABLE });
  assert.ok(plan.regions.length >= 2, `${plan.regions.length} regions`);
  assert.ok(plan.stages.length >= plan.regions.length);
  assert.ok(plan.stages.every((s) => s.candidates > 0));
  assert.ok(new Set(plan.regions.map((r) => r.startName.split(".")[0])).size >= 2, "both layers");
  await checkPlan(plan, randomFeeds(graph));
  const text = String(plan);
  assert.match(text, /^# autochunk: budget [\d.]+ MiB; predicted peak [\d.]+ MiB → [\d.]+ MiB/);
  for (const r of plan.regions) {
    assert.match(text, new RegExp(`for i in range\\(0, ${r.length}, ${r.chunkSize}\\):`));
    assert.ok(
      text.includes(
        `  # ${r.loop}: ${r.length} along the chunk dim in chunks of ${r.chunkSize} (${r.iterations} iterations)`,
      ),
    );
  }
});

test("an impossible budget names the lowest peak the search can reach, and that one works", async () => {
  const graph = block(64, 32, 4);
  const peak = estimateMemory(graph).peakBytes;
  const error = await autochunk(graph, { budget: 0.01 * peak, costModel: TABLE }).then(
    () => assert.fail("expected a BudgetError"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof BudgetError && error instanceof RangeError);
  assert.ok(error.minimumBytes > 0.01 * peak && error.minimumBytes < peak);
  assert.match(error.message, new RegExp(`Pass a budget ≥ ${error.minimumBytes}\\.`));
  assert.match(error.message, /at \w+ "[^"]+"/);
  const tight = await autochunk(graph, { budget: error.minimumBytes, costModel: TABLE });
  await checkPlan(tight, randomFeeds(graph));
  await assert.rejects(
    autochunk(graph, { budget: error.minimumBytes - 1, costModel: TABLE }),
    BudgetError,
  );
  assert.equal(await lowestPeak(graph, { costModel: TABLE }), error.minimumBytes);
});

test("a plan records the executor it is made for; plan.run takes a backend and measures on request", async () => {
  const graph = block(32, 32, 4);
  const budget = estimateMemory(graph, "cpu").peakBytes / 2;
  const plan = await autochunk(graph, { budget, costModel: TABLE, backend: cpuBackend() });
  assert.equal(plan.executor, "cpu");
  const inputs = randomFeeds(graph);
  const run = await plan.run(inputs, { backend: cpuBackend(), measureResident: true });
  assert.equal(run.peakBytes, plan.peakBytes.after);
  assert.ok(run.resident !== null && run.resident.peakBytes > 0);
  assert.equal((await plan.run(inputs)).resident, null);
});

test("bad budgets and aborted searches are refused", async () => {
  const graph = block(16, 16, 2);
  for (const budget of [0, -5, Number.NaN, Infinity]) {
    await assert.rejects(
      autochunk(graph, { budget, costModel: TABLE }),
      /budget must be a positive number of bytes/,
    );
  }
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    autochunk(graph, { budget: 1000, costModel: TABLE, signal: controller.signal }),
    { name: "AbortError" },
  );
});

test("the evaluation models at small sizes: chunked outputs match, peaks fit", async () => {
  const models = [
    gptPrefill(SMALL_GPT),
    vit({ image: 128, patch: 8, dim: 64, depth: 2, heads: 4, classes: 10 }),
    evoformerBlock(SMALL_EVOFORMER),
    unet({
      image: 32,
      blockChannels: [16, 32],
      attention: [false, true],
      groups: 4,
      headDim: 8,
      layersPerBlock: 1,
    }),
  ];
  for (const model of models) {
    const peak = estimateMemory(model.graph).peakBytes;
    // Half the peak where the model allows it; else the least the search reaches (the UNet's
    // convolutions compute along H and W, and its batch is 1, so only attention chunks).
    const plan = await autochunk(model.graph, { budget: 0.5 * peak, costModel: TABLE }).catch(
      (e: unknown) => {
        if (!(e instanceof BudgetError)) throw e;
        return autochunk(model.graph, { budget: e.minimumBytes, costModel: TABLE });
      },
    );
    assert.ok(plan.regions.length >= 1);
    await checkPlan(plan, model.makeInputs());
  }
});

test("maxSequenceLength: the longest length that fits, unchunked and chunked", async () => {
  const factory = (seq: number) => block(seq, 16, 2);
  const budget = estimateMemory(factory(64)).peakBytes;
  const plain = await maxSequenceLength(factory, budget, { chunked: false, step: 4 });
  assert.ok(plain.length >= 64 && plain.length % 4 === 0);
  assert.ok(estimateMemory(factory(plain.length)).peakBytes <= budget);
  assert.ok(estimateMemory(factory(plain.length + 4)).peakBytes > budget);
  assert.equal(plain.plan, null);
  const chunked = await maxSequenceLength(factory, budget, {
    chunked: true,
    step: 4,
    limit: 512,
    costModel: TABLE,
    verify: true,
  });
  assert.ok(chunked.length > plain.length, `${chunked.length} vs ${plain.length}`);
  assert.ok(chunked.plan !== null && chunked.plan.peakBytes.after <= budget);
  assert.ok(chunked.measuredPeakBytes !== null && chunked.measuredPeakBytes <= budget);
  assert.ok(
    chunked.probes.some((p) => p.length === chunked.length + 4 && !p.fits) ||
      chunked.length === 512,
  );
  await assert.rejects(
    maxSequenceLength(factory, budget, { chunked: false, step: 0 }),
    /step must be/,
  );
});
