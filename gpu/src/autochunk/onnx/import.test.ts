import assert from "node:assert/strict";
import { test } from "node:test";
import { execute, tensor } from "../index.js";
import { OnnxImportError, SUPPORTED_ONNX_OPS, importOnnx } from "./index.js";
import { ONNX_ATTRIBUTE, ONNX_DTYPE } from "./proto.js";
import { floatAttr, floats, intAttr, ints, model, valueInfo } from "../../../test/onnx-model.js";

/*
 * Small models written with the importer's own schema (gpu/test/onnx-model.ts), to check each
 * lowering's values and each error without PyTorch; pytorch.test.ts imports real exports.
 */

const X = new Float32Array([1, -2, 3, -4, 5, -6]);

async function run(bytes: Uint8Array, data = X, shape = [2, 3]): Promise<Float32Array> {
  const graph = importOnnx(bytes);
  const [out] = (await execute(graph, [tensor(shape, data)])).outputs;
  return out!.data as Float32Array;
}

function close(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) =>
    assert.ok(
      Math.abs(actual[i]! - e) <= tolerance * Math.max(1, Math.abs(e)),
      `[${i}] ${actual[i]} vs ${e}`,
    ),
  );
}

test("an op the IR lacks is an OnnxImportError naming the op type and the node, with what to do", () => {
  const bytes = model([{ op: "Erf", name: "/mlp/act/Erf", inputs: ["x"], outputs: ["y"] }]);
  assert.throws(
    () => importOnnx(bytes),
    (e: unknown) => {
      assert.ok(e instanceof OnnxImportError);
      assert.deepEqual(e.node, { opType: "Erf", nodeName: "/mlp/act/Erf" });
      assert.match(e.message, /node "\/mlp\/act\/Erf" has op type Erf/);
      assert.match(e.message, /Supported: Add, .*Softmax/);
      assert.match(
        e.message,
        /add the op to the IR and a lowering in gpu\/src\/autochunk\/onnx\/lower\.ts/,
      );
      return true;
    },
  );
  assert.ok(SUPPORTED_ONNX_OPS.includes("LayerNormalization"));
});

test("ops of a custom domain and old opsets are refused with the reason", () => {
  const custom = model([
    { op: "FusedGelu", domain: "com.microsoft", inputs: ["x"], outputs: ["y"] },
  ]);
  assert.throws(() => importOnnx(custom), /op type FusedGelu.*custom domain "com\.microsoft"/);
  const old = model([{ op: "Relu", inputs: ["x"], outputs: ["y"] }], { opset: 11 });
  assert.throws(() => importOnnx(old), /opset 11; opset 13 or later.*opset_version=17/);
});

test("an input the node cannot take names the node: a computed Reshape target, a strided Slice", () => {
  const reshape = model([
    { op: "Relu", inputs: ["x"], outputs: ["shape"] },
    { op: "Reshape", name: "/r", inputs: ["x", "shape"], outputs: ["y"] },
  ]);
  assert.throws(
    () => importOnnx(reshape),
    /node "\/r" \(Reshape\): input 1 \("shape"\) must be a constant/,
  );
  const strided = model(
    [{ op: "Slice", name: "/s", inputs: ["x", "s", "e", "a", "st"], outputs: ["y"] }],
    {
      initializers: [ints("s", [0]), ints("e", [3]), ints("a", [1]), ints("st", [2])],
    },
  );
  assert.throws(() => importOnnx(strided), /node "\/s" \(Slice\): only step 1 is supported/);
});

test("inputs with symbolic dims need inputShapes; a wrong name in inputShapes is named", async () => {
  const bytes = model([{ op: "Relu", inputs: ["x"], outputs: ["y"] }], {
    inputs: [valueInfo("x", ["batch", 3])],
  });
  assert.throws(
    () => importOnnx(bytes),
    /input "x" has symbolic dims \[batch, 3\].*\{ "x": \[1, 3\] \}/,
  );
  assert.throws(
    () => importOnnx(bytes, { inputShapes: { x: [2, 3], y: [1] } }),
    /inputShapes names "y", which is not a graph input; the inputs are "x"/,
  );
  const graph = importOnnx(bytes, { inputShapes: { x: [2, 3] } });
  const [out] = (await execute(graph, [tensor([2, 3], X)])).outputs;
  assert.deepEqual([...out!.data], [1, 0, 3, 0, 5, 0]);
});

