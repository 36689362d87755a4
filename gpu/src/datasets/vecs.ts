import { matrix, type Matrix } from "../common/matrix.js";
import { assertLittleEndianHost, bytesOf, exactIntegers } from "./dtype.js";
import { FormatError } from "./format-error.js";
import { int32Table, type Int32Table } from "./table.js";

/*
 * TEXMEX formats (corpus-texmex.irisa.fr, the SIFT/GIST files): each record is a little-endian
 * i32 dimension d followed by d values: f32 in .fvecs, i32 in .ivecs, u8 in .bvecs.
 */

interface Records {
  /** The values of all records, back to back, without the dimension words. */
  readonly values: Uint8Array;
  readonly rows: number;
  readonly cols: number;
}

function parseRecords(bytes: Uint8Array, elementSize: number, format: string): Records {
  assertLittleEndianHost(format);
  if (bytes.length === 0) return { values: new Uint8Array(0), rows: 0, cols: 0 };
  if (bytes.length < 4) {
    throw new FormatError(
      format,
      0,
      `the file holds ${bytes.length} bytes, fewer than one record's 4-byte dimension; it may be truncated`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cols = view.getInt32(0, true);
  if (cols < 1) {
    throw new FormatError(format, 0, `the first record declares dimension ${cols}; it must be ≥ 1`);
  }
  const recordSize = 4 + cols * elementSize;
  const rowBytes = cols * elementSize;
  const rows = Math.floor(bytes.length / recordSize);
  const values = new Uint8Array(rows * rowBytes);
  const sizeNote =
    `the file size ${bytes.length} is not a whole number of records of 4 + ${cols}·${elementSize} ` +
    `= ${recordSize} bytes (dimension ${cols}, from the first record); the file may be truncated`;
  for (let r = 0, at = 0; at < bytes.length; r++, at += recordSize) {
    if (at + 4 > bytes.length) {
      throw new FormatError(format, at, `record ${r} is cut short in its dimension: ${sizeNote}`);
    }
    const d = view.getInt32(at, true);
    if (d !== cols) {
      throw new FormatError(
        format,
        at,
        `record ${r} declares dimension ${d}, but the first record declares ${cols}; ` +
          `records must all have the same dimension (or this is not a ${format} file)`,
      );
    }
    if (at + recordSize > bytes.length) {
      throw new FormatError(
        format,
        at,
        `record ${r} needs ${recordSize} bytes, but only ${bytes.length - at} remain: ${sizeNote}`,
      );
    }
    values.set(bytes.subarray(at + 4, at + recordSize), r * rowBytes);
  }
  return { values, rows, cols };
}

function encodeRecords(values: Uint8Array, rows: number, cols: number, elementSize: number) {
  assertLittleEndianHost("encode vecs");
  const recordSize = 4 + cols * elementSize;
  const out = new Uint8Array(rows * recordSize);
  const view = new DataView(out.buffer);
  const rowBytes = cols * elementSize;
  for (let r = 0; r < rows; r++) {
    view.setInt32(r * recordSize, cols, true);
    out.set(values.subarray(r * rowBytes, (r + 1) * rowBytes), r * recordSize + 4);
  }
  return out;
}

function assertEncodable(rows: number, cols: number, what: string): void {
  if (rows > 0 && cols < 1) {
    throw new RangeError(`${what}: a record needs dimension ≥ 1, got ${rows} rows × ${cols}.`);
  }
}

/**
 * Parses an .fvecs file (f32 vectors).
 *
 * @example
 * const base = parseFvecs(new Uint8Array(await (await fetch("sift_base.fvecs")).arrayBuffer()));
 */
export function parseFvecs(bytes: Uint8Array): Matrix {
  const r = parseRecords(bytes, 4, ".fvecs");
  return matrix(new Float32Array(r.values.buffer), r.rows, r.cols);
}

/**
 * Parses an .ivecs file (i32 rows, e.g. ground-truth ids).
 *
 * @example
 * const gt = parseIvecs(bytes); // gt.rows queries × gt.cols neighbours
 */
export function parseIvecs(bytes: Uint8Array): Int32Table {
  const r = parseRecords(bytes, 4, ".ivecs");
  return int32Table(new Int32Array(r.values.buffer), r.rows, r.cols);
}

/**
 * Parses a .bvecs file (u8 vectors), returning the values as f32 (exact).
 *
 * @example
 * const base = parseBvecs(bytes); // bigann_base.bvecs
 */
export function parseBvecs(bytes: Uint8Array): Matrix {
  const r = parseRecords(bytes, 1, ".bvecs");
  return matrix(Float32Array.from(r.values), r.rows, r.cols);
}

/**
 * Encodes `m` as .fvecs bytes.
 *
 * @example
 * encodeFvecs(matrix(new Float32Array([1, 2]), 1, 2)).length; // 12
 */
export function encodeFvecs(m: Matrix): Uint8Array {
  assertEncodable(m.rows, m.cols, "encodeFvecs");
  return encodeRecords(bytesOf(m.data), m.rows, m.cols, 4);
}

/**
 * Encodes `t` as .ivecs bytes.
 *
 * @example
 * encodeIvecs(int32Table(new Int32Array([7]), 1, 1)).length; // 8
 */
export function encodeIvecs(t: Int32Table): Uint8Array {
  assertEncodable(t.rows, t.cols, "encodeIvecs");
  return encodeRecords(bytesOf(t.data), t.rows, t.cols, 4);
}

/**
 * Encodes `m` as .bvecs bytes; every value must be an integer in [0, 255].
 *
 * @example
 * encodeBvecs(matrix(new Float32Array([0, 255]), 1, 2)).length; // 6
 */
export function encodeBvecs(m: Matrix): Uint8Array {
  assertEncodable(m.rows, m.cols, "encodeBvecs");
  return encodeRecords(exactIntegers(m.data, "u8", "encodeBvecs", m.cols), m.rows, m.cols, 1);
}
