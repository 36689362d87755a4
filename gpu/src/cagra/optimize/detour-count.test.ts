import assert from "node:assert/strict";
import { test } from "node:test";
import { countRowDetours, detourCounts, MAX_DETOURS, SCRATCH_SLOTS } from "./detour-count.js";
import { createRowLookup, loadRow, unloadRow } from "./row-lookup.js";
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

test("countRowDetours matches cuVS's loop, transcribed literally, on SIFT rows", () => {
  const knn = siftKnn(400, 64);
  const expected = referenceDetourCounts(knn, 150);
  assert.deepEqual(detourCounts(knn).subarray(0, expected.length), Uint16Array.from(expected));
});

test("countRowDetours matches cuVS's loop on rows with duplicates, self-edges and gaps", () => {
  // Random rows over 12 nodes, with repeats and some INVALID entries.
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8;
  const size = 12;
  const degree = 9;
  const neighbors = Uint32Array.from({ length: size * degree }, () =>
    next() % 10 === 0 ? INVALID_NODE : next() % size,
  );
  const knn = { neighbors, size, degree };
  const lookup = createRowLookup(knn);
  const counts = new Int32Array(degree + SCRATCH_SLOTS);
  const expected = referenceDetourCounts(knn);
  let rowsWithRepeats = 0;
  let selfEdges = 0;
  for (let node = 0; node < size; node++) {
    loadRow(lookup, knn, node);
    if (lookup.hasDuplicates) rowsWithRepeats++;
    if (lookup.rankOf[node] !== -1) selfEdges++;
    countRowDetours(knn, node, lookup, counts);
    assert.deepEqual(
      [...counts.subarray(0, degree)],
      [...expected.subarray(node * degree, (node + 1) * degree)],
      `node ${node}`,
    );
    unloadRow(lookup, knn, node);
  }
  assert.ok(rowsWithRepeats > 0 && selfEdges > 0, "the rows exercise repeats and self-edges");
});
