import assert from "node:assert/strict";
import { test } from "node:test";
import { insertSorted } from "./sorted-insert.js";

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
