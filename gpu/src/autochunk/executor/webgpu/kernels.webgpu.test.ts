import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  assertClose,
  eventText,
  mergedEvents,
} from "../../../../test/fixtures/autochunk-compare.js";
import type { GpuFailure, GpuRun } from "../../../../test/fixtures/autochunk-webgpu.js";
import { openBrowserGpu, type BrowserGpu } from "../../../../test/webgpu-browser.js";
import { seededRandom } from "../../../common/random.js";
import type { ExecutorKind, Graph, Node, Tensor } from "../../index.js";
import { GraphBuilder, estimateMemory, execute, numel, tensor } from "../../index.js";
import { workspaceBytesOf } from "../../internal.js";

const FIXTURE = fileURLToPath(
  new URL("../../../../test/fixtures/autochunk-webgpu.ts", import.meta.url),
);

let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([FIXTURE]);
});
after(() => gpu.close());

const rand = seededRandom(23);
const uniform = (shape: number[], lo = -1, hi = 1): Tensor =>
  tensor(
    shape,
    new Float32Array(numel(shape)).map(() => lo + (hi - lo) * rand()),
  );
const ints = (shape: number[], values: (i: number) => number): Tensor =>
  tensor(
    shape,
    Int32Array.from({ length: numel(shape) }, (_, i) => values(i)),
  );

interface Case {
  readonly name: string;
  readonly graph: Graph;
  readonly inputs: readonly Tensor[];
}

/** A graph over `inputs` whose outputs are what `build` returns. */
function graphCase(name: string, inputs: Tensor[], build: (g: GraphBuilder, xs: Node[]) => Node[]) {
  const g = new GraphBuilder();
  const xs = inputs.map((t, i) => g.input(`in${i}`, t.shape, t.dtype));
  g.output(...build(g, xs));
  return { name, graph: g.build(), inputs };
}

const param = (g: GraphBuilder, name: string, t: Tensor) => g.param(name, t.shape, t.data);

const CASES: Case[] = [
  graphCase("unary ops", [uniform([3, 37], -3, 3), uniform([3, 37], 0.1, 3)], (g, [x, p]) => [
    g.neg(x!),
    g.exp(x!),
    g.log(p!),
    g.sqrt(p!),
    g.rsqrt(p!),
    g.relu(x!),
    g.gelu(x!),
    g.sigmoid(x!),
    g.silu(x!),
    g.tanh(g.scale(x!, 12)),
    g.sin(x!),
    g.cos(x!),
    g.scale(x!, 0.3),
  ]),
  graphCase(
    "binary ops broadcast like NumPy; pow follows JavaScript for negative bases",
    [
      uniform([2, 3, 5]),
      uniform([3, 1]),
      uniform([1]),
      uniform([2, 3, 5], 0.5, 2),
      tensor([5], new Float32Array([0, 1, 2, 3, -1])),
    ],
    (g, [a, b, s, p, e]) => [
      g.add(a!, b!),
      g.sub(b!, a!),
      g.mul(a!, s!),
      g.div(a!, p!),
      g.pow(p!, a!),
      g.pow(a!, e!),
    ],
  ),
  graphCase(
    "matmul broadcasts batch dims; tiles with partial edges and several k steps",
    [uniform([3, 1, 5, 7]), uniform([4, 7, 6]), uniform([70, 40]), uniform([40, 3])],
    (g, [a, b, c, d]) => [g.matmul(a!, b!), g.matmul(c!, d!)],
  ),
  graphCase("linear with and without bias", [uniform([2, 9, 300])], (g, [x]) => {
    const w = param(g, "w", uniform([300, 70]));
    return [g.linear(x!, w, param(g, "b", uniform([70]))), g.linear(x!, w)];
  }),
  graphCase(
    "einsum permutes its operands and the product",
    [
      uniform([2, 3, 4]),
      uniform([2, 5, 4]),
      uniform([1, 4, 5, 3]),
      uniform([1, 6, 5, 3]),
      uniform([1, 5, 3, 2]),
      uniform([1, 5, 4, 3]),
      uniform([3, 4]),
      uniform([4, 2]),
    ],
    (g, [a, b, c, d, e, f, h, k]) => [
      g.einsum("bik,bjk->bij", a!, b!),
      g.einsum("bikc,bjkc->bijc", c!, d!),
      g.einsum("bsic,bsjd->bijcd", e!, f!),
      g.einsum("ij,jk->ki", h!, k!),
    ],
  ),
  graphCase(
    "softmax along a middle dim and along rows longer than a workgroup",
    [uniform([3, 4, 5], -5, 5), uniform([2, 300], -5, 5)],
    (g, [x, y]) => [g.softmax(x!, 1), g.softmax(y!, -1)],
  ),
  graphCase(
    "layer_norm over two dims with affine, and over one without",
    [uniform([2, 3, 4], -3, 3), uniform([4, 33], -3, 3)],
    (g, [x, y]) => [
      g.layerNorm(x!, param(g, "w", uniform([3, 4])), param(g, "b", uniform([3, 4]))),
      g.layerNorm(y!),
      g.layerNorm(y!, param(g, "w1", uniform([33]))),
    ],
  ),
  graphCase("group_norm with and without affine", [uniform([2, 6, 3, 3], -2, 2)], (g, [x]) => [
    g.groupNorm(x!, 3, param(g, "w", uniform([6])), param(g, "b", uniform([6]))),
    g.groupNorm(x!, 2),
  ]),
  graphCase(
    "permute, slice and concat move f32 and i32 alike",
    [uniform([2, 3, 4, 5]), uniform([2, 8, 3]), ints([2, 3, 4], (i) => i * 7 - 40)],
    (g, [x, y, n]) => [
      g.permute(x!, [2, 0, 3, 1]),
      g.slice(y!, 1, 2, 6),
      g.concat([y!, g.slice(y!, 1, 0, 3), y!], 1),
      g.permute(n!, [2, 1, 0]),
      g.concat([n!, n!], 2),
      g.upsample(g.reshape(n!, [1, 2, 3, 4]), 2),
    ],
  ),
  graphCase("sum and mean over any dims", [uniform([3, 4, 5]), uniform([2, 700])], (g, [x, y]) => [
    g.sum(x!, 1),
    g.sum(x!, [0, 2], true),
    g.mean(x!, [0, 1, 2]),
    g.mean(x!, 2),
    g.sum(y!, 1),
  ]),
  graphCase(
    "conv2d: padded with bias, strided, and 1×1 without im2col",
    [uniform([2, 3, 8, 8]), uniform([2, 3, 5, 5])],
    (g, [x, y]) => [
      g.conv2d(x!, param(g, "k", uniform([4, 3, 3, 3])), param(g, "b", uniform([4])), {
        padding: 1,
      }),
      g.conv2d(x!, param(g, "k2", uniform([5, 3, 3, 3])), undefined, { stride: 2 }),
      g.conv2d(y!, param(g, "k3", uniform([4, 3, 1, 1])), param(g, "b3", uniform([4]))),
    ],
  ),
  graphCase(
    "upsample and embedding",
    [uniform([1, 2, 3, 4]), ints([2, 5], (i) => (i * 3) % 10)],
    (g, [x, ids]) => [g.upsample(x!, 2), g.embedding(param(g, "table", uniform([10, 6])), ids!)],
  ),
];

