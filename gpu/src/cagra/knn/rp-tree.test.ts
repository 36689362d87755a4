import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussian, seededRandom } from "../../common/random.js";
import { randomProjectionLeaves } from "./rp-tree.js";

const dim = 6;
const rows = 1000;
const rand = seededRandom(1);
const data = Float32Array.from({ length: rows * dim }, () => gaussian(rand));

test("randomProjectionLeaves partitions the rows into leaves of at most maxLeaf", () => {
  const { order, starts } = randomProjectionLeaves(data, rows, dim, 40, seededRandom(2));
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    [...Array(rows).keys()],
  );
  assert.equal(starts[0], 0);
  assert.equal(starts.at(-1), rows);
  for (let i = 0; i + 1 < starts.length; i++) {
    const size = starts[i + 1]! - starts[i]!;
    assert.ok(size >= 1 && size <= 40, `leaf ${i} has ${size} rows`);
  }
});

test("randomProjectionLeaves groups near rows: leaf mates are closer than random pairs", () => {
  const { order, starts } = randomProjectionLeaves(data, rows, dim, 20, seededRandom(3));
  const dist = (a: number, b: number) => {
    let s = 0;
    for (let c = 0; c < dim; c++) s += (data[a * dim + c]! - data[b * dim + c]!) ** 2;
    return s;
  };
  let within = 0;
  let pairs = 0;
  for (let i = 0; i + 1 < starts.length; i++) {
    for (let a = starts[i]!; a < starts[i + 1]!; a++) {
      for (let b = a + 1; b < starts[i + 1]!; b++) {
        within += dist(order[a]!, order[b]!);
        pairs++;
      }
    }
  }
  let random = 0;
  for (let a = 0; a < rows; a++) random += dist(a, (a * 7 + 13) % rows);
  assert.ok(within / pairs < 0.6 * (random / rows), `${within / pairs} vs ${random / rows}`);
});

test("randomProjectionLeaves splits duplicates by halving and repeats for a seed", () => {
  const same = new Float32Array(100 * dim).fill(1);
  const a = randomProjectionLeaves(same, 100, dim, 10, seededRandom(4));
  assert.ok(a.starts.length - 1 >= 10);
  const b = randomProjectionLeaves(same, 100, dim, 10, seededRandom(4));
  assert.deepEqual(b, a);
});
