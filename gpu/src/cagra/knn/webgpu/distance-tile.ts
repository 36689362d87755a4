import type { WebGpuBackend } from "../../../device/backend.js";
import { paramBlock } from "../../../device/webgpu/param-block.js";
import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { Metric } from "../../types.js";

/*
 * A tile of internal distances between up to `rows` query rows and `cols` dataset rows. Each
 * 16×16 workgroup covers 64 × 64 (query, row) pairs, each invocation a 4×4 register block of
 * pairs held as vec4s over 4 dimensions (rows are zero-padded to a multiple of 4 floats).
 * Two ways to feed the block:
 * - "tiled", for GPUs: as in a GEMM, the workgroup stages 64 query rows and 64 dataset rows of
 *   a 16-float slice of the dimension in workgroup memory (10 KiB with a padded pitch that
 *   keeps reads free of bank conflicts, under the default 16 KiB), so global loads coalesce and
 *   each value is read from device memory once per workgroup rather than 16 times.
 * - "streaming", for CPU adapters (SwiftShader): each invocation loads its rows straight from
 *   the storage buffers, with no barriers. SwiftShader runs a workgroup's invocations as
 *   coroutines that switch at every barrier; there the tiled kernel measured 3–8× slower
 *   (1024 × 1024 × 128 on 2 busy cores: about 1.7 s tiled, 0.2 s streaming).
 *
 * Squared L2 sums (q − x)² directly rather than ‖q‖² + ‖x‖² − 2q·x: one more ALU op per
 * element, but no cancellation, so near neighbours keep their order, self-distances are
 * exactly 0, and integer-valued data (SIFT) gets exact distances.
 */

/** How the kernel feeds its register blocks (see above). */
export type DistanceKernelVariant = "tiled" | "streaming";

/** "streaming" on a CPU implementation of WebGPU (SwiftShader), "tiled" on GPUs. */
export function preferredDistanceKernel(backend: WebGpuBackend): DistanceKernelVariant {
  return backend.adapter.architecture === "swiftshader" ? "streaming" : "tiled";
}

/** Query rows and dataset rows one workgroup covers. */
export const DISTANCE_TILE = 64;

/** The kernel's uniform parameters (see DistanceTileParams). */
export const DISTANCE_PARAMS = paramBlock("Params", {
  rows: "u32",
  cols: "u32",
  dimV: "u32",
  colBase: "u32",
  stride: "u32",
});

/** Where one dispatch reads and writes, in elements. */
export interface DistanceTileParams {
  /** Query rows in the query buffer (the tile's height). */
  readonly rows: number;
  /** Dataset rows of this tile (its width). */
  readonly cols: number;
  /** vec4s per row: rows are padded with zeros to a multiple of 4 floats. */
  readonly dimV: number;
  /** The tile's first row within the bound dataset buffer. */
  readonly colBase: number;
  /** Row stride of the output tile. */
  readonly stride: number;
}

/** The uniform buffer contents for `p`. */
export function distanceTileParams(p: DistanceTileParams): Uint8Array {
  return DISTANCE_PARAMS.pack(p);
}

/** How each metric accumulates a vec4 of products and turns the sum into a distance. */
const METRIC_WGSL: Readonly<Record<Metric, { accumulate: string; finish: string }>> = {
  sqeuclidean: { accumulate: "let d = a - b; return acc + d * d;", finish: "return s;" },
  inner_product: { accumulate: "return acc + a * b;", finish: "return -s;" },
  // Rows are unit vectors (prepareForMetric), so 1 − dot is 1 − cos.
  cosine: { accumulate: "return acc + a * b;", finish: "return 1.0 - s;" },
};

/**
 * The distance-tile kernel for `metric`: out[q * stride + c] = distance(query q, dataset row
 * colBase + c) for q < rows, c < cols. Dispatch ⌈cols/64⌉ × ⌈rows/64⌉ workgroups with bindings
 * (queries [rows, 4·dimV], dataset [·, 4·dimV], out, params); both variants take the same.
 *
 * @example
 * const pipeline = await pipelineFor(gpu, distanceTileKernel("sqeuclidean", "tiled"));
 */