test("external data: read through options.externalData at its offset, or a clear error without it", async () => {
  const external = {
    name: "b",
    dims: [3],
    dataType: ONNX_DTYPE.FLOAT,
    dataLocation: 1,
    externalData: [
      { key: "location", value: "weights.bin" },
      { key: "offset", value: "4" },
      { key: "length", value: "12" },
    ],
  };
  const bytes = model([{ op: "Add", inputs: ["x", "b"], outputs: ["y"] }], {
    initializers: [external],
  });
  assert.throws(
    () => importOnnx(bytes),
    /tensor "b" is stored outside the model, in "weights\.bin".*readOnnxFile/,
  );
  const file = new Uint8Array(new Float32Array([99, 10, 20, 30]).buffer);
  const graph = importOnnx(bytes, {
    externalData: (location, offset, length) => {
      assert.deepEqual([location, offset, length], ["weights.bin", 4, 12]);
      return file.slice(offset, offset + length!);
    },
  });
  assert.throws(
    () => importOnnx(bytes, { externalData: () => file.slice(0, 8) }),
    /tensor "b" needs 12 bytes at 4 of "weights\.bin", got 8; the file is truncated/,
  );
  const [out] = (await execute(graph, [tensor([2, 3], X)])).outputs;
  assert.deepEqual([...out!.data], [11, 18, 33, 6, 25, 24]);
});

test("float64 weights and bytes that are no model are refused with what to do", () => {
  const double = { name: "b", dims: [1], dataType: ONNX_DTYPE.DOUBLE, rawData: new Uint8Array(8) };
  const bytes = model([{ op: "Add", inputs: ["x", "b"], outputs: ["y"] }], {
    initializers: [double],
  });
  assert.throws(() => importOnnx(bytes), /tensor "b" holds double values.*model\.float\(\)/);
  assert.throws(() => importOnnx(new Uint8Array([0xff, 0xff, 0xff, 0xff])), /not an ONNX model/);
});

test("shape arithmetic on Shape outputs folds to a static Reshape", async () => {
  // y = x.reshape(x.shape[0] * x.shape[1]) as exporters write it.
  const bytes = model(
    [
      { op: "Shape", inputs: ["x"], outputs: ["s"] },
      { op: "Gather", inputs: ["s", "zero"], outputs: ["d0"], attrs: [intAttr("axis", 0)] },
      { op: "Gather", inputs: ["s", "one"], outputs: ["d1"], attrs: [intAttr("axis", 0)] },
      { op: "Mul", inputs: ["d0", "d1"], outputs: ["n"] },
      { op: "Unsqueeze", inputs: ["n", "axes"], outputs: ["target"] },
      { op: "Reshape", inputs: ["x", "target"], outputs: ["y"] },
    ],
    {
      initializers: [
        { name: "zero", dims: [], dataType: ONNX_DTYPE.INT64, int64Data: [0] },
        { name: "one", dims: [], dataType: ONNX_DTYPE.INT64, int64Data: [1] },
        ints("axes", [0]),
      ],
    },
  );
  const graph = importOnnx(bytes);
  assert.deepEqual(
    graph.nodes.map((n) => n.op),
    ["input", "reshape"],
  );
  assert.deepEqual(graph.nodes[1]!.shape, [6]);
});

test("Where with a constant mask: -inf fill is one add, a finite fill keeps and fills", async () => {
  const mask = { name: "m", dims: [3], dataType: ONNX_DTYPE.BOOL, int32Data: [1, 0, 1] };
  const where = (fill: number) =>
    model([{ op: "Where", inputs: ["m", "f", "x"], outputs: ["y"] }], {
      initializers: [mask, floats("f", [], [fill])],
    });
  const inf = importOnnx(where(-Infinity));
  assert.deepEqual(
    inf.nodes.filter((n) => n.op !== "param" && n.op !== "input").map((n) => n.op),
    ["add"],
  );
  assert.deepEqual(
    [...(await run(where(-Infinity)))],
    [-Infinity, -2, -Infinity, -Infinity, 5, -Infinity],
  );
  assert.deepEqual([...(await run(where(7)))], [7, -2, 7, 7, 5, 7]);
});

test("Gemm with transB, alpha and beta becomes a linear with transposed, scaled weights", async () => {
  // y = 2 · x · Wᵀ + 0.5 · c, W [4, 3] as nn.Linear stores it.
  const w = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
  const bytes = model(
    [
      {
        op: "Gemm",
        inputs: ["x", "w", "c"],
        outputs: ["y"],
        attrs: [intAttr("transB", 1), floatAttr("alpha", 2), floatAttr("beta", 0.5)],
      },
    ],
    { initializers: [floats("w", [4, 3], w), floats("c", [4], [2, 4, 6, 8])] },
  );
  const graph = importOnnx(bytes);
  assert.ok(graph.nodes.some((n) => n.op === "linear"));
  close(await run(bytes), [3, -2, 9, 8, -7, 12, -9, -6]);
});

test("Gelu (opset 20): exact, and the tanh approximation from IR ops", async () => {
  const gelu = (approximate: string) =>
    model(
      [
        {
          op: "Gelu",
          inputs: ["x"],
          outputs: ["y"],
          attrs: [
            {
              name: "approximate",
              type: ONNX_ATTRIBUTE.STRING,
              s: new TextEncoder().encode(approximate),
            },
          ],
        },
      ],
      { opset: 20 },
    );
  const tanhGelu = (x: number) =>
    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  close(await run(gelu("tanh")), [...X].map(tanhGelu), 1e-6);
  // exact GELU: Φ(1) = 0.841344746…
  close((await run(gelu("none"))).subarray(0, 1), [0.8413447460685429], 1e-6);
});

