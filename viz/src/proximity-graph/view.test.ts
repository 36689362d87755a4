import assert from "node:assert/strict";
import { test } from "node:test";
import { edgeTable } from "./edges.js";
import { pointGrid } from "./pick.js";
import { centreOn, fitView, panBy, toData, toScreen, zoomAt } from "./view.js";

test("fitView maps the extent into the box, y up; zoom keeps the pointer's point fixed", () => {
  const v = fitView([0, 0, 10, 5], 220, 120, 10);
  assert.deepEqual(toScreen(v, 0, 5), [10, 10]);
  assert.deepEqual(toScreen(v, 10, 0), [210, 110]);
  const z = zoomAt(v, 2, 60, 40);
  const [x, y] = toData(v, 60, 40);
  assert.deepEqual(
    toScreen(z, x, y).map((c) => Math.round(c * 1e9) / 1e9),
    [60, 40],
  );
  assert.deepEqual(toScreen(panBy(v, 5, -3), 0, 5), [15, 7]);
  assert.deepEqual(toScreen(centreOn(v, 3, 2, 100, 50), 3, 2), [100, 50]);
});

test("pointGrid finds the nearest point within the radius, or none", () => {
  const positions = new Float32Array(2 * 10_000);
  for (let i = 0; i < 10_000; i++)
    [positions[2 * i], positions[2 * i + 1]] = [i % 100, Math.floor(i / 100)];
  const grid = pointGrid(positions, [0, 0, 99, 99]);
  assert.equal(grid.nearest(42.2, 17.1, 0.5), 17 * 100 + 42);
  assert.equal(grid.nearest(42.5, 17.5, 0.3), -1);
  assert.equal(grid.nearest(-0.2, 99.1, 0.5), 9900);
});

test("edgeTable gives out-edges without empty slots and in-edges by reverse index", () => {
  const none = 0xffffffff;
  const t = edgeTable(new Uint32Array([1, 2, 2, none, 0, 1]), 3, 2);
  assert.deepEqual([...t.out(1)], [2]);
  assert.deepEqual([...t.in(1)], [0, 2]);
  assert.deepEqual([...t.in(2)], [0, 1]);
  assert.deepEqual([...t.in(0)], [2]);
});
