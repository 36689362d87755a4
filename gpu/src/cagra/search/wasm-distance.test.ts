import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { internalDistance, prepareForMetric } from "../distance.js";
import { METRICS } from "../types.js";
import { rowDistances } from "./wasm-distance.js";

test("rowDistances matches internalDistance for every metric, odd dimensions included", () => {
  const rand = seededRandom(7);
  for (const dim of [1, 3, 13, 128]) {
    const raw = matrix(
      Float32Array.from({ length: 50 * dim }, () => gaussian(rand)),
      50,
      dim,
    );
    const rawQueries = matrix(
      Float32Array.from({ length: 3 * dim }, () => gaussian(rand)),
      3,
      dim,
    );
    for (const metric of METRICS) {
      const dataset = prepareForMetric(raw, metric);
      const queries = prepareForMetric(rawQueries, metric);
      const exact = internalDistance(metric);
      const distances = rowDistances(dataset, metric);
      // Scattered ids, a count that is not a multiple of 4, a repeated id.
      const ids = Uint32Array.from([49, 0, 17, 17, 3, 22, 8]);
      const out = new Float32Array(ids.length);
      for (let q = 0; q < queries.rows; q++) {
        distances.setQuery(queries, q);
        distances.compute(ids, ids.length, out);
        ids.forEach((id, i) => {
          const want = exact(queries.data, q, dataset.data, id, dim);
          assert.ok(
            Math.abs(out[i]! - want) <= 1e-5 * Math.max(1, Math.abs(want)),
            `${metric} d=${dim} q=${q} id=${id}: ${out[i]} vs ${want}`,
          );
        });
      }
    }
  }
});

test("a query is fully replaced by the next one (no stale padding)", () => {
  const dataset = matrix(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
  const queries = matrix(new Float32Array([9, 9, 9, 0, 0, 0]), 2, 3);
  const distances = rowDistances(dataset, "sqeuclidean");
  const out = new Float32Array(2);
  distances.setQuery(queries, 0);
  distances.setQuery(queries, 1);
  distances.compute(Uint32Array.from([0, 1]), 2, out);
  assert.deepEqual([...out], [14, 77]);
});
