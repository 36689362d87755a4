import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matrix, row } from "../common/matrix.js";
import { holdOutQueries } from "./holdout.js";

describe("holdOutQueries", () => {
  const m = matrix(
    Float32Array.from({ length: 200 * 3 }, (_, i) => i),
    200,
    3,
  );

  it("splits rows into base and queries, each row once, keeping the values", () => {
    const h = holdOutQueries(m, 30, 4);
    assert.equal(h.queries.rows, 30);
    assert.equal(h.base.rows, 170);
    const all = [...h.baseRows, ...h.queryRows].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 200 }, (_, i) => i),
    );
    h.queryRows.forEach((r, i) => assert.deepEqual(row(h.queries, i), row(m, r)));
    h.baseRows.forEach((r, i) => assert.deepEqual(row(h.base, i), row(m, r)));
    assert.ok(
      h.queryRows.every((r, i) => i === 0 || r > h.queryRows[i - 1]!),
      "queries ascend",
    );
  });

  it("repeats for a seed, differs across seeds, and spreads over the rows", () => {
    assert.deepEqual(holdOutQueries(m, 30, 4).queryRows, holdOutQueries(m, 30, 4).queryRows);
    assert.notDeepEqual(holdOutQueries(m, 30, 4).queryRows, holdOutQueries(m, 30, 5).queryRows);
    const picked = holdOutQueries(m, 100, 1).queryRows;
    const inFirstHalf = picked.filter((r) => r < 100).length;
    assert.ok(
      inFirstHalf > 30 && inFirstHalf < 70,
      `uniform sample, got ${inFirstHalf} of 100 in the first half`,
    );
    assert.equal(holdOutQueries(m, 0).queries.rows, 0);
    assert.throws(() => holdOutQueries(m, 201), /count must be an integer in \[0, 200\], got 201/);
  });
});
