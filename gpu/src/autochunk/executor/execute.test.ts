import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryTracker } from "../../memory/tracker.js";
import { seededRandom } from "../../common/random.js";
import { FLAT_COST_TABLE } from "../../../test/fixtures/autochunk-cost-table.js";
import { SMALL_EVOFORMER, SMALL_GPT } from "../../../test/fixtures/autochunk-small-models.js";
import type { Feeds, Graph, Node } from "../index.js";
import {
  GraphBuilder,
  autochunk,
  estimateMemory,
  execute,
  lowestPeak,
  numel,
  tensor,
  validate,
} from "../index.js";
import { evoformerBlock, gptPrefill, unet, vit } from "../models/index.js";
import { kernelRuntime } from "./wasm/runtime.js";

const rand = seededRandom(5);
const randTensor = (shape: number[]) =>
  tensor(
    shape,
    new Float32Array(numel(shape)).map(() => rand() - 0.5),
  );

test("activations are allocated before their node and freed right after their last reader", async () => {
  const g = new GraphBuilder();
  const x = g.input("x", [2, 8]);
  const a = g.relu(x);
  const b = g.exp(a);
  const r = g.reshape(a, [16]);
  const c = g.add(g.reshape(b, [16]), r);
  g.output(g.neg(c));
  const { events, outputs, memory, peakBytes } = await execute(g.build(), [randTensor([2, 8])]);
  assert.deepEqual(
    events.map((e) => `${e.kind} ${e.label} ${e.op} ${e.bytes}`),
    [
      "alloc relu relu 64",
      "alloc exp exp 64",
      // the two reshapes are views: no allocation; add reads both, so both die after it
      "alloc add add 64",
      "free relu relu 64",
      "free exp exp 64",
      "alloc neg neg 64",
      "free add add 64",
      // the output is handed to the caller
      "free neg neg 64",
    ],
  );
  assert.equal(peakBytes, 192);
  assert.equal(memory.liveBytes, 0);
  assert.deepEqual(outputs[0]!.shape, [16]);
});

test("inputs and parameters are not activations; inputs are fed by name or position", async () => {
  const g = new GraphBuilder();
  const x = g.input("x", [3]);
  const y = g.input("y", [3]);
  const w = g.param("w", [3], new Float32Array([1, 2, 3]));
  g.output(g.mul(g.add(x, y), w));
  const graph = g.build();
  const xs = tensor([3], new Float32Array([1, 1, 1]));
  const ys = tensor([3], new Float32Array([0, 1, 2]));
  const byName = await execute(graph, { y: ys, x: xs });
  const byPosition = await execute(graph, [xs, ys]);
  assert.deepEqual([...byName.outputs[0]!.data], [1, 4, 9]);
  assert.deepEqual([...byPosition.outputs[0]!.data], [1, 4, 9]);
  // only the two activations are recorded; x, y and w are not
  assert.deepEqual(
    byName.events.map((e) => `${e.kind} ${e.label}`),
    ["alloc add", "alloc mul", "free add", "free mul"],
  );
  await assert.rejects(execute(graph, [xs]), /takes 2 inputs \("x", "y"\), got 1/);
  await assert.rejects(execute(graph, { x: xs, z: ys }), /no value for input "y"/);
  await assert.rejects(
    execute(graph, [xs, tensor([4])]),
    /input "y" must be f32\[3\], got f32\[4\]/,
  );
});

function chain(layers: number, width: number): Graph {
  const g = new GraphBuilder();
  let h: Node = g.input("x", [64, width]);
  for (let i = 0; i < layers; i++) {
    h = g.scope(`l${i}`, () =>
      g.tanh(g.linear(h, g.param("w", [width, width], { kind: "normal", std: 0.05 }))),
    );
  }
  g.output(h);
  return g.build();
}

