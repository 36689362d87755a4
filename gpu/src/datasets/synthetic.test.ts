import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { row } from "../common/matrix.js";
import { gaussianMixture } from "./synthetic.js";

describe("gaussianMixture", () => {
  it("is the same matrix for the same parameters and another for another seed", () => {
    const a = gaussianMixture({ rows: 500, dim: 8, clusters: 5, spread: 0.2, seed: 3 });
    assert.equal(a.rows, 500);
    assert.equal(a.cols, 8);
    assert.deepEqual(a, gaussianMixture({ rows: 500, dim: 8, clusters: 5, spread: 0.2, seed: 3 }));
    assert.notDeepEqual(
      a,
      gaussianMixture({ rows: 500, dim: 8, clusters: 5, spread: 0.2, seed: 4 }),
    );
  });

  it("places rows around `clusters` centres with standard deviation `spread`", () => {
    // With spread 0 every row is a centre; the same seed draws the same centres first.
    const centres = gaussianMixture({ rows: 2000, dim: 16, clusters: 12, spread: 0, seed: 9 });
    const distinct = new Map<string, Float32Array>();
    for (let r = 0; r < centres.rows; r++) distinct.set(row(centres, r).join(","), row(centres, r));
    assert.equal(distinct.size, 12);
    const spread = 0.05;
    const m = gaussianMixture({ rows: 2000, dim: 16, clusters: 12, spread, seed: 9 });
    let sum = 0;
    for (let r = 0; r < m.rows; r++) {
      let best = Infinity;
      for (const c of distinct.values()) {
        let d = 0;
        for (let k = 0; k < 16; k++) d += (m.data[r * 16 + k]! - c[k]!) ** 2;
        best = Math.min(best, d);
      }
      sum += best;
    }
    const variance = sum / (m.rows * 16);
    assert.ok(Math.abs(variance / spread ** 2 - 1) < 0.05, `per-coordinate variance ${variance}`);
  });

  it("rejects bad parameters by name", () => {
    assert.throws(() => gaussianMixture({ rows: 10, dim: 0 }), /dim must be an integer ≥ 1, got 0/);
    assert.throws(
      () => gaussianMixture({ rows: -1, dim: 2 }),
      /rows must be a non-negative integer/,
    );
    assert.throws(
      () => gaussianMixture({ rows: 1, dim: 2, spread: -1 }),
      /spread must be a finite number ≥ 0/,
    );
  });
});
