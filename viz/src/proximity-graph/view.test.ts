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

test("nodeColours: ramps degrees, colours classes and components, dims outside a highlight", async () => {
  const { nodeColours, PALETTE, ramp } = await import("./colours.js");
  const { decodeProximityGraph } = await import("./decode.js");
  const { fixturePayload } = await import("../../test/proximity-graph-fixture.js");
  const { pack } = await import("../common/packed.js");
  const p = fixturePayload({ nodes: 4, second: true, trace: false });
  p.graphs[0]!.inDegree = pack("u32", new Uint32Array([0, 1, 2, 4]));
  p.classes = { names: ["a", "b"], of: pack("u8", new Uint8Array([0, 1, 1, 0])) };
  const data = decodeProximityGraph(p);
  const muted = [1, 2, 3] as const;
  const rgb = (c: Uint8Array, i: number) => [...c.subarray(4 * i, 4 * i + 3)];
  const byDegree = nodeColours(data, "in-degree", { graph: 0, trace: 0, muted });
  assert.deepEqual(rgb(byDegree, 0), [...ramp(0)]);
  assert.deepEqual(rgb(byDegree, 3), [...ramp(1)]);
  const byClass = nodeColours(data, "class", { graph: 0, trace: 0, muted });
  assert.deepEqual(rgb(byClass, 1), [...PALETTE[1]!]);
  const byComponent = nodeColours(data, "component", { graph: 1, trace: 0, muted });
  assert.deepEqual(
    rgb(byComponent, 2),
    [...PALETTE[1]!],
    "the pairs graph: node 2 is in component 1",
  );
  const lit = nodeColours(
    data,
    "visit-order",
    { graph: 0, trace: 0, muted, emphasis: [9, 9, 9] },
    new Uint8Array([1, 0, 0, 0]),
  );
  assert.deepEqual(
    [...lit.subarray(0, 4)],
    [9, 9, 9, 230],
    "a highlighted node the mode mutes takes the emphasis colour",
  );
  assert.deepEqual([...lit.subarray(4, 8)], [1, 2, 3, 40], "the rest is dimmed");
});
