import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { internalDistance, prepareForMetric } from "../distance.js";
import { decodeVectors, encodeVectors, STORAGE_KINDS } from "../storage/vector-storage.js";
import { METRICS } from "../types.js";
import { rowDistances } from "./wasm-distance.js";

test("rowDistances matches internalDistance over the decoded values, for every kind and metric", () => {
  const rand = seededRandom(7);
  for (const dim of [1, 3, 13, 17, 128]) {
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
      const prepared = prepareForMetric(raw, metric);
      const queries = prepareForMetric(rawQueries, metric);
      const exact = internalDistance(metric);
      for (const kind of STORAGE_KINDS) {
        const stored = encodeVectors(prepared, kind);
        const values = decodeVectors(stored);
        const distances = rowDistances(stored, metric);
        // Scattered ids, a count that is not a multiple of 4, a repeated id.
        const ids = Uint32Array.from([49, 0, 17, 17, 3, 22, 8]);
        const out = new Float32Array(ids.length);
        for (let q = 0; q < queries.rows; q++) {
          distances.setQuery(queries, q);
          distances.compute(ids, ids.length, out);
          ids.forEach((id, i) => {
            const want = exact(queries.data, q, values.data, id, dim);
            assert.ok(
              Math.abs(out[i]! - want) <= 1e-5 * Math.max(1, Math.abs(want)),
              `${kind} ${metric} d=${dim} q=${q} id=${id}: ${out[i]} vs ${want}`,
            );
          });
        }
      }
    }
  }
});

test("f16 kernels decode subnormal halves, zeros and negative values exactly", () => {
  const values = new Float32Array([2 ** -24, -(2 ** -20), 0, -0, -3.5, 65504, 1e-3, -7]);
  const stored = encodeVectors(matrix(values, 1, 8), "f16");
  const distances = rowDistances(stored, "inner_product");
  const out = new Float32Array(1);
  const decoded = decodeVectors(stored).data;
  for (let c = 0; c < 8; c++) {
    const unit = new Float32Array(8);
    unit[c] = 1;
    distances.setQuery(matrix(unit, 1, 8), 0);
    distances.compute(Uint32Array.from([0]), 1, out);
    assert.ok(out[0] === -decoded[c]!, `column ${c}: ${out[0]} vs ${-decoded[c]!}`);
  }
});

test("lists longer than one kernel call are computed in pieces", () => {
  const rand = seededRandom(3);
  const dataset = matrix(
    Float32Array.from({ length: 40 * 8 }, () => gaussian(rand)),
    40,
    8,
  );
  const distances = rowDistances(encodeVectors(dataset, "f32"), "sqeuclidean");
  const ids = Uint32Array.from({ length: 2500 }, (_, i) => (i * 7) % 40);
  const out = new Float32Array(ids.length);
  distances.setQuery(dataset, 5);
  distances.compute(ids, ids.length, out);
  const exact = internalDistance("sqeuclidean");
  ids.forEach((id, i) => assert.equal(out[i], out[ids.indexOf(id)], `entry ${i}`));
  assert.ok(Math.abs(out[ids.indexOf(5)]!) === 0);
  assert.ok(Math.abs(out[2499]! - exact(dataset.data, 5, dataset.data, ids[2499]!, 8)) < 1e-4);
});

test("a query is fully replaced by the next one (no stale padding)", () => {
  const dataset = matrix(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
  const queries = matrix(new Float32Array([9, 9, 9, 0, 0, 0]), 2, 3);
  const distances = rowDistances(encodeVectors(dataset, "f32"), "sqeuclidean");
  const out = new Float32Array(2);
  distances.setQuery(queries, 0);
  distances.setQuery(queries, 1);
  distances.compute(Uint32Array.from([0, 1]), 2, out);
  assert.deepEqual([...out], [14, 77]);
});
