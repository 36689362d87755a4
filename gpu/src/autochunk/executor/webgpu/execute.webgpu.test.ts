import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  assertClose,
  eventText,
  mergedEvents,
} from "../../../../test/fixtures/autochunk-compare.js";
import type { GpuFailure, GpuRun, GraphCase } from "../../../../test/fixtures/autochunk-webgpu.js";
import { residualLoop } from "../../../../test/fixtures/autochunk-residual-loop.js";
import { openBrowserGpu, type BrowserGpu } from "../../../../test/webgpu-browser.js";
import { seededRandom } from "../../../common/random.js";
import type { Graph, Node, Tensor } from "../../index.js";
import { GraphBuilder, estimateMemory, execute, numel, tensor, validate } from "../../index.js";

const FIXTURE = fileURLToPath(
  new URL("../../../../test/fixtures/autochunk-webgpu.ts", import.meta.url),
);

let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([FIXTURE]);
});
after(() => gpu.close());

const rand = seededRandom(31);
const randTensor = (shape: number[]) =>
  tensor(
    shape,
    new Float32Array(numel(shape)).map(() => rand() - 0.5),
  );

async function runOnGpu(c: GraphCase): Promise<GpuRun> {
  const [run] = await gpu.call<(GpuRun | GpuFailure)[]>(FIXTURE, "runGraphs", [c]);
  assert.ok(run !== undefined && !("error" in run), run && "error" in run ? run.message : "");
  return run;
}

/**
 * Runs `graph` on the CPU and on the device: same outputs, same memory events (workspace parts
 * merged), and a measured peak equal to the estimate; nothing left allocated.
 */
async function assertSameAsCpu(what: string, graph: Graph, inputs: Tensor[]): Promise<GpuRun> {
  const run = await runOnGpu({ graph, inputs });
  const cpu = await execute(graph, inputs);
  cpu.outputs.forEach((want, k) => assertClose(`${what}: output ${k}`, want, run.outputs[k]!));
  assert.deepEqual(mergedEvents(run.events), eventText(cpu.events), `${what}: memory events`);
  assert.equal(
    run.peakBytes,
    estimateMemory(graph).peakBytes,
    `${what}: measured vs estimated peak`,
  );
  assert.equal(run.liveBytes, 0);
  assert.equal(run.deviceLiveBytes, 0);
  // The device ledger sees the activations and, beyond the tracker, the uploaded inputs.
  const inputBytes = inputs.reduce((sum, t) => sum + t.data.byteLength, 0);
  assert.ok(
    run.residentPeakBytes !== null && run.residentPeakBytes >= run.peakBytes + inputBytes,
    `${what}: resident ${run.residentPeakBytes} vs tracked ${run.peakBytes} + inputs ${inputBytes}`,
  );
  return run;
}

/** A pre-norm transformer block: causal multi-head attention and a GELU MLP, with residuals. */
function transformerBlock(T: number, C: number, heads: number): Graph {
  const g = new GraphBuilder();
  const D = C / heads;
  const w = (name: string, shape: number[]) => g.param(name, shape, { kind: "normal", std: 0.2 });
  const x = g.input("x", [1, T, C]);
  const split = (t: Node, part: number, perm: number[]) =>
    g.permute(g.reshape(g.slice(t, 2, part * C, (part + 1) * C), [1, T, heads, D]), perm);
  const h = g.scope("attn", () => {
    const qkv = g.linear(g.layerNorm(x, w("ln.w", [C]), w("ln.b", [C])), w("qkv", [C, 3 * C]));
    const q = split(qkv, 0, [0, 2, 1, 3]);
    const kT = split(qkv, 1, [0, 2, 3, 1]);
    const v = split(qkv, 2, [0, 2, 1, 3]);
    const mask = g.param("mask", [T, T], { kind: "causal_mask", fill: -1e9 });
    const att = g.softmax(g.add(g.scale(g.matmul(q, kT), 1 / Math.sqrt(D)), mask), -1);
    const y = g.reshape(g.permute(g.matmul(att, v), [0, 2, 1, 3]), [1, T, C]);
    return g.add(x, g.linear(y, w("proj", [C, C]), w("proj.b", [C])));
  });
  const out = g.scope("mlp", () => {
    const up = g.gelu(
      g.linear(g.layerNorm(h, w("ln.w", [C])), w("fc", [C, 4 * C]), w("fc.b", [4 * C])),
    );
    return g.add(h, g.linear(up, w("proj", [4 * C, C])));
  });
  g.output(out);
  return g.build();
}

test("a transformer block (causal attention and an MLP) runs end to end as on the CPU", async () => {
  const graph = transformerBlock(24, 32, 4);
  await assertSameAsCpu("transformer block", graph, [randTensor([1, 24, 32])]);
});

