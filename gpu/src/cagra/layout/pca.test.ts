import assert from "node:assert/strict";
import { test } from "node:test";
import { matrix } from "../../common/matrix.js";
import { gaussian, seededRandom } from "../../common/random.js";
import { fitPca2, projectPca2 } from "./pca.js";

/** Points stretched 10× along (1, 1, 0)/√2 and 3× along z, with small noise elsewhere. */
function stretched(rows: number) {
  const rand = seededRandom(7);
  const data = new Float32Array(rows * 4);
  for (let r = 0; r < rows; r++) {
    const a = 10 * gaussian(rand);
    const b = 3 * gaussian(rand);
    data.set([a / Math.SQRT2 + 5, a / Math.SQRT2 - 2, b, 0.1 * gaussian(rand)], r * 4);
  }
  return matrix(data, rows, 4);
}

test("fitPca2 finds the two directions of largest variance, in order", () => {
  const pca = fitPca2(stretched(4000));
  const [a, b] = [pca.axes.subarray(0, 4), pca.axes.subarray(4, 8)];
  assert.ok(Math.abs(Math.abs(a[0]!) - Math.SQRT1_2) < 0.02, `first axis ${a}`);
  assert.ok(Math.abs(Math.abs(a[1]!) - Math.SQRT1_2) < 0.02, `first axis ${a}`);
  assert.ok(Math.abs(Math.abs(b[2]!) - 1) < 0.02, `second axis ${b}`);
  assert.ok(Math.abs(pca.variance[0] - 100) < 8, `variance ${pca.variance}`);
  assert.ok(Math.abs(pca.variance[1] - 9) < 1, `variance ${pca.variance}`);
  assert.ok(Math.abs(pca.mean[0]! - 5) < 0.5 && Math.abs(pca.mean[1]! + 2) < 0.5);
});

test("projectPca2 centres the data; the fit is deterministic and samples large inputs", () => {
  const data = stretched(3000);
  const xy = projectPca2(fitPca2(data), data);
  let mx = 0;
  for (let r = 0; r < data.rows; r++) mx += xy[2 * r]!;
  assert.ok(Math.abs(mx / data.rows) < 1e-3);
  assert.deepEqual(fitPca2(data, { seed: 3 }).axes, fitPca2(data, { seed: 3 }).axes);
  const sampled = fitPca2(data, { sample: 500 });
  assert.ok(Math.abs(Math.abs(sampled.axes[0]!) - Math.SQRT1_2) < 0.05);
  assert.throws(
    () => projectPca2(sampled, matrix(new Float32Array(3), 1, 3)),
    /fitted on 4 columns/,
  );
  assert.throws(() => fitPca2(matrix(new Float32Array(0), 0, 4)), /the data is empty/);
});
