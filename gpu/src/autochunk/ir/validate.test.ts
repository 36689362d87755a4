import assert from "node:assert/strict";
import { test } from "node:test";
import type { Graph, Node } from "../index.js";
import { GraphBuilder, GraphValidationError, validate } from "../index.js";

function mlp(): Graph {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 8]);
  const w = g.param("w", [8, 4], { kind: "normal", std: 0.1 });
  const h = g.relu(g.linear(x, w));
  g.output(g.softmax(h, 1));
  return g.build();
}

/** `graph` with node `id` replaced by `patch` applied to it. */
function patched(graph: Graph, id: number, patch: (n: Node) => object): Graph {
  const nodes = graph.nodes.map((n) => (n.id === id ? (patch(n) as Node) : n));
  return { ...graph, nodes };
}

function rejects(graph: Graph, nodeId: number | null, message: RegExp): void {
  assert.throws(
    () => validate(graph),
    (e: unknown) => {
      assert.ok(e instanceof GraphValidationError, String(e));
      assert.equal(e.nodeId, nodeId);
      assert.match(e.message, message);
      return true;
    },
  );
}

test("validate accepts a built graph", () => {
  validate(mlp());
});

test("validate rejects a wrong inferred shape, naming the node, op, inputs and type", () => {
  const g = mlp();
  rejects(
    patched(g, 3, (n) => ({ ...n, shape: [2, 5] })),
    3,
    /%3 relu\(%2: f32\[2,4\]\) : f32\[2,5\] "relu": its rule infers f32\[2,4\]/,
  );
});

test("validate rejects bad attributes through the op's rule", () => {
  rejects(
    patched(mlp(), 4, (n) => ({ ...n, attrs: { dim: 7 } })),
    4,
    /%4 softmax.*dim must be an integer in \[0, 1\], got 7/,
  );
});

test("validate rejects inputs that break program order, arity and ids", () => {
  const g = mlp();
  rejects(
    patched(g, 2, (n) => ({ ...n, inputs: [3, 1] })),
    2,
    /input %3 is not an earlier node/,
  );
  rejects(
    patched(g, 3, (n) => ({ ...n, inputs: [2, 2] })),
    3,
    /relu.*takes 1 inputs, got 2/,
  );
  rejects(
    patched(g, 3, (n) => ({ ...n, id: 9 })),
    3,
    /id 9 differs from its position 3/,
  );
  rejects(
    patched(g, 3, (n) => ({ ...n, op: "frobnicate" })),
    3,
    /unknown op "frobnicate"/,
  );
  rejects(
    patched(g, 3, (n) => ({ ...n, name: "x" })),
    3,
    /the name "x" is used by an earlier node/,
  );
});

test("validate rejects graph-level faults: undeclared inputs, missing outputs", () => {
  const g = mlp();
  rejects({ ...g, inputs: [] }, 0, /input node %0 "x" is missing from graph.inputs/);
  rejects({ ...g, inputs: [1] }, 1, /graph.inputs lists %1, which is not an input node/);
  rejects({ ...g, outputs: [] }, null, /the graph has no outputs/);
  rejects({ ...g, outputs: [42] }, null, /output %42 is not a node/);
});

test("validate rejects a parameter whose data does not fit its shape", () => {
  const g = mlp();
  rejects(
    patched(g, 1, (n) => ({ ...n, attrs: { init: { kind: "data", data: new Float32Array(3) } } })),
    1,
    /%1 param.*init.data holds 3 values, the shape \[8,4\] needs 32/,
  );
});
