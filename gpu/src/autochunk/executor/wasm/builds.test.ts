import assert from "node:assert/strict";
import { test } from "node:test";
import { compileWasmBuilds, type WasmBuildName } from "../../../cpu/node-builtin.js";
import { createSharedMemory, instantiateWithMemory } from "../../../cpu/wasm-instance.js";
import { seededRandom } from "../../../common/random.js";
import { gelu } from "../kernels/elementwise.js";
import { gemm } from "../kernels/gemm.js";
import { KERNEL_BUILDS, kernelBuild, type WasmKernels } from "./runtime.js";

/** One build's kernels over a memory of its own, with a bump allocator for f32 arrays. */
function kernelsOf(build: WasmBuildName) {
  const previous = process.env.TESSERA_WASM_BUILD;
  process.env.TESSERA_WASM_BUILD = build === "simd" ? "simd" : "";
  try {
    const loaded = compileWasmBuilds(KERNEL_BUILDS, "AutoChunk CPU kernels", "needs Node");
    assert.equal(loaded.build, build, `${build} was asked for`);
    const memory = createSharedMemory(16, 65536);
    memory.grow(512);
    const kernels = instantiateWithMemory(loaded.module, memory) as unknown as WasmKernels;
    let top = 1024;
    const put = (values: Float32Array): number => {
      const at = top;
      new Float32Array(memory.buffer, at, values.length).set(values);
      top += Math.ceil((values.length * 4) / 64) * 64;
      return at;
    };
    const read = (at: number, length: number) => new Float32Array(memory.buffer, at, length);
    return { kernels, put, read };
  } finally {
    if (previous === undefined) delete process.env.TESSERA_WASM_BUILD;
    else process.env.TESSERA_WASM_BUILD = previous;
  }
}

function worstRelativeError(ours: Float32Array, reference: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const err = Math.abs(ours[i]! - reference[i]!) / Math.max(1, Math.abs(reference[i]!));
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

test("the runtime runs the relaxed-SIMD build where Node has relaxed SIMD (Node 20 behind its flag)", () => {
  assert.equal(kernelBuild(), "relaxedSimd");
});

test("both builds of the kernels match the references: gemm off the tile edges, GELU, softmax", () => {
  const rand = seededRandom(31);
  const random = (n: number) => new Float32Array(n).map(() => 2 * rand() - 1);
  for (const build of ["simd", "relaxedSimd"] as const) {
    const { kernels, put, read } = kernelsOf(build);
    const pack = put(
      new Float32Array(
        (kernels as unknown as { GEMM_SCRATCH_BYTES: { value: number } }).GEMM_SCRATCH_BYTES.value /
          4,
      ),
    );
    for (const [m, n, k] of [
      [5, 9, 3],
      [13, 33, 600],
      [64, 260, 257],
    ] as const) {
      const a = random(m * k);
      const b = random(k * n);
      const c = put(new Float32Array(m * n).fill(NaN));
      kernels.gemm(put(a), k, put(b), n, c, n, m, n, k, 0, pack);
      const reference = new Float32Array(m * n);
      gemm(a, 0, b, 0, reference, 0, m, n, k);
      const err = worstRelativeError(read(c, m * n), reference);
      assert.ok(err <= 1e-5, `${build} gemm ${m}×${n}×${k}: worst relative error ${err}`);
    }
    const x = random(4099).map((v) => 6 * v);
    const out = put(new Float32Array(x.length));
    kernels.geluRange(put(x), out, 0, x.length);
    const geluErr = worstRelativeError(read(out, x.length), x.map(gelu));
    assert.ok(geluErr <= 1e-6, `${build} GELU: worst relative error ${geluErr}`);
    const width = 37;
    const rows = 9;
    kernels.softmaxRows(put(x.subarray(0, width * rows)), out, width, 0, rows);
    const softmax = Array.from(x.subarray(0, width * rows), (_, i) => {
      const row = x.subarray(Math.floor(i / width) * width, Math.floor(i / width) * width + width);
      const max = Math.max(...row);
      return Math.exp(x[i]! - max) / row.reduce((s, v) => s + Math.exp(v - max), 0);
    });
    const softmaxErr = worstRelativeError(read(out, width * rows), softmax);
    assert.ok(softmaxErr <= 1e-6, `${build} softmax: worst relative error ${softmaxErr}`);
  }
});
