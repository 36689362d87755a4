import type { Matrix } from "../common/matrix.js";
import { binDTypeOf, encodeBin, parseBin } from "./bin.js";
import {
  encodeNpy,
  int32TableToNpy,
  matrixToNpy,
  npyToInt32Table,
  npyToMatrix,
  parseNpy,
} from "./npy.js";
import type { Int32Table } from "./table.js";
import {
  encodeBvecs,
  encodeFvecs,
  encodeIvecs,
  parseBvecs,
  parseFvecs,
  parseIvecs,
} from "./vecs.js";

/*
 * Reading and writing by file name: the extension picks the format, so loaders and notebooks
 * need not name it. Vectors: .fvecs .bvecs .fbin .f16bin .u8bin .i8bin .npy; ids: .ivecs .ibin .npy.
 */

const VECTOR_EXTENSIONS = ".fvecs .bvecs .fbin .f16bin .u8bin .i8bin .npy";
const ID_EXTENSIONS = ".ivecs .ibin .npy";

function extensionOf(fileName: string): string {
  const lower = fileName.toLowerCase();
  const dot = lower.lastIndexOf(".");
  return dot < 0 ? "" : lower.slice(dot);
}

function unknown(what: string, fileName: string, known: string, other: string): never {
  const ext = extensionOf(fileName);
  const hint = other.split(" ").includes(ext) ? ` (${ext} holds ids; use the ids functions)` : "";
  throw new RangeError(
    `${what}: cannot tell the format of "${fileName}"${hint}; known extensions: ${known}.`,
  );
}

/**
 * Parses a vector file, choosing the format by `fileName`'s extension.
 *
 * @example
 * const base = parseVectors(bytes, "sift_base.fvecs");
 */
export function parseVectors(bytes: Uint8Array, fileName: string): Matrix {
  const ext = extensionOf(fileName);
  if (ext === ".fvecs") return parseFvecs(bytes);
  if (ext === ".bvecs") return parseBvecs(bytes);
  if (ext === ".npy") return npyToMatrix(parseNpy(bytes), `parseVectors("${fileName}")`);
  const dtype = binDTypeOf(fileName);
  if (dtype !== undefined && dtype !== "i32") return parseBin(bytes, dtype);
  return unknown("parseVectors", fileName, VECTOR_EXTENSIONS, ID_EXTENSIONS);
}

/**
 * Encodes vectors in the format `fileName`'s extension names (.npy as '<f4').
 *
 * @example
 * const bytes = encodeVectors(m, "base.fbin");
 */
export function encodeVectors(m: Matrix, fileName: string): Uint8Array {
  const ext = extensionOf(fileName);
  if (ext === ".fvecs") return encodeFvecs(m);
  if (ext === ".bvecs") return encodeBvecs(m);
  if (ext === ".npy") return encodeNpy(matrixToNpy(m));
  const dtype = binDTypeOf(fileName);
  if (dtype !== undefined && dtype !== "i32") return encodeBin(m, dtype);
  return unknown("encodeVectors", fileName, VECTOR_EXTENSIONS, ID_EXTENSIONS);
}

/**
 * Parses an id file (ground-truth neighbours), choosing the format by extension.
 *
 * @example
 * const gt = parseIds(bytes, "sift_groundtruth.ivecs");
 */
export function parseIds(bytes: Uint8Array, fileName: string): Int32Table {
  const ext = extensionOf(fileName);
  if (ext === ".ivecs") return parseIvecs(bytes);
  if (ext === ".ibin") return parseBin(bytes, "i32");
  if (ext === ".npy") return npyToInt32Table(parseNpy(bytes), `parseIds("${fileName}")`);
  return unknown("parseIds", fileName, ID_EXTENSIONS, VECTOR_EXTENSIONS);
}

/**
 * Encodes ids in the format `fileName`'s extension names (.npy as '<i4').
 *
 * @example
 * const bytes = encodeIds(gt, "groundtruth.ibin");
 */
export function encodeIds(t: Int32Table, fileName: string): Uint8Array {
  const ext = extensionOf(fileName);
  if (ext === ".ivecs") return encodeIvecs(t);
  if (ext === ".ibin") return encodeBin(t, "i32");
  if (ext === ".npy") return encodeNpy(int32TableToNpy(t));
  return unknown("encodeIds", fileName, ID_EXTENSIONS, VECTOR_EXTENSIONS);
}
