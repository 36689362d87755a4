import type { Matrix } from "../../../common/matrix.js";
import type { StorageKind, VectorStorage } from "../../storage/vector-storage.js";
import type { Metric } from "../../types.js";

/*
 * How the search kernels hold the index's vectors on the device, for each storage kind
 * (storage/vector-storage.ts): the bytes uploaded, the WGSL that decodes a vec4 of a row, and
 * what the queries need so that distances are those searchCpu computes from the same storage
 * (wasm-distance.ts). Rows are zero-padded to dimV·4 values; every kind decodes to f32 first.
 * - f32: the floats, bound as array<vec4<f32>>.
 * - f16: the half bit patterns, bound as array<vec2<u32>>, decoded by unpack2x16float (core
 *   WGSL, so no shader-f16 feature is needed).
 * - int8: the codes, four to a u32 (column 4v in the low byte), then the per-column scales as
 *   dimV·4 floats at the end of the same buffer (no extra binding); the kernel copies the
 *   scales into workgroup memory and decodes code·scale, which is the value minus the column's
 *   offset. So an L2 query is uploaded as q − offset, and a dot product lacks Σ q·offset, a
 *   per-query constant added back on the host (searchCpu does the same).
 */

/** The WGSL element type of the dataset binding for each kind. */
const ELEMENT: Readonly<Record<StorageKind, string>> = {
  f32: "vec4<f32>",
  f16: "vec2<u32>",
  int8: "u32",
};

/**
 * The dataset binding's declaration for `kind`.
 *
 * @example
 * datasetBindingWgsl("f16"); // "var<storage, read> dataset: array<vec2<u32>>"
 */
export function datasetBindingWgsl(kind: StorageKind): string {
  return `var<storage, read> dataset: array<${ELEMENT[kind]}>`;
}

/**
 * WGSL for `kind`: `datasetVec4(base, v)`, vec4 v of the row starting at element `base`
 * (id · DIMV) as f32, and `loadRowScales(t)`, which every invocation t < WG calls once before
 * the first distance (a no-op except for int8). Needs DIMV, WG and the dataset binding.
 *
 * @example
 * const code = storedRowsWgsl("int8"); // datasetVec4, loadRowScales, the rowScale array
 */
export function storedRowsWgsl(kind: StorageKind): string {
  switch (kind) {
    case "f32":
      return /* wgsl */ `
fn datasetVec4(base: u32, v: u32) -> vec4<f32> { return dataset[base + v]; }
fn loadRowScales(t: u32) {}
`;
    case "f16":
      return /* wgsl */ `
fn datasetVec4(base: u32, v: u32) -> vec4<f32> {
  let w = dataset[base + v];
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}
fn loadRowScales(t: u32) {}
`;
    case "int8":
      return /* wgsl */ `
var<workgroup> rowScale: array<vec4<f32>, DIMV>;
// Sign-extends the four bytes of a word (column 4v in the low byte) and scales them.
fn datasetVec4(base: u32, v: u32) -> vec4<f32> {
  let w = vec4<i32>(bitcast<i32>(dataset[base + v]));
  return vec4<f32>((w << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u)) * rowScale[v];
}
// The scales follow the codes: the last 4·DIMV words of the buffer.
fn loadRowScales(t: u32) {
  let tail = arrayLength(&dataset) - 4u * DIMV;
  for (var v = t; v < DIMV; v += WG) {
    let at = tail + 4u * v;
    rowScale[v] = bitcast<vec4<f32>>(vec4<u32>(dataset[at], dataset[at + 1u], dataset[at + 2u], dataset[at + 3u]));
  }
}
`;
  }
}

/** Workgroup bytes the decoding of `kind` declares (int8: the scales). */
export function storedRowsWorkgroupBytes(kind: StorageKind, dimV: number): number {
  return kind === "int8" ? dimV * 16 : 0;
}

/**
 * The bytes to upload for `s`, rows padded to `dimV`·4 values (and, for int8, the scales after
 * them), in the layout storedRowsWgsl reads: a view of `s.data` when that is already the layout.
 *
 * @example
 * uploadBuffer(gpu, deviceRows(encodeVectors(dataset, "f16"), 32), "search dataset", "search-index");
 */
export function deviceRows(s: VectorStorage, dimV: number): Uint8Array {
  const width = dimV * 4;
  const bytes = { f32: 4, f16: 2, int8: 1 }[s.kind];
  const rowBytes = width * bytes;
  const tail = s.kind === "int8" ? width * 4 : 0;
  const data = new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  const used = s.cols * bytes;
  // Rows already whole vec4s, and no scales to append: upload the array itself, uncopied.
  if (used === rowBytes && tail === 0) return data;
  const out = new Uint8Array(s.rows * rowBytes + tail);
  if (used === rowBytes) out.set(data);
  else {
    for (let r = 0; r < s.rows; r++) {
      out.set(data.subarray(r * used, (r + 1) * used), r * rowBytes);
    }
  }
  if (s.kind === "int8") {
    const scales = new Float32Array(width);
    scales.set(s.scale);
    out.set(new Uint8Array(scales.buffer), s.rows * rowBytes);
  }
  return out;
}

/** Queries as the kernels read them, and what to add back to each query's internal distances. */
export interface DeviceQueries {
  /** [rows, dimV·4], zero-padded. */
  readonly data: Float32Array;
  /** Per query, subtracted from internal distances on the host (int8 dot products), else undefined. */
  readonly shift: Float64Array | undefined;
}

/**
 * `queries` (prepared for `metric`) as the kernels need them for `s` (undefined: the f32
 * dataset): padded to `dimV`·4 values; for int8, L2 queries less the column offsets and, for
 * dot products, each query's Σ q·offset.
 *
 * @example
 * const { data, shift } = deviceQueries(prepareForMetric(queries, metric), index.storage, metric, launch.dimV);
 */
export function deviceQueries(
  queries: Matrix,
  s: VectorStorage | undefined,
  metric: Metric,
  dimV: number,
): DeviceQueries {
  const width = dimV * 4;
  const { rows, cols } = queries;
  const data = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    data.set(queries.data.subarray(r * cols, (r + 1) * cols), r * width);
  }
  if (s?.kind !== "int8") return { data, shift: undefined };
  if (metric === "sqeuclidean") {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++)
        data[r * width + c] = queries.data[r * cols + c]! - s.offset[c]!;
    }
    return { data, shift: undefined };
  }
  const shift = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += queries.data[r * cols + c]! * s.offset[c]!;
    shift[r] = sum;
  }
  return { data, shift };
}