/** softmax(q · kᵀ) · v for q [B, T, D] against k, v [B, S, D] (kT given as [B, D, S]). */
function attention(g: GraphBuilder, q: Node, kT: Node, v: Node): Node {
  return g.matmul(g.softmax(g.scale(g.matmul(q, kT), 0.25), -1), v);
}

function unchunked(B: number, T: number, D: number): Graph {
  const g = new GraphBuilder();
  const out = attention(
    g,
    g.input("q", [B, T, D]),
    g.input("kT", [B, D, T]),
    g.input("v", [B, T, D]),
  );
  g.output(g.relu(out));
  return g.build();
}

function body(B: number, size: number, T: number, D: number): Graph {
  const g = new GraphBuilder();
  const q = g.input("q", [B, size, D]);
  g.output(attention(g, q, g.input("kT", [B, D, T]), g.input("v", [B, T, D])));
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

test("a chunk loop equals the unchunked program, with the estimated, smaller peak", async () => {
  // B = 1: slices are views at element offsets; B = 2: copies into the workspace, and a tail.
  for (const [B, T, D, size] of [
    [1, 48, 8, 16],
    [2, 50, 8, 16],
  ] as const) {
    const inputs = [randTensor([B, T, D]), randTensor([B, D, T]), randTensor([B, T, D])];
    const loop = chunked(B, T, D, size);
    validate(loop);
    const plain = await assertSameAsCpu(`unchunked B=${B}`, unchunked(B, T, D), inputs);
    const got = await assertSameAsCpu(`chunked B=${B}`, loop, inputs);
    const cpuPlain = await execute(unchunked(B, T, D), inputs);
    assertClose(`chunked B=${B} vs unchunked`, cpuPlain.outputs[0]!, got.outputs[0]!);
    assert.ok(got.peakBytes < plain.peakBytes, `${got.peakBytes} < ${plain.peakBytes}`);
    const copies = got.events.filter((e) => / chunk_loop:workspace chunk_loop /.test(` ${e} `));
    assert.equal(copies.length, B > 1 ? 2 : 0);
  }
});

test("a chunk loop that writes its output over its input runs as on the CPU, at the estimate", async () => {
  // dim 0: the slices are views of the buffer being written; dim 1 with B = 2: copied slices.
  for (const [B, dim] of [
    [3, 0],
    [2, 1],
  ] as const) {
    const { graph, chunked } = residualLoop(B, dim, false);
    const inputs = [randTensor([B, 12, 8])];
    const got = await assertSameAsCpu(`in place, dim ${dim}`, chunked, inputs);
    assertClose(
      `in place, dim ${dim}, vs unchunked`,
      (await execute(graph, inputs)).outputs[0]!,
      got.outputs[0]!,
    );
  }
});

function chain(layers: number, width: number): Graph {
  const g = new GraphBuilder();
  let h: Node = g.input("x", [16, width]);
  for (let i = 0; i < layers; i++) {
    h = g.scope(`l${i}`, () =>
      g.tanh(g.linear(h, g.param("w", [width, width], { kind: "normal", std: 0.05 }))),
    );
  }
  g.output(h);
  return g.build();
}

test("a run stops when its signal aborts, releasing every buffer it held", async () => {
  const c = { graph: chain(150, 32), inputs: [randTensor([16, 32])] };
  const full = await runOnGpu(c);
  const before = await gpu.call<GpuFailure>(FIXTURE, "runAborted", c, -1);
  assert.equal(before.error, "AbortError");
  assert.equal(before.events, 0);
  const mid = await gpu.call<GpuFailure>(FIXTURE, "runAborted", c, full.ms / 3);
  assert.equal(mid.error, "AbortError", mid.message);
  assert.ok(mid.events > 0 && mid.events < full.events.length, `${mid.events} events`);
  assert.equal(mid.liveBytes, 0);
  assert.equal(mid.deviceLiveBytes, 0);
});

test("bad indices and bad feeds fail with the CPU executor's errors", async () => {
  const g = new GraphBuilder();
  const ids = g.input("ids", [2], "i32");
  g.output(
    g.scope("tok", () => g.embedding(g.param("wte", [3, 2], { kind: "constant", value: 1 }), ids)),
  );
  const graph = g.build();
  const [bad, short] = await gpu.call<GpuFailure[]>(FIXTURE, "runGraphs", [
    { graph, inputs: [tensor([2], new Int32Array([0, 9]))] },
    { graph, inputs: [] },
  ]);
  assert.equal(bad!.error, "RangeError");
  assert.match(
    bad!.message,
    /executeWebGpu: %2 embedding\(%1: f32\[3,2\], %0: i32\[2\]\) : f32\[2,2\] "tok.embedding": .*index 9 at position 1/,
  );
  assert.equal(bad!.liveBytes, 0);
  assert.equal(bad!.deviceLiveBytes, 0);
  assert.match(short!.message, /takes 1 inputs \("ids"\), got 0/);
});
