import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execute, materializeParam } from "../src/autochunk/internal.js";
import type { Tensor } from "../src/autochunk/internal.js";
import type { Model } from "../src/autochunk/models/index.js";
import type { NpyArray } from "../src/datasets/npy.js";
import { encodeNpy, npyArray, parseNpy } from "../src/datasets/npy.js";
import { HAS_PYTHON, runPython } from "./python.js";

/*
 * Test support: runs an AutoChunk model both on the CPU executor and as the PyTorch reference
 * in fixtures/autochunk_reference.py, with the same weights and inputs, and measures how far
 * apart the outputs are.
 */

const SCRIPT = fileURLToPath(new URL("./fixtures/autochunk_reference.py", import.meta.url));
const VENV_LIB = fileURLToPath(new URL("../../.venv/lib", import.meta.url));

/** Why the PyTorch comparison cannot run here (a skip reason), or false when it can. */
export const TORCH_MISSING: string | false = (() => {
  if (!HAS_PYTHON) return "no .venv/bin/python (run scripts/setup.sh --test)";
  let versions: string[] = [];
  try {
    versions = readdirSync(VENV_LIB);
  } catch {
    // no lib folder: torch is missing, reported below
  }
  return versions.some((v) => {
    try {
      return readdirSync(join(VENV_LIB, v, "site-packages")).includes("torch");
    } catch {
      return false;
    }
  })
    ? false
    : "PyTorch is not installed in .venv (run scripts/setup.sh --test)";
})();

/** How one output of the graph compares with the reference's. */
export interface Comparison {
  readonly shape: readonly number[];
  /** max |ours − reference| over the elements. */
  readonly maxAbsError: number;
  /** max |reference|. */
  readonly maxAbsReference: number;
  /** maxAbsError / maxAbsReference. */
  readonly relativeError: number;
  /** ‖ours − reference‖₂ / ‖reference‖₂. */
  readonly rmsRelativeError: number;
}

/**
 * The relative error (max |error| / max |output|, and the same in the 2-norm) a float32 run may
 * show against the float64 reference. Reached at the test sizes with the wasm kernels
 * (docs/autochunk-executors.md): 2.4–8.4e-7 max, 1.8–6.7e-7 in the 2-norm, a few float32
 * roundings (2^-24 ≈ 6e-8) of the largest output; the tolerance leaves over 2× for kernels
 * that sum in another order.
 */
export const PARITY_TOLERANCE = 2e-6;

/** Asserts that `out` is a non-trivial output within PARITY_TOLERANCE of the reference. */
export function assertParity(what: string, out: Comparison): void {
  assert.ok(out.maxAbsReference > 0.5, `${what} is not trivial (${out.maxAbsReference})`);
  assert.ok(
    out.relativeError <= PARITY_TOLERANCE && out.rmsRelativeError <= PARITY_TOLERANCE,
    `${what}: relative error ${out.relativeError} (max), ${out.rmsRelativeError} (2-norm); ` +
      `tolerance ${PARITY_TOLERANCE}`,
  );
}

function toNpy(data: Float32Array | Int32Array, shape: readonly number[]): NpyArray {
  return data instanceof Int32Array ? npyArray("<i4", shape, data) : npyArray("<f4", shape, data);
}

function writeNpy(path: string, data: Float32Array | Int32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(toNpy(data, shape)));
}

/**
 * Runs `model` on the CPU executor and as `reference` (the script's model name) in PyTorch
 * (float64), feeding both the graph's parameters and `model.makeInputs()`, and compares each
 * output.
 *
 * @example
 * const [out] = await compareWithTorch(gptPrefill({ seq: 32, nEmbd: 64, nHead: 4 }), "gpt");
 */
export async function compareWithTorch(
  model: Model<object>,
  reference: "gpt" | "vit" | "evoformer" | "unet",
): Promise<Comparison[]> {
  const dir = mkdtempSync(join(tmpdir(), `autochunk-${reference}-`));
  try {
    mkdirSync(join(dir, "params"));
    mkdirSync(join(dir, "inputs"));
    for (const node of model.graph.nodes) {
      if (node.op !== "param") continue;
      const data = materializeParam(node.attrs.init, node.shape, node.dtype);
      writeNpy(join(dir, "params", `${node.name}.npy`), data, node.shape);
    }
    const inputs = model.makeInputs();
    for (const [name, t] of Object.entries(inputs)) {
      writeNpy(join(dir, "inputs", `${name}.npy`), t.data, t.shape);
    }
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ model: reference, config: model.config }),
    );
    runPython(readFileSync(SCRIPT, "utf8"), [dir]);
    const { outputs } = await execute(model.graph, inputs);
    return outputs.map((ours, k) =>
      // A plain Uint8Array: parseNpy misreads a pooled Node Buffer (Buffer.slice is a view).
      compare(ours, parseNpy(new Uint8Array(readFileSync(join(dir, "outputs", `${k}.npy`))))),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(ours: Tensor, reference: NpyArray): Comparison {
  if (ours.shape.join() !== reference.shape.join()) {
    throw new RangeError(
      `compareWithTorch: output shape [${ours.shape.join(", ")}] differs from the reference's ` +
        `[${reference.shape.join(", ")}]`,
    );
  }
  const ref = reference.data as Float64Array;
  let maxAbsError = 0;
  let maxAbsReference = 0;
  let squaredError = 0;
  let squaredReference = 0;
  for (let i = 0; i < ref.length; i++) {
    const error = ours.data[i]! - ref[i]!;
    maxAbsError = Math.max(maxAbsError, Math.abs(error));
    maxAbsReference = Math.max(maxAbsReference, Math.abs(ref[i]!));
    squaredError += error * error;
    squaredReference += ref[i]! * ref[i]!;
  }
  return {
    shape: ours.shape,
    maxAbsError,
    maxAbsReference,
    relativeError: maxAbsError / maxAbsReference,
    rmsRelativeError: Math.sqrt(squaredError / squaredReference),
  };
}
