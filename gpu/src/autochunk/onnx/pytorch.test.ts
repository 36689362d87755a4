import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseNpy } from "../../datasets/npy.js";
import { runPython } from "../../../test/python.js";
import type { CostTable, Graph, Tensor } from "../index.js";
import { autochunk, estimateMemory, execute, tensor } from "../index.js";
import { readOnnxFile } from "./file.js";

/*
 * PyTorch → ONNX → AutoChunk: fixtures/onnx_export.py builds a GPT-2 block and a one-block ViT
 * in plain PyTorch, exports them with torch.onnx.export (opset 17; the GPT block also with the
 * dynamo exporter, torch's default, at opset 18) and writes the float64
 * reference output; here each model is imported, planned under half its peak, run chunked and
 * compared. Needs .venv with torch, onnx and onnxscript (requirements-test.txt); nothing is
 * skipped.
 */

const SCRIPT = fileURLToPath(new URL("../../../test/fixtures/onnx_export.py", import.meta.url));
const CONFIG = {
  gpt: { seq: 128, width: 64, heads: 4 },
  vit: { batch: 2, image: 96, patch: 8, width: 64, heads: 4, classes: 10 },
  gpt2: { seq: 128, width: 64, heads: 4, vocab: 100 },
  unet: { channels: 16, groups: 4, image: 16 },
  dynamo: true,
};

