import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../common/random.js";
import { createDistanceTile, distanceTileBytes } from "./distance-tile.js";
import { createKernels, type Kernels } from "./kernels.js";
import {
  applyEntries,
  createRowBuffer,
  createStamps,
  emitRows,
  emptyLists,
  listsAt,
  type Lists,
} from "./nn-descent-lists.js";

const N = 64;
const K = 6;

function setUp(): { kernels: Kernels; lists: Lists; entriesAt: number } {
  const kernels = createKernels(distanceTileBytes(8, 16, 16) + 4 * N * K * 4 + 64 * 1024);
  const lists = listsAt(kernels, N, K, kernels.reserve(N * K * 4), kernels.reserve(N * K * 4));
  emptyLists(lists);
  return { kernels, lists, entriesAt: kernels.reserve(4000 * 12) };
}

/**
 * `count` random entries (a, b, d) with a ≠ b; a pair's distance depends on the pair only, as
 * a tile's does, and with 64 ids most pairs come more than once.
 */
function writeEntries(kernels: Kernels, at: number, count: number): void {
  const rand = seededRandom(3);
  for (let e = 0; e < count; e++) {
    const i = at / 4 + e * 3;
    const a = Math.floor(rand() * N);
    const b = (a + 1 + Math.floor(rand() * (N - 1))) % N;
    kernels.u32[i] = a;
    kernels.u32[i + 1] = b;
    kernels.f32[i + 2] = (a * b + 3 * (a + b)) % 97;
  }
}

test("apply gives the same lists whether its stripes run at once or one by one, in any order", () => {
  const all = setUp();
  writeEntries(all.kernels, all.entriesAt, 3000);
  const inserted = applyEntries(all.entriesAt, 3000, all.lists, all.kernels);
  const striped = setUp();
  writeEntries(striped.kernels, striped.entriesAt, 3000);
  let sum = 0;
  for (const index of [3, 1, 0, 2]) {
    const stripe = { shift: 2, mask: 3, index };
    sum += applyEntries(striped.entriesAt, 3000, striped.lists, striped.kernels, stripe);
    if (index === 3) {
      // Only the lists of stripe 3 (ids 12–15, 28–31, …) have entries yet.
      for (let v = 0; v < N; v++) {
        const filled = striped.lists.ids[v * K] !== N;
        assert.equal(filled, ((v >> 2) & 3) === 3, `list ${v}`);
      }
    }
  }
  assert.equal(sum, inserted);
  assert.deepEqual(striped.lists.ids, all.lists.ids);
  assert.deepEqual(striped.lists.distances, all.lists.distances);
  // Every list is full, sorted, and lists no id twice (repeated pairs were refused).
  for (let v = 0; v < N; v++) {
    const ids = [...all.lists.ids.subarray(v * K, (v + 1) * K)].map((id) => id & 0x7fffffff);
    const ds = [...all.lists.distances.subarray(v * K, (v + 1) * K)];
    assert.equal(new Set(ids).size, K, `list ${v} repeats an id: ${ids}`);
    assert.ok(
      ds.every((d, j) => j === 0 || ds[j - 1]! <= d),
      `list ${v} is not sorted`,
    );
  }
});

test("emit writes the pairs that would enter a list and skips partners it lists already", () => {
  const { kernels, lists, entriesAt } = setUp();
  const tile = createDistanceTile(kernels, "sqeuclidean", 1, 16, 16);
  const rows = createRowBuffer(kernels, 16);
  const stamps = createStamps(kernels, N);
  const dataAt = kernels.reserve(N * 4 * 4);
  // Row i is the point i on a line, so d(i, j) = (i − j)².
  for (let i = 0; i < N; i++) kernels.f32[dataAt / 4 + i * 4] = i;
  rows.ids.set([10, 11, 20, 12]); // one new row (10), then old ones
  // List 10 holds 11 already and has room; list 20 is full of nearer rows.
  kernels.run.update(lists.dAt + 10 * K * 4, lists.iAt + 10 * K * 4, K, 1, 11);
  for (let j = 0; j < K; j++) {
    kernels.run.update(lists.dAt + 20 * K * 4, lists.iAt + 20 * K * 4, K, 1 + j, 21 + j);
  }
  tile.gatherX(dataAt, rows.at, 4);
  tile.compute(4, 1, true);
  const count = emitRows(tile, rows, 1, 4, lists, stamps, kernels, entriesAt);
  const entries = [];
  for (let e = 0; e < count; e++) {
    const i = entriesAt / 4 + e * 3;
    entries.push([kernels.u32[i], kernels.u32[i + 1], kernels.f32[i + 2]]);
  }
  // 10 gets 20 and 12 (not 11); 11 and 12 get 10; 20's list is full of nearer rows.
  assert.deepEqual(
    entries.sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!),
    [
      [10, 12, 4],
      [10, 20, 100],
      [11, 10, 1],
      [12, 10, 4],
    ],
  );
});
