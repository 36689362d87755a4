import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryTracker } from "../../memory/tracker.js";
import { seededRandom } from "../../common/random.js";
import { tensorBytes } from "../ir/dtype.js";
import { GraphBuilder } from "../ir/builder.js";
import type { Graph } from "../ir/graph.js";
import { numel } from "../ir/shape.js";
import { estimateMemory } from "../estimate/estimate.js";
import { cpuExecutor, execute } from "./execute.js";
import type { Tensor } from "./tensor.js";
import { tensor } from "./tensor.js";
import type { ExecutorBackend } from "./walk.js";
import { walkGraph } from "./walk.js";

/**
 * The CPU backend with its own count of the bytes it holds (activations and workspaces), kept
 * apart from the walk's tracker: what a backend owning its memory (a WebAssembly.Memory, a
 * device) would count.
 */
function countingBackend(): ExecutorBackend<Tensor, Uint8Array> & { live(): number } {
  const sizes = new Map<object, number>();
  let live = 0;
  const hold = <V extends object>(value: V, bytes: number): V => {
    sizes.set(value, bytes);
    live += bytes;
    return value;
  };
  const drop = (value: object) => {
    live -= sizes.get(value)!;
    sizes.delete(value);
  };
  return {
    ...cpuExecutor,
    name: "counting",
    allocate: (type, label, op) => hold(cpuExecutor.allocate(type, label, op), tensorBytes(type)),
    release: drop,
    workspace: (bytes, label, op) => hold(cpuExecutor.workspace(bytes, label, op), bytes),
    releaseWorkspace: (bytes) => {
      drop(bytes);
      cpuExecutor.releaseWorkspace(bytes);
    },
    gauge: { source: "counting", read: () => live },
    live: () => live,
  };
}

const rand = seededRandom(9);
const randTensor = (shape: number[]) =>
  tensor(
    shape,
    new Float32Array(numel(shape)).map(() => rand() - 0.5),
  );

/** Attention over `T` tokens, chunked along the queries; the conv needs a workspace. */
function graphWithLoopAndWorkspace(T: number): Graph {
  const body = (size: number) => {
    const g = new GraphBuilder();
    const q = g.input("q", [2, size, 8]);
    const kT = g.input("kT", [2, 8, T]);
    g.output(g.softmax(g.matmul(q, kT), -1));
    return g.build();
  };
  const g = new GraphBuilder();
  const q = g.input("q", [2, T, 8]);
  const kT = g.input("kT", [2, 8, T]);
  const att = g.chunkLoop([q, kT], {
    body: body(8),
    tail: T % 8 === 0 ? null : body(T % 8),
    inputDims: [1, null],
    outputDims: [1],
    length: T,
    chunkSize: 8,
  });
  const image = g.reshape(att, [1, 2, T, T]);
  const w = g.param("w", [4, 2, 3, 3], { kind: "normal", std: 0.1 });
  g.output(g.relu(g.conv2d(image, w, undefined, { padding: 1 })));
  return g.build();
}

test("another backend gets the same tracker record from the walk, and holds what it says", async () => {
  const graph = graphWithLoopAndWorkspace(20);
  const inputs = [randTensor([2, 20, 8]), randTensor([2, 8, 20])];
  const backend = countingBackend();
  const got = await walkGraph(backend, graph, inputs, { measureResident: true });
  const want = await execute(graph, inputs);
  const text = (r: typeof got) => r.events.map((e) => `${e.kind} ${e.label} ${e.op} ${e.bytes}`);
  assert.deepEqual(text(got), text(want));
  assert.deepEqual(got.outputs[0]!.data, want.outputs[0]!.data);
  assert.ok(got.events.some((e) => e.label === "conv2d:workspace"));
  assert.ok(got.events.some((e) => e.label === "chunk_loop:workspace"));
  // The backend's own count reaches exactly the tracked (and estimated) peak, and ends at 0.
  assert.equal(got.peakBytes, estimateMemory(graph).peakBytes);
  assert.equal(got.resident?.source, "counting");
  assert.equal(got.resident?.peakBytes, got.peakBytes);
  assert.equal(got.resident?.overTrackedBytes, 0);
  assert.equal(backend.live(), 0);
});

test("on a kernel error or an abort the walk releases everything the backend holds", async () => {
  const g = new GraphBuilder();
  const ids = g.input("ids", [4], "i32");
  const x = g.input("x", [4, 6]);
  const table = g.param("table", [5, 6], { kind: "normal", std: 1 });
  g.output(
    g.add(
      g.exp(x),
      g.scope("tok", () => g.embedding(table, ids)),
    ),
  );
  const graph = g.build();
  const backend = countingBackend();
  const memory = new MemoryTracker();
  await assert.rejects(
    walkGraph(backend, graph, [tensor([4], new Int32Array([0, 1, 7, 2])), randTensor([4, 6])], {
      memory,
    }),
    /^RangeError: counting: %\d+ embedding\(.*"tok\.embedding": .*index 7/,
  );
  assert.equal(backend.live(), 0);
  assert.equal(memory.liveBytes, 0);
  assert.ok(memory.events.length > 0);

  // Aborted from inside the fifth kernel (a loop body's), while the loop holds its outputs.
  const controller = new AbortController();
  let calls = 0;
  const aborting: typeof backend = {
    ...backend,
    run(r) {
      if (++calls === 5) controller.abort();
      return backend.run(r);
    },
  };
  const inputs = [randTensor([2, 20, 8]), randTensor([2, 8, 20])];
  await assert.rejects(
    walkGraph(aborting, graphWithLoopAndWorkspace(20), inputs, { signal: controller.signal }),
    { name: "AbortError" },
  );
  assert.equal(calls, 5);
  assert.equal(backend.live(), 0);
});
