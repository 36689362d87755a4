import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussianMixture } from "../../datasets/synthetic.js";
import { umapLayout } from "./umap.js";

test("umapLayout repeats for a seed, reports progress per epoch and stops when aborted", async () => {
  const data = gaussianMixture({ rows: 600, dim: 16, clusters: 3, spread: 0.2, seed: 4 });
  const reports: number[] = [];
  const a = await umapLayout(data, {
    seed: 1,
    nEpochs: 60,
    onProgress: (p) => p.stage === "umap" && reports.push(p.done),
  });
  const b = await umapLayout(data, { seed: 1, nEpochs: 60 });
  assert.deepEqual(a, b, "same seed, same layout");
  assert.equal(a.length, 1200);
  assert.ok(a.every(Number.isFinite));
  assert.equal(reports.at(-1), 60);
  await assert.rejects(umapLayout(data, { signal: AbortSignal.abort(new Error("stop")) }), /stop/);
});
