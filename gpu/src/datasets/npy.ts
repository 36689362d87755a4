import { matrix, type Matrix } from "../common/matrix.js";
import {
  assertLittleEndianHost,
  bytesOf,
  copyBuffer,
  exactIntegers,
  float16ToFloat32,
  float32ToFloat16,
} from "./dtype.js";
import { FormatError, hexBytes } from "./format-error.js";
import { int32Table, type Int32Table } from "./table.js";

/*
 * NumPy's .npy format (numpy.lib.format): "\x93NUMPY", a version (1.0, 2.0 or 3.0), the header
 * length (u16 in 1.0, u32 after), a Python dict literal {'descr', 'fortran_order', 'shape'}
 * padded with spaces and a final "\n" so the data starts on a 64-byte boundary, then the values.
 *
 * Two writers are reproduced byte for byte:
 * - "numpy": np.save / numpy.lib.format.write_array (keys followed by ", ", a trailing ", }",
 *   and spare spaces after the dict so the first axis can grow in place);
 * - "raft": RAFT's mdspan_numpy_serializer, which cuVS uses for every scalar and array of its
 *   index files: "{'descr': '<u4', 'fortran_order': False, 'shape': (3, 4)}", no spare spaces,
 *   and half precision written as '<e2' (a descr numpy itself rejects).
 * Both write version 1.0; the reader takes 1.0, 2.0 and 3.0.
 */

/** The element types supported, as numpy spells them (little-endian). */
export type NpyDescr =
  "<f2" | "<f4" | "<f8" | "|i1" | "|u1" | "<i2" | "<u2" | "<i4" | "<u4" | "<i8" | "<u8";

/** The array type holding each element type; `<f2` holds raw half-precision bit patterns. */
export interface NpyDataTypes {
  "<f2": Uint16Array;
  "<f4": Float32Array;
  "<f8": Float64Array;
  "|i1": Int8Array;
  "|u1": Uint8Array;
  "<i2": Int16Array;
  "<u2": Uint16Array;
  "<i4": Int32Array;
  "<u4": Uint32Array;
  "<i8": BigInt64Array;
  "<u8": BigUint64Array;
}

/** A C-order (row-major) n-d array with its numpy element type; shape [] is a 0-d scalar. */
export interface NpyArray<D extends NpyDescr = NpyDescr> {
  readonly descr: D;
  readonly shape: readonly number[];
  readonly data: NpyDataTypes[D];
}

/** Whose header layout `encodeNpy` reproduces (see the module comment). */
export type NpyHeaderStyle = "numpy" | "raft";

const DATA_ARRAYS = {
  "<f2": Uint16Array,
  "<f4": Float32Array,
  "<f8": Float64Array,
  "|i1": Int8Array,
  "|u1": Uint8Array,
  "<i2": Int16Array,
  "<u2": Uint16Array,
  "<i4": Int32Array,
  "<u4": Uint32Array,
  "<i8": BigInt64Array,
  "<u8": BigUint64Array,
} as const;

/** Descrs other writers use for a supported type: RAFT writes half precision as '<e2'. */
const DESCR_ALIASES: Readonly<Record<string, NpyDescr>> = { "<e2": "<f2" };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
/** numpy's GROWTH_AXIS_MAX_DIGITS: room left in the header for the growing axis' length. */
const GROWTH_AXIS_MAX_DIGITS = 21;

function isDescr(s: string): s is NpyDescr {
  return Object.hasOwn(DATA_ARRAYS, s);
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * An NpyArray, checked: `data` must be the array type of `descr` and hold prod(shape) values.
 *
 * @example
 * const a = npyArray("<u4", [2, 2], new Uint32Array([1, 2, 3, 4]));
 */
export function npyArray<D extends NpyDescr>(
  descr: D,
  shape: readonly number[],
  data: NpyDataTypes[D],
): NpyArray<D> {
  if (!isDescr(descr)) {
    throw new RangeError(
      `npyArray: unsupported descr '${String(descr)}'; use one of ${Object.keys(DATA_ARRAYS).join(", ")}.`,
    );
  }
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) {
      throw new RangeError(
        `npyArray: shape (${shape.join(", ")}) must hold non-negative integers.`,
      );
    }
  }
  if (!(data instanceof DATA_ARRAYS[descr])) {
    throw new TypeError(
      `npyArray: descr '${descr}' needs a ${DATA_ARRAYS[descr].name}, got ${data.constructor.name}.`,
    );
  }
  if (data.length !== product(shape)) {
    throw new RangeError(
      `npyArray: shape (${shape.join(", ")}) needs ${product(shape)} values, but the array holds ${data.length}.`,
    );
  }
  return { descr, shape: [...shape], data };
}