test("Split, Transpose, Softmax, ReduceMean and Concat lower with their ONNX attributes", async () => {
  const bytes = model(
    [
      { op: "Split", inputs: ["x", "sizes"], outputs: ["a", "b"], attrs: [intAttr("axis", 1)] },
      { op: "Softmax", inputs: ["b"], outputs: ["sb"], attrs: [intAttr("axis", -1)] },
      {
        op: "ReduceMean",
        inputs: ["a"],
        outputs: ["ma"],
        attrs: [{ name: "axes", type: ONNX_ATTRIBUTE.INTS, ints: [1] }],
      },
      { op: "Concat", inputs: ["ma", "sb"], outputs: ["c"], attrs: [intAttr("axis", 1)] },
      {
        op: "Transpose",
        inputs: ["c"],
        outputs: ["y"],
        attrs: [{ name: "perm", type: ONNX_ATTRIBUTE.INTS, ints: [1, 0] }],
      },
    ],
    { initializers: [ints("sizes", [1, 2])] },
  );
  const e = (a: number, b: number) => [
    Math.exp(a) / (Math.exp(a) + Math.exp(b)),
    Math.exp(b) / (Math.exp(a) + Math.exp(b)),
  ];
  const [s0, s1] = e(-2, 3);
  const [t0, t1] = e(5, -6);
  close(await run(bytes), [1, -4, s0!, t0!, s1!, t1!]);
});

test("Gather of a constant table at int64 input ids is an embedding over an i32 input", async () => {
  const bytes = model([{ op: "Gather", inputs: ["table", "ids"], outputs: ["y"] }], {
    inputs: [valueInfo("ids", [3], ONNX_DTYPE.INT64)],
    initializers: [floats("table", [3, 2], [0, 1, 10, 11, 20, 21])],
  });
  const graph = importOnnx(bytes);
  assert.equal(graph.nodes[graph.inputs[0]!]!.dtype, "i32");
  const [out] = (await execute(graph, [tensor([3], new Int32Array([2, 0, 1]))])).outputs;
  assert.deepEqual([...out!.data], [20, 21, 0, 1, 10, 11]);
});

test("a causal mask made in forward (ConstantOfShape → Trilu → Equal → Where) folds to one add", async () => {
  // scores.masked_fill(torch.ones(3, 3).tril() == 0, -inf) on x [3, 3]
  const bytes = model(
    [
      {
        op: "ConstantOfShape",
        inputs: ["shape"],
        outputs: ["ones"],
        attrs: [{ name: "value", type: ONNX_ATTRIBUTE.TENSOR, t: floats("", [1], [1]) }],
      },
      { op: "Trilu", inputs: ["ones"], outputs: ["lower"], attrs: [intAttr("upper", 0)] },
      { op: "Equal", inputs: ["lower", "zero"], outputs: ["masked"] },
      { op: "Where", inputs: ["masked", "fill", "x"], outputs: ["y"] },
    ],
    {
      inputs: [valueInfo("x", [3, 3])],
      initializers: [
        ints("shape", [3, 3]),
        floats("zero", [], [0]),
        floats("fill", [], [-Infinity]),
      ],
    },
  );
  const graph = importOnnx(bytes);
  assert.deepEqual(
    graph.nodes.filter((n) => n.op !== "param").map((n) => n.op),
    ["input", "add"],
  );
  const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const [out] = (await execute(graph, [tensor([3, 3], x)])).outputs;
  assert.deepEqual([...out!.data], [1, -Infinity, -Infinity, 4, 5, -Infinity, 7, 8, 9]);
});

test("Resize imports only as nearest upsampling by an integer factor, else the error says so", async () => {
  const str = (name: string, value: string) => ({
    name,
    type: ONNX_ATTRIBUTE.STRING,
    s: new TextEncoder().encode(value),
  });
  const resize = (mode: string, scales: number[]) =>
    model(
      [
        {
          op: "Resize",
          name: "/up/Resize",
          inputs: ["x", "", "scales"],
          outputs: ["y"],
          attrs: [
            str("mode", mode),
            str("coordinate_transformation_mode", "asymmetric"),
            str("nearest_mode", "floor"),
          ],
        },
      ],
      { inputs: [valueInfo("x", [1, 1, 1, 2])], initializers: [floats("scales", [4], scales)] },
    );
  const graph = importOnnx(resize("nearest", [1, 1, 2, 2]));
  const [out] = (await execute(graph, [tensor([1, 1, 1, 2], new Float32Array([3, 4]))])).outputs;
  assert.deepEqual([...out!.data], [3, 3, 4, 4, 3, 3, 4, 4]);
  assert.throws(
    () => importOnnx(resize("linear", [1, 1, 2, 2])),
    /node "\/up\/Resize" \(Resize\): only nearest upsampling.*got mode linear/,
  );
  assert.throws(
    () => importOnnx(resize("nearest", [1, 1, 1.5, 1.5])),
    /one integer factor is supported, got scales \[1, 1, 1\.5, 1\.5\]/,
  );
});
