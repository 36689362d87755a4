import assert from "node:assert/strict";
import { test } from "node:test";
import { optimize } from "../optimize/optimize.js";
import { siftKnn, truncate } from "../../../test/cagra/sift-knn.js";
import { degreeStats } from "./degrees.js";
import { stronglyConnectedComponents } from "./scc.js";
import { twoHopReach } from "./two-hop.js";

/*
 * The paper's graph-quality measures on a real graph: the first 1000 SIFT-5k vectors, exact kNN
 * with I = 128, optimized to G = 64, against the kNN graph truncated to 64.
 */

test("SIFT 1000: the optimized graph is strongly connected and reaches more in two hops", async (t) => {
  const knn = siftKnn(1000, 128);
  const optimized = await optimize(knn, 64);
  const baseline = truncate(knn, 64);

  const scc = stronglyConnectedComponents(optimized);
  const sccBaseline = stronglyConnectedComponents(baseline);
  t.diagnostic(
    `SCCs: optimized ${scc.count} (largest ${scc.largest}), kNN-64 ${sccBaseline.count} (largest ${sccBaseline.largest})`,
  );
  assert.equal(scc.count, 1);

  const reach = twoHopReach(optimized);
  const reachBaseline = twoHopReach(baseline);
  t.diagnostic(
    `2-hop reach mean/min: optimized ${reach.mean.toFixed(1)}/${reach.min}, kNN-64 ${reachBaseline.mean.toFixed(1)}/${reachBaseline.min}`,
  );
  assert.ok(reach.mean > reachBaseline.mean);
  assert.ok(reach.min > reachBaseline.min);

  const degreesOpt = degreeStats(optimized);
  const degreesKnn = degreeStats(baseline);
  t.diagnostic(
    `in-degree min/max: optimized ${degreesOpt.in.min}/${degreesOpt.in.max}, kNN-64 ${degreesKnn.in.min}/${degreesKnn.in.max}`,
  );
  assert.deepEqual(degreesOpt.out.histogram.counts.slice(64), [1000]);
  assert.equal(degreesOpt.in.mean, 64);
  // Reverse edges lift the nodes that no kNN list points to.
  assert.ok(degreesOpt.in.min > degreesKnn.in.min);

  const sampled = twoHopReach(optimized, { sample: 200, seed: 3 });
  assert.equal(sampled.n, 200);
  assert.ok(Math.abs(sampled.mean - reach.mean) < 0.1 * reach.mean);
});