test("a run stops when its signal aborts, releasing everything it held", async () => {
  // Long enough (~1.7G multiply-adds) that the wasm kernels are still running after 30 ms.
  const graph = chain(400, 256);
  const x = randTensor([64, 256]);
  const aborted = new AbortController();
  aborted.abort();
  const memory = new MemoryTracker();
  await assert.rejects(execute(graph, [x], { memory, signal: aborted.signal }), {
    name: "AbortError",
  });
  assert.equal(memory.events.length, 0);

  const full = await execute(graph, [x]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  const midRun = new MemoryTracker();
  await assert.rejects(execute(graph, [x], { memory: midRun, signal: controller.signal }), {
    name: "AbortError",
  });
  assert.equal(midRun.liveBytes, 0);
  assert.ok(midRun.events.length > 0 && midRun.events.length < full.events.length);
});

/** softmax(q · kᵀ) · v for q [B, T, D] against k, v [B, S, D] (kT given as [B, D, S]). */
function attention(g: GraphBuilder, q: Node, kT: Node, v: Node): Node {
  return g.matmul(g.softmax(g.scale(g.matmul(q, kT), 0.25), -1), v);
}

function unchunked(B: number, T: number, D: number): Graph {
  const g = new GraphBuilder();
  const q = g.input("q", [B, T, D]);
  const kT = g.input("kT", [B, D, T]);
  const v = g.input("v", [B, T, D]);
  const out = attention(g, q, kT, v);
  g.output(g.relu(out));
  return g.build();
}

function body(B: number, size: number, T: number, D: number): Graph {
  const g = new GraphBuilder();
  const out = attention(
    g,
    g.input("q", [B, size, D]),
    g.input("kT", [B, D, T]),
    g.input("v", [B, T, D]),
  );
  g.output(out);
  return g.build();
}

/** The same program with attention chunked along the query dim. */
function chunked(B: number, T: number, D: number, chunkSize: number): Graph {
  const g = new GraphBuilder();
  const q = g.input("q", [B, T, D]);
  const kT = g.input("kT", [B, D, T]);
  const v = g.input("v", [B, T, D]);
  const rest = T % chunkSize;
  const loop = g.chunkLoop([q, kT, v], {
    body: body(B, chunkSize, T, D),
    tail: rest === 0 ? null : body(B, rest, T, D),
    inputDims: [1, null, null],
    outputDims: [1],
    length: T,
    chunkSize,
  });
  g.output(g.relu(loop));
  return g.build();
}

test("a chunk loop computes the same values as the unchunked program, with less memory", async () => {
  for (const [B, T, D, size] of [
    [1, 48, 8, 16],
    [2, 50, 8, 16],
  ] as const) {
    const inputs = [randTensor([B, T, D]), randTensor([B, D, T]), randTensor([B, T, D])];
    const plain = unchunked(B, T, D);
    const loop = chunked(B, T, D, size);
    validate(loop);
    const want = await execute(plain, inputs);
    const got = await execute(loop, inputs);
    const a = want.outputs[0]!.data;
    const b = got.outputs[0]!.data;
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `element ${i}`);
    assert.ok(got.peakBytes < want.peakBytes, `${got.peakBytes} < ${want.peakBytes}`);
    assert.equal(estimateMemory(loop).peakBytes, got.peakBytes);
    assert.equal(estimateMemory(plain).peakBytes, want.peakBytes);
    // B > 1: slices along dim 1 are not contiguous and are copied into the loop's workspace
    const copies = got.events.filter(
      (e) => e.label.endsWith(":workspace") && e.op === "chunk_loop",
    );
    assert.equal(copies.length, B > 1 ? 2 : 0);
    // body allocations are labelled under the loop, once per iteration
    const iterations = Math.ceil(T / size);
    assert.equal(
      got.events.filter((e) => e.kind === "alloc" && e.label === "chunk_loop/softmax").length,
      iterations,
    );
  }
});

test("kernel errors name the failing node; bad loop attributes fail at build time", async () => {
  const g = new GraphBuilder();
  const ids = g.input("ids", [2], "i32");
  g.output(
    g.scope("tok", () => g.embedding(g.param("wte", [3, 2], { kind: "constant", value: 1 }), ids)),
  );
  await assert.rejects(
    execute(g.build(), [tensor([2], new Int32Array([0, 9]))]),
    /execute: %2 embedding\(%1: f32\[3,2\], %0: i32\[2\]\) : f32\[2,2\] "tok.embedding": .*index 9/,
  );
  const h = new GraphBuilder();
  const q = h.input("q", [1, 10, 4]);
  assert.throws(
    () =>
      h.chunkLoop([q, h.input("kT", [1, 4, 10]), h.input("v", [1, 10, 4])], {
        body: body(1, 4, 10, 4),
        tail: null,
        inputDims: [1, null, null],
        outputDims: [1],
        length: 10,
        chunkSize: 4,
      }),
    /chunkSize 4 leaves a last chunk of 2; give a tail body for it/,
  );
});

