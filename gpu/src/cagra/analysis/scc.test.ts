import assert from "node:assert/strict";
import { test } from "node:test";
import { INVALID_NODE } from "../optimize/validate.js";
import { stronglyConnectedComponents } from "./scc.js";

const X = INVALID_NODE;

test("stronglyConnectedComponents: cycles, a feeder node and self-loops", () => {
  // 0 → 1 → 2 → 0 (and 2 → 3); 3 ⇄ 4; 5 → 0; 6 → 6.
  const graph = {
    neighbors: Uint32Array.from([1, X, 2, X, 0, 3, 4, X, 3, X, 0, X, 6, X]),
    size: 7,
    degree: 2,
  };
  const scc = stronglyConnectedComponents(graph);
  assert.equal(scc.count, 4);
  assert.equal(scc.largest, 3);
  const c = scc.component;
  assert.equal(c[0], c[1]);
  assert.equal(c[1], c[2]);
  assert.equal(c[3], c[4]);
  assert.equal(new Set([c[0], c[3], c[5], c[6]]).size, 4);
  assert.deepEqual(
    [...scc.sizes].sort((a, b) => a - b),
    [1, 1, 2, 3],
  );
  assert.equal(scc.sizes[c[0]!], 3);
  // Components only point to components completed earlier (smaller ids).
  assert.ok(c[3]! < c[0]! && c[0]! < c[5]!);
});

test("stronglyConnectedComponents: a million-node path and cycle (no recursion)", () => {
  const size = 1_000_000;
  const path = new Uint32Array(size);
  for (let i = 0; i < size - 1; i++) path[i] = i + 1;
  path[size - 1] = X;
  const chain = stronglyConnectedComponents({ neighbors: path, size, degree: 1 });
  assert.equal(chain.count, size);
  assert.equal(chain.largest, 1);
  path[size - 1] = 0;
  const cycle = stronglyConnectedComponents({ neighbors: path, size, degree: 1 });
  assert.equal(cycle.count, 1);
  assert.equal(cycle.largest, size);
  assert.ok(cycle.component.every((id) => id === 0));
});

test("stronglyConnectedComponents: an empty graph", () => {
  const scc = stronglyConnectedComponents({ neighbors: new Uint32Array(0), size: 0, degree: 4 });
  assert.equal(scc.count, 0);
  assert.equal(scc.largest, 0);
});
