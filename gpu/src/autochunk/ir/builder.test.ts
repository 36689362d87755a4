import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphBuilder, formatGraph, validate } from "../index.js";

test("the builder infers shapes and dtypes op by op", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 16, 32]);
  const w = g.param("w", [32, 48], { kind: "normal", std: 0.02 });
  const b = g.param("b", [48], { kind: "constant", value: 0 });
  const h = g.linear(x, w, b);
  assert.deepEqual(h.shape, [2, 16, 48]);
  const heads = g.permute(g.reshape(h, [2, 16, 4, -1]), [0, 2, 1, 3]);
  assert.deepEqual(heads.shape, [2, 4, 16, 12]);
  const scores = g.matmul(heads, g.transpose(heads, -1, -2));
  assert.deepEqual(scores.shape, [2, 4, 16, 16]);
  assert.deepEqual(g.softmax(scores, -1).attrs, { dim: 3 });
  assert.deepEqual(
    g.matmul(g.input("q", [5, 1, 3, 7]), g.input("k", [4, 7, 2])).shape,
    [5, 4, 3, 2],
  );
  assert.deepEqual(
    g.einsum("bikc,bjkc->bijc", g.input("t", [1, 6, 6, 8]), g.input("u", [1, 6, 6, 8])).shape,
    [1, 6, 6, 8],
  );
  assert.deepEqual(g.sum(scores, [-1, 1], true).shape, [2, 1, 16, 1]);
  assert.deepEqual(g.mean(scores, -1).shape, [2, 4, 16]);
  assert.deepEqual(g.slice(h, 1, -4).shape, [2, 4, 48]);
  assert.deepEqual(g.concat([h, h], 2).shape, [2, 16, 96]);
  const img = g.input("img", [1, 3, 9, 9]);
  const conv = g.conv2d(
    img,
    g.param("kernel", [8, 3, 3, 3], { kind: "uniform", low: -1, high: 1 }),
    undefined,
    {
      stride: 2,
      padding: 1,
    },
  );
  assert.deepEqual(conv.shape, [1, 8, 5, 5]);
  assert.deepEqual(g.upsample(conv).shape, [1, 8, 10, 10]);
  const gn = g.groupNorm(conv, 4, g.param("gw", [8], { kind: "constant", value: 1 }));
  assert.deepEqual(gn.shape, [1, 8, 5, 5]);
  const ids = g.input("ids", [2, 16], "i32");
  const emb = g.embedding(g.param("wte", [100, 32], { kind: "normal", std: 1 }), ids);
  assert.equal(emb.dtype, "f32");
  assert.deepEqual(emb.shape, [2, 16, 32]);
  g.output(h);
  validate(g.build());
});

test("shape errors at build time name the node, the op, the input types and the problem", () => {
  const g = new GraphBuilder();
  const a = g.input("a", [2, 3]);
  const b = g.input("b", [4, 5]);
  assert.throws(() => g.matmul(a, b), {
    name: "RangeError",
    message: /"matmul": matmul\(f32\[2,3\], f32\[4,5\]\): inner dims differ.*3 ≠ 4/,
  });
  assert.throws(
    () => g.add(a, b),
    /add\(f32\[2,3\], f32\[4,5\]\): shapes \[2,3\] and \[4,5\] do not broadcast/,
  );
  assert.throws(
    () => g.linear(a, g.param("w", [4, 8], { kind: "constant", value: 0 })),
    /linear.*has 3 features.*expects 4/,
  );
  assert.throws(() => g.reshape(a, [4, 2]), /cannot reshape \[2,3\].*to \[4,2\]/);
  assert.throws(() => g.softmax(a, 2), /softmax: dim must be an integer in \[-2, 1\].*got 2/);
  assert.throws(() => g.einsum("ij,jk->ik", a, b), /letter j has extent 3.*and 4/);
  assert.throws(() => g.einsum("ij,kl->i", a, b), /appears in one operand only/);
  assert.throws(
    () =>
      g.conv2d(
        g.input("im", [1, 3, 2, 2]),
        g.param("k", [1, 3, 5, 5], { kind: "constant", value: 0 }),
      ),
    /5×5 kernel.*does not fit/,
  );
  assert.throws(
    () => g.embedding(g.param("t", [10, 4], { kind: "constant", value: 0 }), a),
    /indices must be i32, got f32/,
  );
  assert.throws(
    () => g.groupNorm(g.input("c", [1, 6, 2]), 4),
    /6 channels.*do not split into 4 groups/,
  );
  assert.throws(() => g.op("matmul", [a], {}), /matmul\(f32\[2,3\]\): takes 2 inputs, got 1/);
  assert.throws(
    () => g.param("p", [2], new Float32Array(3)),
    /init.data holds 3 values, the shape \[2\] needs 2/,
  );
});

test("names are scoped and unique; explicit duplicates and foreign nodes are rejected", () => {
  const g = new GraphBuilder();
  const x = g.input("x", [4]);
  const y = g.scope("h0", () => g.scope("mlp", () => g.relu(g.relu(x))));
  assert.equal(y.name, "h0.mlp.relu_1");
  assert.throws(() => g.input("x", [4]), /name "x" is empty or already used/);
  const other = new GraphBuilder().input("z", [4]);
  assert.throws(() => g.relu(other), /value "z" \(%0\) was not made by this builder/);
  assert.throws(() => g.build(), /mark at least one output/);
  g.output(y);
  const graph = g.build();
  assert.match(formatGraph(graph), /%2 relu\(%1\) : f32\[4\] "h0\.mlp\.relu_1"/);
});

test("random initialisers are seeded from the parameter name unless a seed is given", () => {
  const make = () => {
    const g = new GraphBuilder();
    const a = g.param("a", [3], { kind: "normal", std: 1 });
    const b = g.param("b", [3], { kind: "normal", std: 1 });
    const c = g.param("c", [3], { kind: "normal", std: 1, seed: 7 });
    return [a, b, c].map((p) =>
      p.op === "param" && "seed" in p.attrs.init ? p.attrs.init.seed : -1,
    );
  };
  const [a, b, c] = make();
  assert.notEqual(a, b);
  assert.equal(c, 7);
  assert.deepEqual(make(), [a, b, c]);
});