test("a loop's first output stays readable after its second output is freed", async () => {
  const bodyOf = (size: number) => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, size, 4]);
    g.output(g.relu(x), g.neg(x));
    return g.build();
  };
  const g = new GraphBuilder();
  const x = g.input("x", [1, 8, 4]);
  const loop = g.chunkLoop([x], {
    body: bodyOf(4),
    tail: null,
    inputDims: [1],
    outputDims: [1, 1],
    length: 8,
    chunkSize: 4,
  });
  // exp(second) is the second output's last use; the add then reads the first output directly.
  g.output(g.add(loop, g.exp(g.getItem(loop, 1))));
  const input = randTensor([1, 8, 4]);
  const { outputs } = await execute(g.build(), [input]);
  const got = outputs[0]!.data;
  input.data.forEach((v, i) => {
    assert.ok(Math.abs(got[i]! - (Math.max(v, 0) + Math.exp(-v))) < 1e-6, `element ${i}`);
  });
});

test("the resident peak is Node's own ArrayBuffer count, apart from the tracker", async () => {
  const n = 128;
  const g = new GraphBuilder();
  const x = g.input("x", [n, n]);
  g.output(g.sum(g.exp(g.matmul(g.reshape(x, [n, n, 1]), g.reshape(x, [n, 1, n]))), 0));
  const graph = g.build();
  const run = await execute(graph, [randTensor([n, n])], { measureResident: true });
  // The outer product and its exp (8 MiB each) dominate: Node's count rises by at least one
  // of them, whatever the garbage collector does meanwhile.
  assert.equal(run.peakBytes, 2 * 4 * n ** 3);
  assert.equal(
    run.resident?.source,
    "process.memoryUsage().arrayBuffers + wasm heap blocks in use",
  );
  assert.ok(run.resident.peakBytes >= 4 * n ** 3, `${run.resident.peakBytes}`);
  assert.equal(run.resident.overTrackedBytes, run.resident.peakBytes - run.peakBytes);
  assert.equal((await execute(graph, [randTensor([n, n])])).resident, null);
});

test("kernels handed unzeroed storage write all of it: every model, whole and chunked, over a heap of NaN", async () => {
  // First-fit allocation puts a run's tensors in the lowest free block: fill one bigger than the
  // run needs, free it, and run; a kernel that leaves an element unwritten shows it in the output.
  const over = (fill: number, graph: Graph, inputs: Feeds) => {
    const heap = kernelRuntime().heap;
    const bytes = 64 << 20;
    const at = heap.alloc(bytes);
    new Float32Array(heap.buffer, at, bytes / 4).fill(fill);
    heap.free(at);
    return execute(graph, inputs);
  };
  const models = {
    gpt: gptPrefill({ ...SMALL_GPT, nLayer: 1, seq: 128 }),
    vit: vit({ patch: 4, dim: 32, heads: 2, depth: 1, classes: 10, image: 32 }),
    evoformer: evoformerBlock({ ...SMALL_EVOFORMER, nRes: 24 }),
    unet: unet({ blockChannels: [32, 32], attention: [true, false], headDim: 32, image: 32 }),
  };
  for (const [name, model] of Object.entries(models)) {
    // At the lowest peak the search reaches, the most of the program runs in loops.
    const budget = await lowestPeak(model.graph, { costModel: FLAT_COST_TABLE });
    const plan = await autochunk(model.graph, { budget, costModel: FLAT_COST_TABLE });
    assert.ok(plan.regions.length > 0, `${name}: the plan chunks nothing`);
    const inputs = model.makeInputs();
    for (const [program, graph] of [
      ["whole", model.graph],
      ["chunked", plan.chunked],
    ] as const) {
      const zero = await over(0, graph, inputs);
      const nan = await over(NaN, graph, inputs);
      for (const [i, out] of nan.outputs.entries()) {
        assert.ok(!out.data.some(Number.isNaN), `${name} ${program}: output ${i} has NaN`);
        assert.deepEqual(
          out.data,
          zero.outputs[i]!.data,
          `${name} ${program}: output ${i} differs`,
        );
      }
    }
  }
});
