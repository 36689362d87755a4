import assert from "node:assert/strict";
import { test } from "node:test";
import { insertSorted, mergeSorted } from "./sorted-insert.js";

test("insertSorted keeps the list sorted, newcomers after equal distances, the best M only", () => {
  const ids = new Uint32Array(4);
  const dists = new Float32Array(4);
  let length = 0;
  const offers: [number, number][] = [
    [1, 5],
    [2, 3],
    [3, 5],
    [4, 1],
    [5, 9],
    [6, 2],
    [7, 5],
  ];
  const at: number[] = [];
  for (const [id, d] of offers) {
    const pos = insertSorted(ids, dists, length, id, d);
    at.push(pos);
    if (pos >= 0 && length < 4) length++;
  }
  // 1,2,3,4 fill the list; 9 is no closer than the last (5); 2 enters; a third 5 is refused.
  assert.deepEqual(at, [0, 0, 2, 0, -1, 1, -1]);
  assert.deepEqual([...ids], [4, 6, 2, 1]);
  assert.deepEqual([...dists], [1, 2, 3, 5]);
});

test("mergeSorted ends as inserting one by one would, ties and a full list included", () => {
  let seed = 5;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let trial = 0; trial < 300; trial++) {
    const capacity = 1 + Math.floor(next() * 12);
    const length = Math.floor(next() * (capacity + 1));
    const count = Math.floor(next() * 20);
    // Few distinct distances, so that ties are common.
    const level = () => Math.floor(next() * 6);
    const start = Array.from({ length }, level).sort((x, y) => x - y);
    const newIds = Uint32Array.from({ length: count }, (_, i) => 100 + i);
    const newDists = Float32Array.from({ length: count }, level);

    const oneIds = new Uint32Array(capacity);
    const oneDists = new Float32Array(capacity);
    start.forEach((d, i) => ((oneIds[i] = i), (oneDists[i] = d)));
    const mergedIds = oneIds.slice();
    const mergedDists = oneDists.slice();
    let n = length;
    let first = -1;
    for (let c = 0; c < count; c++) {
      const at = insertSorted(oneIds, oneDists, n, newIds[c]!, newDists[c]!);
      if (at < 0) continue;
      if (n < capacity) n++;
      first = first < 0 ? at : Math.min(first, at);
    }
    const out = new Int32Array(2);
    const scratch = [new Uint32Array(count), new Float32Array(count)] as const;
    mergeSorted(mergedIds, mergedDists, length, newIds, newDists, count, ...scratch, out);
    assert.equal(out[0], n, `trial ${trial}: length`);
    assert.deepEqual([...mergedIds.subarray(0, n)], [...oneIds.subarray(0, n)], `trial ${trial}`);
    assert.deepEqual([...mergedDists.subarray(0, n)], [...oneDists.subarray(0, n)]);
    // Where the first newcomer ends, which is also the lowest insertion position (entries only
    // move down, and the last newcomer placed at or above a position is never pushed below it).
    const firstNew = [...mergedIds.subarray(0, n)].findIndex((id) => id >= 100);
    assert.equal(out[1], firstNew, `trial ${trial}: first newcomer`);
    assert.equal(out[1], first, `trial ${trial}: the lowest position insertSorted returned`);
  }
});
