/**
 * A user's own model from a notebook cell: a GPT-2 block exported from PyTorch to ONNX
 * (gpu/test/fixtures/onnx_export.py), then imported, planned under half its peak and run
 * chunked in cells of the Tessera kernel (nbclient, as CI runs the tutorials), which compare
 * the output with PyTorch's.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { parseNpy } from "../gpu/src/datasets/npy.js";
import { REPO, VENV, requireFile, run, tail, type RunResult } from "./support.js";

const CONFIG = {
  gpt: { seq: 128, width: 64, heads: 4 },
  vit: { batch: 1, image: 16, patch: 8, width: 16, heads: 2, classes: 4 },
};

const CELLS = [
  'import { autochunk as ac } from "@tessera/gpu";\n' +
    'import { readOnnxFile } from "@tessera/gpu/node";\n' +
    'import { readFileSync } from "node:fs";\n' +
    'const graph = readOnnxFile("gpt.onnx");\n' +
    "const budget = Math.floor(ac.estimateMemory(graph).peakBytes / 2);\n" +
    "const plan = await ac.autochunk(graph, { budget });\n" +
    "console.log(plan.regions.length > 0 ? `chunked into ${plan.regions.length} regions` : 'not chunked');",
  "const f32 = (file: string) => new Float32Array(new Uint8Array(readFileSync(file)).buffer);\n" +
    'const x = ac.tensor([1, 128, 64], f32("gpt.input.f32"));\n' +
    "const { outputs, peakBytes } = await plan.run({ x });\n" +
    'const reference = f32("gpt.output.f32");\n' +
    "let error = 0, scale = 0;\n" +
    "reference.forEach((r, i) => { error = Math.max(error, Math.abs(outputs[0]!.data[i]! - r)); scale = Math.max(scale, Math.abs(r)); });\n" +
    "console.log(JSON.stringify({ relativeError: error / scale, peakBytes, budget }));",
];

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
}

const joined = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join("") : (s ?? ""));

let folder: string;
let result: RunResult;
let executed: { cells: { outputs: Output[] }[] };

before(async () => {
  const python = path.join(VENV, "bin", "python");
  requireFile(python, "no .venv: run bash scripts/setup.sh --test");
  folder = await mkdtemp(path.join(os.tmpdir(), "tessera-onnx-notebook-"));
  const script = await readFile(path.join(REPO, "gpu/test/fixtures/onnx_export.py"), "utf8");
  const exported = await run(python, ["-c", script, folder, JSON.stringify(CONFIG)], {
    timeoutMs: 240_000,
  });
  assert.equal(exported.code, 0, tail(exported.output));
  // Raw float32 for the cells; the reference in float32 too (its error is far below the check).
  for (const name of ["gpt.input", "gpt.output"]) {
    const array = parseNpy(new Uint8Array(await readFile(path.join(folder, `${name}.npy`))));
    await writeFile(
      path.join(folder, `${name}.f32`),
      Float32Array.from(array.data as ArrayLike<number>),
    );
  }
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tessera", display_name: "TypeScript (Tessera)" } },
    cells: CELLS.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
  const source = path.join(folder, "onnx.ipynb");
  const target = path.join(folder, "onnx.executed.ipynb");
  await writeFile(source, JSON.stringify(notebook));
  result = await run(python, ["tests/run_notebook.py", source, target], { timeoutMs: 300_000 });
  executed = JSON.parse(await readFile(target, "utf8")) as typeof executed;
});

after(() => rm(folder, { recursive: true, force: true }));

const printed = (cell: number) =>
  executed.cells[cell]!.outputs.filter((o) => o.output_type === "stream")
    .map((o) => joined(o.text))
    .join("");

test("the cells import, plan and run the exported block without an error", () => {
  assert.equal(result.code, 0, tail(result.output));
  assert.match(printed(0), /^chunked into \d+ regions\n$/);
});

test("the chunked run in the cell matches PyTorch and stays within the budget", (t) => {
  const { relativeError, peakBytes, budget } = JSON.parse(printed(1)) as {
    relativeError: number;
    peakBytes: number;
    budget: number;
  };
  t.diagnostic(
    `relative error ${relativeError.toExponential(2)}, peak ${peakBytes} of ${budget} bytes`,
  );
  assert.ok(relativeError <= 1e-5, `relative error ${relativeError}`);
  assert.ok(peakBytes <= budget, `${peakBytes} > ${budget}`);
});
