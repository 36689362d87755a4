import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkGraph } from "../codegen/chunk-graph.js";
import { estimateMemory } from "../estimate/estimate.js";
import { GraphBuilder } from "../ir/builder.js";
import type { Graph } from "../ir/graph.js";
import { evoformerBlock, gptPrefill, unet, vit } from "../models/index.js";
import { TINY_MODELS } from "../../../test/fixtures/autochunk-small-models.js";
import type { CostTable } from "../select/cost-table.js";
import { beamSearch } from "./beam.js";
import { searchContext } from "./context.js";
import type { SearchOutcome } from "./search.js";
import { searchRegions } from "./search.js";

/** A table where small chunks run elementwise ops faster (cache-sized) and loops cost little. */
const cacheBound: CostTable = {
  backend: "test",
  iterationSeconds: 6e-7,
  dispatchSeconds: 4e-9,
  gemm: [[1, 1e9]],
  stream: [
    [16, 1e10],
    [256, 1e8],
  ],
  copy: [[1, 1e10]],
};

const extra = (o: SearchOutcome) =>
  o.choices.reduce((sum, c) => sum + c.seconds.chunked - c.seconds.unchunked, 0);

async function both(graph: Graph, budget: number, table: CostTable) {
  const base = estimateMemory(graph);
  const greedy = await searchRegions(graph, base, {
    mode: "budget",
    budget,
    table,
    beamWidth: 0,
    branching: 0,
  });
  const beam = await searchRegions(graph, base, { mode: "budget", budget, table });
  return { greedy, beam };
}

test("the beam combines regions where greedy's cheapest first region blocks the next peak", async () => {
  // Two softmax chains joined through a narrow value: sum → [16, 1], broadcast back by `add`.
  const g = new GraphBuilder();
  const x = g.input("x", [16, 16]);
  const narrow = g.sum(g.exp(g.softmax(g.softmax(x, 1), 1)), 1, true);
  const wide = g.add(narrow, g.input("y", [16, 16]));
  const h = g.softmax(g.softmax(g.transpose(wide, 0, 1), 1), 1);
  g.output(g.sum(g.exp(h), 0, true));
  const graph = g.build();
  const budget = Math.floor(0.9 * estimateMemory(graph).peakBytes);
  const { greedy, beam } = await both(graph, budget, cacheBound);
  // Greedy's cheapest region for the first peak runs on past the narrow sum into the wide add,
  // so the second peak's region must start at the transpose with the wide value held whole.
  assert.ok(greedy.peakBytes > budget, "greedy misses the budget");
  assert.equal(greedy.choices[0]!.trace.end, wide.id);
  assert.equal(greedy.stages.at(-1)!.chosen, null);
  // The beam runs the first region on to the transpose and chunks h's chain in a second loop,
  // which writes its output over the transposed value it reads last (estimate/storage.ts).
  assert.ok(beam.peakBytes <= budget, `beam peak ${beam.peakBytes} > ${budget}`);
  const transpose = wide.id + 1;
  assert.deepEqual(
    beam.choices.map((c) => [c.trace.start, c.trace.end]).sort((a, b) => a[0]! - b[0]!),
    [
      [1, transpose],
      [transpose + 1, h.id + 1],
    ],
  );
  assert.equal(estimateMemory(chunkGraph(graph, beam.choices).graph).peakBytes, beam.peakBytes);
});

test("at small sizes the beam's plan is never worse than greedy's, on every model", async () => {
  const models: Record<string, Graph> = {
    gpt: gptPrefill({ ...TINY_MODELS.gpt, seq: 128 }).graph,
    vit: vit({ ...TINY_MODELS.vit, image: 64 }).graph,
    evoformer: evoformerBlock({ ...TINY_MODELS.evoformer, nRes: 48 }).graph,
    unet: unet({ ...TINY_MODELS.unet, image: 32 }).graph,
  };
  const tables: CostTable[] = [cacheBound, { ...cacheBound, dispatchSeconds: 1e-4 }];
  for (const [name, graph] of Object.entries(models)) {
    const peak = estimateMemory(graph).peakBytes;
    for (const table of tables) {
      for (const ratio of [0.5, 0.4, 0.3, 0.2]) {
        const budget = Math.floor(ratio * peak);
        const { greedy, beam } = await both(graph, budget, table);
        const where = `${name} at ${ratio} × peak, dispatch ${table.dispatchSeconds}`;
        if (greedy.peakBytes > budget) continue;
        assert.ok(beam.peakBytes <= budget, `${where}: the beam misses a budget greedy fits`);
        assert.ok(extra(beam) <= extra(greedy) + 1e-12, `${where}: the beam is slower`);
        const chunked = chunkGraph(graph, beam.choices).graph;
        assert.equal(estimateMemory(chunked).peakBytes, beam.peakBytes, where);
      }
    }
  }
});

test("beamSearch rejects a negative width", async () => {
  const g = new GraphBuilder();
  g.output(g.exp(g.input("x", [4, 4])));
  const graph = g.build();
  await assert.rejects(
    beamSearch(searchContext(graph), estimateMemory(graph), {
      budget: 1,
      table: cacheBound,
      width: -1,
    }),
    /width must be an integer ≥ 0, got -1/,
  );
});
