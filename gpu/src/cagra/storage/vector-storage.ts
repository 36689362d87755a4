/*
 * How a search holds the dataset's vectors: f32 as given, f16 (half the bytes) or int8 (a
 * quarter, plus two f32 per dimension). Rows are row-major and unpadded; a backend pads them
 * as its kernels need. Every kind decodes to f32 before arithmetic, so distances are always
 * summed in f32.
 *
 * int8 is per-dimension scalar quantization: value[r, c] ≈ offset[c] + scale[c] · code[r, c]
 * with codes in [−127, 127], the column's range mapped onto them (faiss's ScalarQuantizer
 * QT_8bit does the same per dimension, with unsigned codes). A column of integers spanning at
 * most 254 (SIFT's and BIGANN's bytes, for one) keeps its values exactly: scale 1 and an
 * integer offset, so such a dataset loses nothing, and the CPU search can then sum its squared
 * distances in integers (search/wasm/assembly/distance.ts).
 */
import { matrix, type Matrix } from "../../common/matrix.js";
import { float16ToFloat32, float32ToFloat16 } from "../../datasets/dtype.js";
import type { Metric } from "../types.js";

/** The storage kinds. */
export type StorageKind = "f32" | "f16" | "int8";

/** The kinds, for validation and documentation. */
export const STORAGE_KINDS: readonly StorageKind[] = ["f32", "f16", "int8"];

interface Shape {
  readonly rows: number;
  readonly cols: number;
}

/**
 * `rows` vectors of `cols` values, row-major, in one of three encodings:
 * - `f32`: the values themselves;
 * - `f16`: IEEE half-precision bit patterns (round to nearest even);
 * - `int8`: codes with a per-column `scale` and `offset` (value ≈ offset[c] + scale[c]·code).
 */
export type VectorStorage =
  | (Shape & { readonly kind: "f32"; readonly data: Float32Array })
  | (Shape & { readonly kind: "f16"; readonly data: Uint16Array })
  | (Shape & {
      readonly kind: "int8";
      readonly data: Int8Array;
      /** [cols] step between adjacent codes of each column (0 for a constant column). */
      readonly scale: Float32Array;
      /** [cols] the value code 0 stands for in each column. */
      readonly offset: Float32Array;
    });

const INT8_MAX = 127;

/**
 * `m`'s rows encoded as `kind`. f32 wraps `m.data` without copying; f16 and int8 are lossy
 * (see decodeVectors for the values a search then sees).
 *
 * @example
 * const s = encodeVectors(dataset, "f16");
 * s.data.byteLength; // dataset.data.byteLength / 2
 */
export function encodeVectors(m: Matrix, kind: StorageKind): VectorStorage {
  const { rows, cols } = m;
  switch (kind) {
    case "f32":
      return { kind, rows, cols, data: m.data };
    case "f16":
      return { kind, rows, cols, data: float32ToFloat16(m.data) };
    case "int8":
      return encodeInt8(m);
    default:
      throw new RangeError(
        `encodeVectors: kind must be one of ${STORAGE_KINDS.join(", ")}, got ${String(kind)}.`,
      );
  }
}

function encodeInt8(m: Matrix): Extract<VectorStorage, { kind: "int8" }> {
  const { rows, cols, data } = m;
  const min = new Float32Array(cols).fill(Infinity);
  const max = new Float32Array(cols).fill(-Infinity);
  const integral = new Array<boolean>(cols).fill(true);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]!;
      if (!Number.isFinite(v)) {
        throw new RangeError(
          `encodeVectors: row ${r}, column ${c} is ${v}; int8 storage needs finite values.`,
        );
      }
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
      if (!Number.isInteger(v)) integral[c] = false;
    }
  }
  const scale = new Float32Array(cols);
  const offset = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    if (rows === 0) continue;
    if (integral[c] && max[c]! - min[c]! <= 2 * INT8_MAX) {
      offset[c] = Math.floor((min[c]! + max[c]!) / 2);
      scale[c] = 1;
    } else {
      offset[c] = (min[c]! + max[c]!) / 2;
      scale[c] = (max[c]! - min[c]!) / (2 * INT8_MAX);
    }
  }
  const codes = new Int8Array(rows * cols);
  for (let i = 0; i < codes.length; i++) {
    const c = i % cols;
    const s = scale[c]!;
    const q = s === 0 ? 0 : Math.round((data[i]! - offset[c]!) / s);
    codes[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, q));
  }
  return { kind: "int8", rows, cols, data: codes, scale, offset };
}

/**
 * The storage a search reads when the index sets none: under squared L2, a dataset whose values
 * are all integers with every column spanning at most 254 (SIFT's and BIGANN's bytes) is read as
 * exact int8, a quarter of the bytes, its distances summed in integers and equal to the f32
 * path's to the bit (search/wasm/assembly/distance.ts, search/webgpu/stored-rows.ts); anything
 * else, undefined (the f32 dataset). Not under the dot-product metrics, whose int8 sums take the
 * column offsets out separately and so round differently from f32.
 *
 * @example
 * defaultStorage(siftBase, "sqeuclidean")?.kind; // "int8"
 * defaultStorage(embeddings, "sqeuclidean"); // undefined: not integers
 */
export function defaultStorage(m: Matrix, metric: Metric): VectorStorage | undefined {
  if (metric !== "sqeuclidean" || m.rows === 0) return undefined;
  // Float data fail on their first value, so most datasets cost nothing here.
  for (const v of m.data) if (!Number.isInteger(v)) return undefined;
  const s = encodeInt8(m);
  return s.scale.every((x) => x === 1) ? s : undefined;
}

/**
 * The f32 values a search sees for `s`: the data itself for f32 (no copy), decoded otherwise.
 *
 * @example
 * decodeVectors(encodeVectors(m, "f16")).data; // m's values rounded to half precision
 */
export function decodeVectors(s: VectorStorage): Matrix {
  switch (s.kind) {
    case "f32":
      return matrix(s.data, s.rows, s.cols);
    case "f16":
      return matrix(float16ToFloat32(s.data), s.rows, s.cols);
    case "int8": {
      const out = new Float32Array(s.data.length);
      for (let i = 0; i < out.length; i++) {
        const c = i % s.cols;
        out[i] = s.offset[c]! + s.scale[c]! * s.data[i]!;
      }
      return matrix(out, s.rows, s.cols);
    }
  }
}

/**
 * Bytes `s` occupies: the vectors plus, for int8, its per-column scale and offset.
 *
 * @example
 * storageBytes(encodeVectors(m, "int8")); // m.rows · m.cols + 8 · m.cols
 */
export function storageBytes(s: VectorStorage): number {
  return s.data.byteLength + (s.kind === "int8" ? s.scale.byteLength + s.offset.byteLength : 0);
}