function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 0) return "()";
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

function headerDict(a: NpyArray, style: NpyHeaderStyle): string {
  if (style === "raft") {
    const descr = a.descr === "<f2" ? "<e2" : a.descr;
    return `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(a.shape)}}`;
  }
  const dict = `{'descr': '${a.descr}', 'fortran_order': False, 'shape': ${shapeRepr(a.shape)}, }`;
  const spare = a.shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(a.shape[0]).length : 0;
  return dict + " ".repeat(Math.max(0, spare));
}

/**
 * Encodes `a` as .npy bytes, byte for byte as `style`'s writer does: "numpy" (np.save, the
 * default) or "raft" (cuVS index files).
 *
 * @example
 * const bytes = encodeNpy(npyArray("<i4", [], new Int32Array([5])), "raft"); // a 0-d scalar
 */
export function encodeNpy(a: NpyArray, style: NpyHeaderStyle = "numpy"): Uint8Array {
  assertLittleEndianHost("encodeNpy");
  const dict = headerDict(npyArray(a.descr, a.shape, a.data), style);
  // numpy moves to version 2.0 only for headers over 64 KiB, which these dtypes never need.
  const headerLength = padded(dict.length);
  if (headerLength > 0xffff) {
    throw new RangeError(
      `encodeNpy: a shape of ${a.shape.length} dimensions makes the header too long.`,
    );
  }
  const body = bytesOf(a.data);
  const start = MAGIC.length + 4;
  const out = new Uint8Array(start + headerLength + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  for (let i = 0; i < dict.length; i++) out[start + i] = dict.charCodeAt(i);
  out.fill(0x20, start + dict.length, start + headerLength - 1);
  out[start + headerLength - 1] = 0x0a;
  out.set(body, start + headerLength);
  return out;
}

/** Header length (dict, spaces, "\n") that puts the data on a 64-byte boundary: 1 to 64 spaces. */
function padded(dictLength: number): number {
  const unpadded = MAGIC.length + 4 + dictLength + 1;
  return dictLength + 1 + (ALIGN - (unpadded % ALIGN));
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Parses the header's Python dict literal; `fail` throws with the problem. */
function parseHeaderDict(text: string, fail: (problem: string) => never): Header {
  let i = 0;
  const skip = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const expect = (c: string) => {
    skip();
    if (text[i] !== c)
      fail(`the header dict has '${text[i] ?? "end"}' where '${c}' belongs: ${text.trim()}`);
    i++;
  };
  const parseString = (): string => {
    skip();
    const quote = text[i];
    if (quote !== "'" && quote !== '"')
      fail(`the header dict has a non-string key or value: ${text.trim()}`);
    const end = text.indexOf(quote!, i + 1);
    if (end < 0) fail(`the header dict has an unterminated string: ${text.trim()}`);
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const parseValue = (): string | boolean | number[] => {
    skip();
    const c = text[i];
    if (c === "'" || c === '"') return parseString();
    for (const [word, value] of [
      ["True", true],
      ["False", false],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === "(") {
      i++;
      const dims: number[] = [];
      for (;;) {
        skip();
        if (text[i] === ")") break;
        const m = /^(\d+)L?/.exec(text.slice(i));
        if (!m) fail(`the shape is not a tuple of integers: ${text.trim()}`);
        dims.push(Number(m[1]));
        i += m[0].length;
        skip();
        if (text[i] === ",") i++;
        else if (text[i] !== ")") fail(`the shape is not a tuple of integers: ${text.trim()}`);
      }
      i++;
      return dims;
    }
    if (c === "[") fail(`structured dtypes are not supported: ${text.trim()}`);
    return fail(`the header dict has a value this reader does not understand: ${text.trim()}`);
  };

  const entries = new Map<string, string | boolean | number[]>();
  expect("{");
  for (;;) {
    skip();
    if (text[i] === "}") break;
    const key = parseString();
    expect(":");
    entries.set(key, parseValue());
    skip();
    if (text[i] === ",") i++;
    else if (text[i] !== "}")
      fail(`the header dict has '${text[i] ?? "end"}' after '${key}': ${text.trim()}`);
  }
  i++;
  skip();
  if (i !== text.length) fail(`the header has text after the dict: ${text.trim()}`);
  const descr = entries.get("descr");
  const fortranOrder = entries.get("fortran_order");
  const shape = entries.get("shape");
  if (
    entries.size !== 3 ||
    typeof descr !== "string" ||
    typeof fortranOrder !== "boolean" ||
    !Array.isArray(shape)
  ) {
    fail(
      `the header dict must hold exactly 'descr' (a string), 'fortran_order' (a bool) and 'shape' (a tuple): ${text.trim()}`,
    );
  }
  for (const s of shape) {
    if (!Number.isSafeInteger(s))
      fail(`the shape (${shape.join(", ")}) holds an integer too large for JavaScript`);
  }
  return { descr, fortranOrder, shape };
}

/**
 * Decodes one .npy blob that starts at `offset` of `bytes`, returning the array and the offset
 * just past it, so that formats embedding several blobs (cuVS index files) can read them in
 * turn. Errors are FormatErrors naming `format` and the absolute byte offset.
 *
 * @example
 * const { array, end } = decodeNpy(bytes, 0);
 */
export function decodeNpy(
  bytes: Uint8Array,
  offset = 0,
  format = ".npy",
): { array: NpyArray; end: number } {
  assertLittleEndianHost(format);
  const truncated = (at: number, what: string, need: number): never => {
    throw new FormatError(
      format,
      at,
      `${what} needs ${need} bytes, but the input ends ${bytes.length - at} bytes later; it may be truncated`,
    );
  };
  if (offset + 10 > bytes.length)
    truncated(offset, "the .npy preamble (magic, version, header length)", 10);
  for (let k = 0; k < MAGIC.length; k++) {
    if (bytes[offset + k] !== MAGIC[k]) {
      const found = hexBytes(bytes.subarray(offset, offset + 6));
      throw new FormatError(
        format,
        offset,
        `expected the .npy magic "\\x93NUMPY" but found bytes ${found}`,
      );
    }
  }
  const major = bytes[offset + 6]!;
  const minor = bytes[offset + 7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new FormatError(
      format,
      offset + 6,
      `unsupported .npy version ${major}.${minor} (1.0, 2.0 and 3.0 are known)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (offset + 8 + lengthSize > bytes.length)
    truncated(offset + 8, "the .npy header length", lengthSize);
  const headerLength =
    lengthSize === 2 ? view.getUint16(offset + 8, true) : view.getUint32(offset + 8, true);
  const headerStart = offset + 8 + lengthSize;
  if (headerStart + headerLength > bytes.length)
    truncated(headerStart, "the .npy header", headerLength);
  const raw = bytes.subarray(headerStart, headerStart + headerLength);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(raw);
  const fail = (problem: string): never => {
    throw new FormatError(format, headerStart, problem);
  };
  const header = parseHeaderDict(text, fail);
  if (header.fortranOrder) {
    fail(`the array is in Fortran (column-major) order; save it in C order (np.ascontiguousarray)`);
  }
  const descr = DESCR_ALIASES[header.descr] ?? header.descr;
  if (!isDescr(descr)) {
    fail(
      `unsupported dtype '${header.descr}'; supported: ${Object.keys(DATA_ARRAYS).join(" ")} (little-endian)`,
    );
  }
  const dataStart = headerStart + headerLength;
  const count = product(header.shape);
  const DataArray = DATA_ARRAYS[descr as NpyDescr];
  const byteLength = count * DataArray.BYTES_PER_ELEMENT;
  if (dataStart + byteLength > bytes.length) {
    truncated(
      dataStart,
      `the data of shape ${shapeRepr(header.shape)} and dtype '${header.descr}'`,
      byteLength,
    );
  }
  const data = new DataArray(copyBuffer(bytes, dataStart, byteLength));
  return {
    array: { descr: descr as NpyDescr, shape: header.shape, data } as NpyArray,
    end: dataStart + byteLength,
  };
}

/**
 * Parses a whole .npy file.
 *
 * @example
 * const a = parseNpy(bytes); // a.descr, a.shape, a.data
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  return decodeNpy(bytes, 0).array;
}

function require2d(a: NpyArray, what: string): [number, number] {
  if (a.shape.length !== 2) {
    throw new RangeError(
      `${what}: expected a 2-d array [rows, cols], got shape ${shapeRepr(a.shape)}.`,
    );
  }
  return [a.shape[0]!, a.shape[1]!];
}

/**
 * A 2-d array's values as an f32 Matrix: '<f4' as is (no copy), f16 decoded, f64 and wide
 * integers rounded to the nearest f32 (exact for |v| ≤ 2^24).
 *
 * @example
 * const base = npyToMatrix(parseNpy(bytes));
 */
export function npyToMatrix(a: NpyArray, what = "npyToMatrix"): Matrix {
  const [rows, cols] = require2d(a, what);
  if (a.descr === "<f4") return matrix(a.data as Float32Array, rows, cols);
  if (a.descr === "<f2") return matrix(float16ToFloat32(a.data as Uint16Array), rows, cols);
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(a.data[i]!);
  return matrix(out, rows, cols);
}

/**
 * A 2-d integer array as an Int32Table (ids); every value must fit in i32.
 *
 * @example
 * const gt = npyToInt32Table(parseNpy(bytes));
 */
export function npyToInt32Table(a: NpyArray, what = "npyToInt32Table"): Int32Table {
  const [rows, cols] = require2d(a, what);
  if (a.descr === "<f2" || a.descr === "<f4" || a.descr === "<f8") {
    throw new RangeError(`${what}: expected an integer array of ids, got dtype '${a.descr}'.`);
  }
  if (a.descr === "<i4") return int32Table(a.data as Int32Array, rows, cols);
  const values = Array.from(a.data as ArrayLike<number | bigint>, Number);
  return int32Table(exactIntegers(values, "i32", what, cols), rows, cols);
}

/**
 * A matrix as a 2-d NpyArray of `descr` (default '<f4', no copy). Integer types (up to 32
 * bits) must hold every value exactly; '<f2' rounds to nearest even.
 *
 * @example
 * encodeNpy(matrixToNpy(m)); // the bytes np.save(m) writes
 */
export function matrixToNpy(m: Matrix, descr: Exclude<NpyDescr, "<i8" | "<u8"> = "<f4"): NpyArray {
  const shape = [m.rows, m.cols];
  const what = `matrixToNpy('${descr}')`;
  switch (descr) {
    case "<f4":
      return npyArray(descr, shape, m.data);
    case "<f2":
      return npyArray(descr, shape, float32ToFloat16(m.data));
    case "<f8":
      return npyArray(descr, shape, Float64Array.from(m.data));
    case "|i1":
      return npyArray(descr, shape, exactIntegers(m.data, "i8", what, m.cols));
    case "|u1":
      return npyArray(descr, shape, exactIntegers(m.data, "u8", what, m.cols));
    case "<i2":
      return npyArray(descr, shape, exactIntegers(m.data, "i16", what, m.cols));
    case "<u2":
      return npyArray(descr, shape, exactIntegers(m.data, "u16", what, m.cols));
    case "<i4":
      return npyArray(descr, shape, exactIntegers(m.data, "i32", what, m.cols));
    case "<u4":
      return npyArray(descr, shape, exactIntegers(m.data, "u32", what, m.cols));
  }
}

/**
 * An Int32Table as a 2-d '<i4' NpyArray (no copy).
 *
 * @example
 * encodeNpy(int32TableToNpy(groundTruth));
 */
export function int32TableToNpy(t: Int32Table): NpyArray<"<i4"> {
  return npyArray("<i4", [t.rows, t.cols], t.data);
}
