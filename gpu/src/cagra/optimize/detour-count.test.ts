import assert from "node:assert/strict";
import { test } from "node:test";
import { createDetourCounter, detourCounts, MAX_DETOURS } from "./detour-count.js";
import { localityOrder } from "./locality-order.js";
import { referenceDetourCounts } from "../../../test/cagra/optimize-reference.js";
import { siftKnn } from "../../../test/cagra/sift-knn.js";
import { INVALID_NODE } from "./validate.js";

const graph = (rows: number[][]) => ({
  neighbors: Uint32Array.from(rows.flat()),
  size: rows.length,
  degree: rows[0]!.length,
});

test("detourCounts: a self-edge starts at the degree, duplicates count at their next copy", () => {
  const knn = graph([
    [1, 2, 2],
    [2, 3, 0],
    [2, 3, 1],
    [0, 1, 2],
  ]);
  // Node 0 [1, 2, 2]: D = 1 (rank 0) lists 2, found at rank 1 → +1 at rank 1. D = 2 (rank 1)
  //   lists 2 (itself), whose first copy is at rank 1 ≤ kAD, so the copy at rank 2 gets +1.
  // Node 1 [2, 3, 0]: D = 2 lists 3 (rank 1) → +1; D = 3 lists 0 (rank 2) → +1.
  // Node 2 [2, 3, 1]: the self-edge at rank 0 starts at 3 (the degree). D = 2 (itself, rank 0)
  //   lists 3 (rank 1) and 1 (rank 2) → +1 each; D = 3 lists 1 (rank 2) → +1.
  // Node 3 [0, 1, 2]: D = 0 lists 1 (rank 1) → +1 and 2 twice (rank 2) → +2; D = 1 lists 2 → +1.
  assert.deepEqual([...detourCounts(knn)], [0, 1, 1, 0, 1, 1, 3, 1, 2, 0, 1, 3]);
});

test("detourCounts: an id ≥ size (no neighbour) gets the maximum", () => {
  const knn = graph([
    [1, INVALID_NODE],
    [0, 2],
    [1, 0],
  ]);
  // Node 0: D = 1 lists 0 (absent) and 2 (absent); the empty slot gets MAX_DETOURS.
  // Node 1: D = 0 lists 1 (absent) and INVALID (skipped). Node 2: D = 1 lists 0 (rank 1) → 1.
  assert.deepEqual([...detourCounts(knn)], [0, MAX_DETOURS, 0, 0, 0, 1]);
});

test("detourCounts: counts saturate at 0xFFFF instead of wrapping", () => {
  // Node 0 lists D = 1..256 then B = 257; every D lists B 257 times, so B's edge collects
  // 256 · 257 = 65,792 detours, more than 16 bits hold.
  const degree = 257;
  const rows: number[][] = [[...Array.from({ length: 256 }, (_, i) => i + 1), 257]];
  for (let d = 1; d <= 256; d++) rows.push(new Array<number>(degree).fill(257));
  rows.push(new Array<number>(degree).fill(0));
  const counts = detourCounts(graph(rows)).subarray(0, degree);
  assert.equal(counts[256], MAX_DETOURS);
  assert.equal(
    counts.subarray(0, 256).every((c) => c === 0),
    true,
  );
});

test("detourCounts matches cuVS's loop, transcribed literally, on SIFT rows", () => {
  const knn = siftKnn(400, 64);
  const expected = referenceDetourCounts(knn, 150);
  assert.deepEqual(detourCounts(knn).subarray(0, expected.length), Uint16Array.from(expected));
});

/** Random rows over `size` nodes, with repeats and some INVALID entries. */
function randomRows(size: number, degree: number, seed: number) {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8;
  const neighbors = Uint32Array.from({ length: size * degree }, () =>
    next() % 10 === 0 ? INVALID_NODE : next() % size,
  );
  return { neighbors, size, degree };
}

test("detourCounts matches cuVS's loop on rows with duplicates, self-edges and gaps", () => {
  const knn = randomRows(12, 9, 12345);
  const rows = Array.from({ length: knn.size }, (_, v) =>
    Array.from(knn.neighbors.subarray(v * knn.degree, (v + 1) * knn.degree)),
  );
  const withRepeats = rows.filter((row) => new Set(row).size < row.length).length;
  const withSelfEdges = rows.filter((row, v) => row.includes(v)).length;
  assert.ok(withRepeats > 0 && withSelfEdges > 0, "the rows exercise repeats and self-edges");
  assert.deepEqual(detourCounts(knn), Uint16Array.from(referenceDetourCounts(knn)));
});

test("a counter over a renumbered graph gives each row the counts of its own ids", () => {
  // Dense repeats (40 nodes, degree 16) stress the rank table across rows counted in a row.
  const knn = randomRows(40, 16, 777);
  const expected = referenceDetourCounts(knn);
  const order = localityOrder(knn);
  const counter = createDetourCounter(knn, order);
  for (let position = 0; position < knn.size; position++) {
    const node = order[position]!;
    counter.count(position);
    assert.deepEqual(
      [...counter.counts],
      [...expected.subarray(node * knn.degree, (node + 1) * knn.degree)],
      `node ${node}`,
    );
  }
});
