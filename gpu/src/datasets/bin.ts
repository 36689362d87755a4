import { matrix, type Matrix } from "../common/matrix.js";
import {
  assertLittleEndianHost,
  bytesOf,
  copyBuffer,
  exactIntegers,
  float16ToFloat32,
  float32ToFloat16,
} from "./dtype.js";
import { FormatError } from "./format-error.js";
import { int32Table, type Int32Table } from "./table.js";

/*
 * cuvs-bench / big-ann-benchmarks binary files: a u32 row count n and a u32 dimension d,
 * then n·d values row-major. The extension names the element type.
 */

/** Element type of a cuvs-bench binary file. */
export type BinDType = "f32" | "f16" | "i32" | "u8" | "i8";

/** The vector element types (every one but i32, which holds ids). */
export type VectorBinDType = Exclude<BinDType, "i32">;

/** File extension of each element type, as cuvs-bench names them. */
export const BIN_EXTENSIONS: Readonly<Record<BinDType, string>> = Object.freeze({
  f32: ".fbin",
  f16: ".f16bin",
  i32: ".ibin",
  u8: ".u8bin",
  i8: ".i8bin",
});

const ELEMENT_SIZE: Readonly<Record<BinDType, number>> = { f32: 4, f16: 2, i32: 4, u8: 1, i8: 1 };

/**
 * The element type a cuvs-bench file name implies (`.fbin`, `.f16bin`, `.ibin`, `.u8bin`,
 * `.i8bin`), or undefined for any other name.
 *
 * @example
 * binDTypeOf("base.1B.u8bin"); // "u8"
 */
export function binDTypeOf(fileName: string): BinDType | undefined {
  const lower = fileName.toLowerCase();
  for (const [dtype, ext] of Object.entries(BIN_EXTENSIONS)) {
    if (lower.endsWith(ext)) return dtype as BinDType;
  }
  return undefined;
}

function parseBinBody(bytes: Uint8Array, dtype: BinDType) {
  assertLittleEndianHost(BIN_EXTENSIONS[dtype]);
  const format = BIN_EXTENSIONS[dtype];
  if (bytes.length < 8) {
    throw new FormatError(
      format,
      bytes.length,
      `the file holds ${bytes.length} bytes, fewer than the 8-byte header (u32 rows, u32 dim); it may be truncated`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = view.getUint32(0, true);
  const cols = view.getUint32(4, true);
  const size = ELEMENT_SIZE[dtype];
  const expected = rows * cols * size;
  if (bytes.length - 8 !== expected) {
    throw new FormatError(
      format,
      Math.min(bytes.length, 8 + expected),
      `the header declares ${rows} rows × ${cols} values of ${size} bytes = ${expected} bytes after ` +
        `the 8-byte header, but ${bytes.length - 8} follow; the file may be truncated, or its ` +
        `element type is not ${dtype} (check the extension)`,
    );
  }
  return { buffer: copyBuffer(bytes, 8, expected), rows, cols };
}

/**
 * Parses a cuvs-bench binary file of element type `dtype`: ids (`i32`) as an Int32Table,
 * vectors as an f32 Matrix (f16 decoded, i8/u8 exact).
 *
 * @example
 * const base = parseBin(bytes, "f32");
 * const gt = parseBin(gtBytes, "i32");
 */
export function parseBin(bytes: Uint8Array, dtype: "i32"): Int32Table;
export function parseBin(bytes: Uint8Array, dtype: VectorBinDType): Matrix;
export function parseBin(bytes: Uint8Array, dtype: BinDType): Matrix | Int32Table {
  const { buffer, rows, cols } = parseBinBody(bytes, dtype);
  switch (dtype) {
    case "i32":
      return int32Table(new Int32Array(buffer), rows, cols);
    case "f32":
      return matrix(new Float32Array(buffer), rows, cols);
    case "f16":
      return matrix(float16ToFloat32(new Uint16Array(buffer)), rows, cols);
    case "u8":
      return matrix(Float32Array.from(new Uint8Array(buffer)), rows, cols);
    case "i8":
      return matrix(Float32Array.from(new Int8Array(buffer)), rows, cols);
  }
}

/**
 * Encodes a table as a cuvs-bench binary file of element type `dtype`. Vectors stored as
 * i8/u8 must hold integers in range; f16 rounds to nearest even.
 *
 * @example
 * encodeBin(matrix(new Float32Array([1, 2]), 1, 2), "f32").length; // 16
 */
export function encodeBin(t: Int32Table, dtype: "i32"): Uint8Array;
export function encodeBin(m: Matrix, dtype: VectorBinDType): Uint8Array;
export function encodeBin(t: Matrix | Int32Table, dtype: BinDType): Uint8Array {
  assertLittleEndianHost("encodeBin");
  if (t.rows > 0xffffffff || t.cols > 0xffffffff) {
    throw new RangeError(`encodeBin: ${t.rows} × ${t.cols} does not fit the u32 header.`);
  }
  const what = `encodeBin(${dtype})`;
  let body: Uint8Array;
  if (dtype === "i32") {
    if (!(t.data instanceof Int32Array)) {
      throw new TypeError(`${what}: ids must be an Int32Table (Int32Array data).`);
    }
    body = bytesOf(t.data);
  } else {
    if (!(t.data instanceof Float32Array)) {
      throw new TypeError(`${what}: vectors must be a Matrix (Float32Array data).`);
    }
    if (dtype === "f32") body = bytesOf(t.data);
    else if (dtype === "f16") body = bytesOf(float32ToFloat16(t.data));
    else body = bytesOf(exactIntegers(t.data, dtype, what, t.cols));
  }
  const out = new Uint8Array(8 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, t.rows, true);
  view.setUint32(4, t.cols, true);
  out.set(body, 8);
  return out;
}