// A fixed speed model (as in api.test.ts), so the plans do not depend on this machine's timing.
const TABLE: CostTable = {
  backend: "test",
  iterationSeconds: 5e-6,
  dispatchSeconds: 5e-6,
  gemm: [
    [1, 3e8],
    [16, 2e9],
    [256, 3.5e9],
  ],
  stream: [
    [256, 2e8],
    [65536, 4e8],
  ],
  copy: [
    [4096, 2e9],
    [1 << 20, 2e10],
  ],
};

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "onnx-export-"));
  runPython(readFileSync(SCRIPT, "utf8"), [dir, JSON.stringify(CONFIG)]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function npy(name: string) {
  // A plain Uint8Array: parseNpy misreads a pooled Node Buffer.
  return parseNpy(new Uint8Array(readFileSync(join(dir, name))));
}

/** max |ours − reference| / max |reference|. */
function relativeError(ours: Tensor, reference: ReturnType<typeof npy>): number {
  assert.deepEqual(ours.shape, reference.shape);
  const ref = reference.data as Float64Array;
  let error = 0;
  let scale = 0;
  ref.forEach((r, i) => {
    error = Math.max(error, Math.abs(ours.data[i]! - r));
    scale = Math.max(scale, Math.abs(r));
  });
  assert.ok(scale > 0.5, `the reference output is not trivial (max |output| ${scale})`);
  return error / scale;
}

/** Imports `file`, runs it unchunked on `name`'s input and checks it against PyTorch. */
async function importRun(t: TestContext, file: string, name: string, input: string) {
  const graph = readOnnxFile(join(dir, file));
  const x = npy(`${name}.input.npy`);
  // Token ids are int64 in PyTorch, i32 in the IR.
  const data =
    x.data instanceof BigInt64Array ? Int32Array.from(x.data, Number) : (x.data as Float32Array);
  const feeds = { [input]: tensor(x.shape, data) };
  const reference = npy(`${name}.output.npy`);
  const whole = await execute(graph, feeds);
  const peak = estimateMemory(graph).peakBytes;
  assert.equal(whole.peakBytes, peak);
  const error = relativeError(whole.outputs[0]!, reference);
  t.diagnostic(`${file}: max |error| / max |output| vs PyTorch float64: ${error.toExponential(2)}`);
  assert.ok(error <= 1e-5, `unchunked error ${error}`);
  return { graph, feeds, reference, peak };
}

/** importRun, then plans under half the peak, runs chunked and checks it against PyTorch. */
async function importPlanRun(
  t: TestContext,
  file: string,
  name: string,
  input: string,
): Promise<Graph> {
  const { graph, feeds, reference, peak } = await importRun(t, file, name, input);
  const budget = Math.floor(peak / 2);
  const plan = await autochunk(graph, { budget, costModel: TABLE });
  assert.ok(plan.regions.length > 0, "the search chunks the imported graph");
  assert.ok(plan.peakBytes.after <= budget, `${plan.peakBytes.after} ≤ ${budget}`);
  const chunked = await plan.run(feeds);
  assert.equal(chunked.peakBytes, plan.peakBytes.after);
  const error = relativeError(chunked.outputs[0]!, reference);
  t.diagnostic(
    `${file}: peak ${peak} → ${chunked.peakBytes} bytes (${plan.regions.length} regions); ` +
      `chunked: max |error| / max |output| ${error.toExponential(2)}`,
  );
  assert.ok(error <= 1e-5, `chunked error ${error}`);
  return graph;
}

test("a GPT-2 block from torch.onnx.export (external data) imports, plans, runs chunked and matches PyTorch", async (t) => {
  const graph = await importPlanRun(t, "gpt.onnx", "gpt", "x");
  const ops = graph.nodes.map((n) => n.op);
  // nn.GELU's Div → Erf → Add → Mul → Mul is one gelu; each MatMul + bias Add one linear.
  assert.equal(ops.filter((op) => op === "gelu").length, 1);
  assert.equal(ops.filter((op) => op === "linear").length, 4);
  assert.ok(graph.nodes.some((n) => n.name === "attn.qkv.linear"));
});

test("a ViT block from torch.onnx.export (conv patches, class token, Gemm head) imports, plans, runs chunked and matches PyTorch", async (t) => {
  const graph = await importPlanRun(t, "vit.onnx", "vit", "pixel_values");
  assert.deepEqual(graph.nodes[graph.outputs[0]!]!.shape, [2, 10]);
  assert.ok(graph.nodes.some((n) => n.op === "conv2d"));
});

test("a GPT2Model written as transformers writes it (Conv1D addmm, where with finfo.min, tanh GELU, embeddings) imports and matches PyTorch", async (t) => {
  const graph = await importPlanRun(t, "gpt2.onnx", "gpt2", "input_ids");
  assert.equal(graph.nodes[graph.inputs[0]!]!.dtype, "i32");
  // wte is looked up at the token ids; wpe at arange(seq), a constant: it folds into a parameter.
  assert.equal(graph.nodes.filter((n) => n.op === "embedding").length, 1);
});

test("a diffusers-style resnet block and upsampler (GroupNorm, SiLU, convs, nearest ×2) imports and matches PyTorch", async (t) => {
  // Not planned: its peak is the upsampling conv, which mixes along every dim it could be
  // chunked on (C, H, W; N is 1), so no region lowers it (conv2d's rule, ops/spatial.ts).
  const { graph } = await importRun(t, "unet.onnx", "unet", "sample");
  const ops = graph.nodes.map((n) => n.op);
  // GroupNorm exports as Reshape → InstanceNormalization → Reshape → Mul → Add.
  assert.equal(ops.filter((op) => op === "group_norm").length, 2);
  assert.equal(ops.filter((op) => op === "upsample").length, 1);
});

test("a block exported with a symbolic sequence length imports at the length inputShapes gives", async () => {
  const path = join(dir, "gpt_dynamic.onnx");
  assert.throws(
    () => readOnnxFile(path),
    /input "x" has symbolic dims \[1, seq, 64\].*inputShapes/,
  );
  const graph = readOnnxFile(path, { inputShapes: { x: [1, 64, 64] } });
  // Causal: the first 64 positions of the 128-token reference are the 64-token output.
  const x = npy("gpt.input.npy");
  const half = tensor([1, 64, 64], (x.data as Float32Array).slice(0, 64 * 64));
  const [out] = (await execute(graph, { x: half })).outputs;
  const reference = npy("gpt.output.npy");
  const first = {
    ...reference,
    shape: [1, 64, 64],
    data: (reference.data as Float64Array).slice(0, 64 * 64),
  };
  assert.ok(relativeError(out!, first) <= 1e-5);
});

test("the same GPT-2 block from the dynamo exporter (opset 18) imports to the same ops and matches PyTorch", async (t) => {
  const graph = await importPlanRun(t, "gpt_dynamo.onnx", "gpt", "x");
  const ops = (g: Graph) => g.nodes.filter((n) => n.op !== "param").map((n) => n.op);
  assert.deepEqual(ops(graph), ops(readOnnxFile(join(dir, "gpt.onnx"))));
});
