import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { holdOutQueries } from "../../datasets/holdout.js";
import { cpuBackend } from "../../device/select.js";
import { build } from "../build.js";
import { tune } from "./tune.js";

const all = gaussianMixture({ rows: 1560, dim: 16, clusters: 10, spread: 0.5, seed: 9 });
const { base, queries } = holdOutQueries(all, 60, 1);

test("tune returns the fastest measured setting that reaches the recall, with its sweep", async () => {
  const index = await build(cpuBackend(), base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const result = await tune(index, queries, {
    recall: 0.9,
    k: 10,
    repeats: 1,
    searchWidths: [1, 2],
    itopkSizes: [32, 64, 128],
  });
  const best = result.best;
  assert.ok(best !== undefined, "0.9 is reachable on this set");
  assert.ok(best.recall >= 0.9);
  for (const row of result.sweep) {
    assert.ok(row.recall >= 0 && row.recall <= 1 && row.qps > 0);
    if (row.recall >= 0.9) assert.ok(row.qps <= best.qps);
  }
  // Each width stops at its first itopk that meets the target, then tries two iteration caps.
  const capped = result.sweep.filter((r) => r.params.maxIterations !== undefined);
  assert.equal(capped.length, 4);
  for (const r of capped) {
    const planned = result.sweep.find(
      (u) =>
        u.params.maxIterations === undefined &&
        u.params.itopkSize === r.params.itopkSize &&
        u.params.searchWidth === r.params.searchWidth,
    )!;
    assert.ok(planned.recall >= 0.9);
    assert.ok(
      [0.5, 0.75].some((f) => r.maxIterations === Math.ceil(planned.maxIterations * f)),
      `capped at ${r.maxIterations} of ${planned.maxIterations}`,
    );
  }
  assert.equal(result.queries, 60);
});

test("tune reports no best when the recall is out of reach, and refuses a bad target", async () => {
  const index = await build(cpuBackend(), base, { graphDegree: 16, intermediateGraphDegree: 32 });
  const cramped = await tune(index, queries, {
    recall: 1,
    k: 10,
    repeats: 1,
    searchWidths: [1],
    itopkSizes: [32],
    iterationFractions: [],
    fixed: { maxIterations: 8 },
  });
  assert.equal(cramped.sweep.length, 1);
  assert.ok(cramped.sweep[0]!.recall < 1, "itopk 32 with 8 iterations misses some neighbours");
  assert.equal(cramped.best, undefined);
  await assert.rejects(tune(index, queries, { recall: 1.5, k: 10 }), /recall must be in \(0, 1\]/);
});
