import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Matrix } from "../common/matrix.js";
import { writeFileAtomic } from "./atomic-write.js";
import { FormatError } from "./format-error.js";
import { encodeIds, encodeVectors, parseIds, parseVectors } from "./formats.js";
import { parseAnnBenchmarksHdf5, type AnnBenchmarksDataset } from "./hdf5.js";
import { encodeNpy, parseNpy, type NpyArray, type NpyHeaderStyle } from "./npy.js";
import type { Int32Table } from "./table.js";
import { parseSift5k, SIFT_5K_FILES, type Sift5k } from "./tsv.js";

/*
 * Node file I/O for the dataset formats: thin wrappers that read or write whole files and
 * call the byte-level parsers and encoders, which stay browser-safe. Writes are atomic.
 */

export { writeFileAtomic };

/** Reads `path` and parses it, naming the file in any FormatError. */
async function readParsed<T>(path: string, parse: (bytes: Uint8Array) => T): Promise<T> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof FormatError)
      throw new FormatError(`${e.format} file ${path}`, e.offset, e.problem);
    throw e;
  }
}

/**
 * Loads vectors from a .fvecs, .bvecs, .fbin, .f16bin, .u8bin, .i8bin or .npy file.
 *
 * @example
 * const base = await loadVectors("data/sift/sift_base.fvecs");
 */
export function loadVectors(path: string): Promise<Matrix> {
  return readParsed(path, (bytes) => parseVectors(bytes, path));
}

/**
 * Saves vectors atomically in the format the extension names.
 *
 * @example
 * await saveVectors("base.fbin", m);
 */
export async function saveVectors(path: string, m: Matrix): Promise<void> {
  return writeFileAtomic(path, encodeVectors(m, path));
}

/**
 * Loads ids (ground-truth neighbours) from a .ivecs, .ibin or .npy file.
 *
 * @example
 * const gt = await loadIds("data/sift/sift_groundtruth.ivecs");
 */
export function loadIds(path: string): Promise<Int32Table> {
  return readParsed(path, (bytes) => parseIds(bytes, path));
}

/**
 * Saves ids atomically in the format the extension names.
 *
 * @example
 * await saveIds("groundtruth.ibin", gt);
 */
export async function saveIds(path: string, t: Int32Table): Promise<void> {
  return writeFileAtomic(path, encodeIds(t, path));
}

/**
 * Loads a .npy file as an NpyArray (any supported dtype and shape).
 *
 * @example
 * const a = await loadNpy("graph.npy");
 */
export function loadNpy(path: string): Promise<NpyArray> {
  return readParsed(path, parseNpy);
}

/**
 * Saves an NpyArray atomically, as np.save writes it (or as RAFT does, with style "raft").
 *
 * @example
 * await saveNpy("base.npy", matrixToNpy(m));
 */
export async function saveNpy(
  path: string,
  a: NpyArray,
  style: NpyHeaderStyle = "numpy",
): Promise<void> {
  return writeFileAtomic(path, encodeNpy(a, style));
}

/**
 * Loads an ann-benchmarks HDF5 file (e.g. fashion-mnist-784-euclidean.hdf5).
 *
 * @example
 * const ds = await loadAnnBenchmarks("glove-25-angular.hdf5");
 */
export function loadAnnBenchmarks(path: string): Promise<AnnBenchmarksDataset> {
  return readParsed(path, parseAnnBenchmarksHdf5);
}

/**
 * Loads the SIFT-5k sample from its folder (the two TSV files of SIFT_5K_FILES).
 *
 * @example
 * const { base, ids, queries } = await loadSift5k("../shared/datasets/sift-5k");
 */
export async function loadSift5k(dir: string): Promise<Sift5k> {
  const [baseText, queryText] = await Promise.all([
    readFile(join(dir, SIFT_5K_FILES.base), "utf8"),
    readFile(join(dir, SIFT_5K_FILES.queries), "utf8"),
  ]);
  return parseSift5k(baseText, queryText);
}
