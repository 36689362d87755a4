import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeReverseEdges } from "./merge.js";
import { reverseGraph } from "./reverse-graph.js";
import { referenceMerge } from "../../../test/cagra/optimize-reference.js";
import { INVALID_NODE } from "./validate.js";

const X = INVALID_NODE;

test("mergeReverseEdges: protects degree/2 edges, then reverse edges as a block", () => {
  const size = 8;
  const degree = 4;
  const pruned = new Uint32Array(size * degree);
  for (let i = 1; i < size; i++) pruned.set([4, 5, 6, 7], i * degree);
  pruned.set([1, 2, 3, 4], 0);
  const rev = new Uint32Array(size * degree).fill(X);
  rev.set([3, 5, 2, 4], 0);
  const counts = new Uint32Array(size);
  counts[0] = 6; // more sources than slots: only the first `degree` were kept
  const merged = mergeReverseEdges(
    { neighbors: pruned, size, degree },
    { neighbors: rev, counts, size, degree },
  );
  // Node 0, protected = 2, reverse list visited from the last entry:
  //   4: at position 3 ≥ 2, moved to 2       → [1, 2, 4, 3]
  //   2: at position 1 < 2, left alone       → [1, 2, 4, 3]
  //   5: absent, inserted at 2, last dropped → [1, 2, 5, 4]
  //   3: absent (dropped), inserted at 2     → [1, 2, 3, 5]
  assert.deepEqual([...merged.neighbors.subarray(0, 4)], [1, 2, 3, 5]);
  // Nodes without reverse edges keep their pruned list; the input is not modified.
  assert.deepEqual(merged.neighbors.subarray(4), pruned.subarray(4));
  assert.deepEqual([...pruned.subarray(0, 4)], [1, 2, 3, 4]);
});

test("mergeReverseEdges: degree 1 protects nothing", () => {
  const pruned = { neighbors: Uint32Array.from([2, 0, 0]), size: 3, degree: 1 };
  const rev = reverseGraph(pruned);
  // Node 0 has sources 1 and 2 but keeps [1]; node 2 has [0].
  assert.deepEqual([...rev.neighbors], [1, X, 0]);
  // protected = 0: node 0's only edge (→ 2) is replaced by the reverse edge → 1;
  // node 2 already points at 0.
  assert.deepEqual([...mergeReverseEdges(pruned, rev).neighbors], [1, 0, 0]);
});

test("mergeReverseEdges: the reverse graph must match the pruned graph", () => {
  const pruned = { neighbors: new Uint32Array(4), size: 2, degree: 2 };
  const rev = { neighbors: new Uint32Array(2), counts: new Uint32Array(2), size: 2, degree: 1 };
  assert.throws(() => mergeReverseEdges(pruned, rev), /pass reverseGraph\(pruned\)/);
});

test("mergeReverseEdges equals cuVS's find-shift-insert loop on random rows", () => {
  let s = 99;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
  for (const degree of [1, 2, 3, 4, 7, 8, 16]) {
    const size = 40;
    // Distinct ids per pruned row (a few gaps); reverse lists with repeats, gaps and overflow.
    const pruned = new Uint32Array(size * degree);
    for (let i = 0; i < size; i++) {
      const ids = new Set<number>();
      while (ids.size < degree) ids.add(next() % size);
      pruned.set(
        [...ids].map((v) => (next() % 13 === 0 ? X : v)),
        i * degree,
      );
    }
    const rev = Uint32Array.from({ length: size * degree }, () =>
      next() % 11 === 0 ? X : next() % size,
    );
    const counts = Uint32Array.from({ length: size }, () => next() % (2 * degree + 1));
    const graph = { neighbors: pruned, size, degree };
    const merged = mergeReverseEdges(graph, { neighbors: rev, counts, size, degree });
    assert.deepEqual(merged.neighbors, referenceMerge(graph, rev, counts), `degree ${degree}`);
  }
});

test("mergeReverseEdges: merges in place when asked, rejects repeated ids", () => {
  const pruned = { neighbors: Uint32Array.from([1, 2, 2, 0, 0, 1]), size: 3, degree: 2 };
  const rev = reverseGraph(pruned);
  const copy = mergeReverseEdges(pruned, rev);
  const inPlace = mergeReverseEdges(pruned, rev, pruned.neighbors);
  assert.equal(inPlace.neighbors, pruned.neighbors);
  assert.deepEqual(inPlace.neighbors, copy.neighbors);
  const repeated = { neighbors: Uint32Array.from([1, 1, 0, 2, 0, 1]), size: 3, degree: 2 };
  assert.throws(() => mergeReverseEdges(repeated, reverseGraph(repeated)), /node 0 lists 1 twice/);
});