const isWorkspace = (event: string) => event.split(" ")[1]!.endsWith(":workspace");

/** The workspace allocations the registry gives `graph`'s nodes on `kind`, as event text. */
function workspaceAllocs(graph: Graph, kind: ExecutorKind): string[] {
  return graph.nodes.flatMap((n) => {
    const bytes = workspaceBytesOf(graph, n, kind);
    return bytes > 0 ? [`alloc ${n.name}:workspace ${n.op} ${bytes}`] : [];
  });
}

test("every WebGPU kernel matches the CPU kernel; outputs' memory events are the CPU's, workspaces and peak the WebGPU estimate's", async () => {
  const runs = await gpu.call<(GpuRun | GpuFailure)[]>(FIXTURE, "runGraphs", CASES);
  for (const [c, run] of CASES.map((c, i) => [c, runs[i]!] as const)) {
    assert.ok(!("error" in run), `${c.name}: ${"error" in run ? run.message : ""}`);
    const cpu = await execute(c.graph, c.inputs);
    cpu.outputs.forEach((want, k) => assertClose(`${c.name}: output ${k}`, want, run.outputs[k]!));
    const events = mergedEvents(run.events);
    assert.deepEqual(
      events.filter((e) => !isWorkspace(e)),
      eventText(cpu.events).filter((e) => !isWorkspace(e)),
      `${c.name}: activation events`,
    );
    // Workspaces differ by backend (the CPU einsum works in place; WebGPU's copies operands).
    assert.deepEqual(
      events.filter((e) => isWorkspace(e) && e.startsWith("alloc")),
      workspaceAllocs(c.graph, "webgpu"),
      `${c.name}: workspaces`,
    );
    assert.equal(run.peakBytes, estimateMemory(c.graph, "webgpu").peakBytes, `${c.name}: peak`);
    assert.equal(cpu.peakBytes, estimateMemory(c.graph, "cpu").peakBytes, `${c.name}: CPU peak`);
    assert.equal(run.liveBytes, 0, `${c.name}: activations left live`);
    assert.equal(run.deviceLiveBytes, 0, `${c.name}: device buffers left live`);
  }
});