export function distanceTileKernel(metric: Metric, variant: DistanceKernelVariant): KernelSource {
  const { accumulate, finish } = METRIC_WGSL[metric];
  return {
    key: `cagra/knn/distance-tile:${metric}:${variant}`,
    code: common(accumulate, finish) + (variant === "tiled" ? TILED : STREAMING),
  };
}

// The 4×4 register block, unrolled so the accumulators stay in registers: query row i of the
// thread's four (16 apart) against dataset row j.
const BLOCK = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => [i, j] as const));
const declareBlock = BLOCK.map(([i, j]) => `var acc${i}${j} = vec4<f32>();`).join("\n  ");
const updateBlock = BLOCK.map(([i, j]) => `acc${i}${j} = accumulate(acc${i}${j}, a${i}, b${j});`);
const storeBlock = BLOCK.map(
  ([i, j]) => `store(row0 + lid.y + ${16 * i}u, col0 + lid.x + ${16 * j}u, acc${i}${j});`,
).join("\n  ");
const four = (line: (i: number) => string, indent: string) =>
  [0, 1, 2, 3].map(line).join(`\n${indent}`);

const common = (accumulate: string, finish: string) => /* wgsl */ `
const T: u32 = ${DISTANCE_TILE}u;

${DISTANCE_PARAMS.wgsl}
@group(0) @binding(0) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn accumulate(acc: vec4<f32>, a: vec4<f32>, b: vec4<f32>) -> vec4<f32> { ${accumulate} }

fn store(q: u32, c: u32, acc: vec4<f32>) {
  if (q < p.rows && c < p.cols) {
    let s = (acc.x + acc.y) + (acc.z + acc.w);
    out[q * p.stride + c] = finish(s);
  }
}

fn finish(s: f32) -> f32 { ${finish} }
`;

const TILED = /* wgsl */ `
const KV: u32 = 4u; // vec4s of the dimension per stage (16 floats)
const PITCH: u32 = 5u; // KV + 1: 16 threads reading 16 rows' vec4s hit distinct banks

var<workgroup> qs: array<vec4<f32>, T * PITCH>;
var<workgroup> xs: array<vec4<f32>, T * PITCH>;

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let row0 = wid.y * T;
  let col0 = wid.x * T;
  // Each thread stages one vec4 of each side per stage; out-of-range ones are 0, which adds
  // nothing to a sum of squares or a dot product.
  let rr = li / KV;
  let kv = li % KV;
  ${declareBlock}
  for (var k0 = 0u; k0 < p.dimV; k0 += KV) {
    let k = k0 + kv;
    var a = vec4<f32>();
    if (row0 + rr < p.rows && k < p.dimV) { a = queries[(row0 + rr) * p.dimV + k]; }
    qs[rr * PITCH + kv] = a;
    var b = vec4<f32>();
    if (col0 + rr < p.cols && k < p.dimV) { b = data[(p.colBase + col0 + rr) * p.dimV + k]; }
    xs[rr * PITCH + kv] = b;
    workgroupBarrier();
    for (var v = 0u; v < KV; v++) {
      ${four((i) => `let a${i} = qs[(lid.y + ${16 * i}u) * PITCH + v];`, "      ")}
      ${four((j) => `let b${j} = xs[(lid.x + ${16 * j}u) * PITCH + v];`, "      ")}
      ${updateBlock.join("\n      ")}
    }
    workgroupBarrier();
  }
  ${storeBlock}
}
`;

const STREAMING = /* wgsl */ `
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * T;
  let col0 = wid.x * T;
  // Rows past the end repeat the last one; store() drops their results.
  ${four((i) => `let q${i} = min(row0 + lid.y + ${16 * i}u, p.rows - 1u) * p.dimV;`, "  ")}
  ${four((j) => `let x${j} = (p.colBase + min(col0 + lid.x + ${16 * j}u, p.cols - 1u)) * p.dimV;`, "  ")}
  ${declareBlock}
  for (var v = 0u; v < p.dimV; v++) {
    ${four((i) => `let a${i} = queries[q${i} + v];`, "    ")}
    ${four((j) => `let b${j} = data[x${j} + v];`, "    ")}
    ${updateBlock.join("\n    ")}
  }
  ${storeBlock}
}
`;
