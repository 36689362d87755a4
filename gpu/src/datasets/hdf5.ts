// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- jsfive has no types; programs that include this file (bench/) need the declaration.
/// <reference path="./jsfive.d.ts" />
import * as hdf5 from "jsfive";
import { matrix, type Matrix } from "../common/matrix.js";
import type { Metric } from "../cagra/types.js";
import { exactIntegers } from "./dtype.js";
import { FormatError } from "./format-error.js";
import { int32Table, type Int32Table } from "./table.js";

/**
 * An ann-benchmarks dataset (the HDF5 files its `datasets.py` writes). Distances are as
 * stored: true (not squared) L2 for "euclidean", 1 − cos for "angular".
 */
export interface AnnBenchmarksDataset {
  /** Base vectors [N, D]. */
  readonly train: Matrix;
  /** Queries [Q, D]. */
  readonly test: Matrix;
  /** True neighbour ids [Q, K] (K is 100 in the standard files), closest first. */
  readonly neighbors: Int32Table;
  /** Their distances [Q, K]. */
  readonly distances: Matrix;
  /** The `distance` attribute: "euclidean", "angular", "hamming", "jaccard". */
  readonly distance: string;
  /** The `dimension` attribute (D). */
  readonly dimension: number;
  /** The `point_type` attribute ("float", "bit"), when present. */
  readonly pointType: string | undefined;
}

const FORMAT = "ann-benchmarks HDF5";
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The Tessera metric that searches an ann-benchmarks `distance` the same way: euclidean →
 * sqeuclidean (same order; take √ of our distances to compare with theirs), angular → cosine.
 *
 * @example
 * annBenchmarksMetric("angular"); // "cosine"
 */
export function annBenchmarksMetric(distance: string): Metric {
  if (distance === "euclidean") return "sqeuclidean";
  if (distance === "angular") return "cosine";
  throw new RangeError(
    `annBenchmarksMetric: distance "${distance}" has no Tessera metric; euclidean and angular do.`,
  );
}

function dataset(file: hdf5.File, name: string): hdf5.Dataset {
  if (!file.keys.includes(name)) {
    throw new FormatError(
      FORMAT,
      0,
      `the file has no "${name}" dataset (it holds ${file.keys.map((k) => `"${k}"`).join(", ") || "nothing"}); ` +
        `ann-benchmarks files hold train, test, neighbors and distances`,
    );
  }
  const d = file.get(name);
  if (!(d instanceof hdf5.Dataset) || d.shape.length !== 2) {
    throw new FormatError(FORMAT, 0, `"${name}" must be a 2-d dataset`);
  }
  return d;
}

function values(d: hdf5.Dataset, name: string): ArrayLike<number> {
  if (typeof d.dtype !== "string" || !/^[<>|][fiu]\d$/.test(d.dtype)) {
    throw new FormatError(
      FORMAT,
      0,
      `"${name}" has dtype ${JSON.stringify(d.dtype)}; expected numbers`,
    );
  }
  const v = d.value;
  const [rows, cols] = d.shape as [number, number];
  if (v.length !== rows * cols) {
    throw new FormatError(
      FORMAT,
      0,
      `"${name}" holds ${v.length} values for shape ${rows} × ${cols}`,
    );
  }
  return typeof v[0] === "bigint" ? Array.from(v, Number) : (v as ArrayLike<number>);
}

function toMatrix(d: hdf5.Dataset, name: string): Matrix {
  const [rows, cols] = d.shape as [number, number];
  return matrix(Float32Array.from(values(d, name)), rows, cols);
}

/**
 * Parses an ann-benchmarks HDF5 file (read whole into memory; jsfive holds values as JS
 * numbers, so files up to a few hundred MB suit this reader).
 *
 * @example
 * const ds = parseAnnBenchmarksHdf5(bytes);
 * const metric = annBenchmarksMetric(ds.distance);
 */
export function parseAnnBenchmarksHdf5(bytes: Uint8Array): AnnBenchmarksDataset {
  for (let i = 0; i < HDF5_SIGNATURE.length; i++) {
    if (bytes[i] !== HDF5_SIGNATURE[i]) {
      throw new FormatError(
        FORMAT,
        0,
        `the file does not start with the HDF5 signature "\\x89HDF\\r\\n\\x1a\\n"`,
      );
    }
  }
  try {
    return readDataset(new hdf5.File(bytes.slice().buffer));
  } catch (e) {
    if (e instanceof FormatError) throw e;
    // jsfive reads lazily and throws strings as well as Errors, e.g. on a truncated file.
    const reason = e instanceof Error ? e.message : String(e);
    throw new FormatError(
      FORMAT,
      0,
      `jsfive could not read the file (${reason}); it may be truncated or not HDF5`,
    );
  }
}

function readDataset(file: hdf5.File): AnnBenchmarksDataset {
  const train = toMatrix(dataset(file, "train"), "train");
  const test = toMatrix(dataset(file, "test"), "test");
  const neighborsSet = dataset(file, "neighbors");
  const [q, k] = neighborsSet.shape as [number, number];
  const neighbors = int32Table(
    exactIntegers(values(neighborsSet, "neighbors"), "i32", `${FORMAT} "neighbors"`, k),
    q,
    k,
  );
  const distances = toMatrix(dataset(file, "distances"), "distances");
  const distance = file.attrs["distance"];
  if (typeof distance !== "string") {
    throw new FormatError(FORMAT, 0, `the "distance" attribute is missing or not a string`);
  }
  const dimensionAttr = file.attrs["dimension"];
  const dimension = dimensionAttr === undefined ? train.cols : Number(dimensionAttr);
  const pointType = file.attrs["point_type"];
  if (test.cols !== train.cols || dimension !== train.cols) {
    throw new FormatError(
      FORMAT,
      0,
      `train has ${train.cols} columns, test ${test.cols}, and the dimension attribute says ${dimension}; they must agree`,
    );
  }
  if (neighbors.rows !== test.rows || distances.rows !== test.rows || distances.cols !== k) {
    throw new FormatError(
      FORMAT,
      0,
      `neighbors is ${neighbors.rows} × ${k} and distances ${distances.rows} × ${distances.cols}; ` +
        `both must be [${test.rows} queries, K]`,
    );
  }
  return {
    train,
    test,
    neighbors,
    distances,
    distance,
    dimension,
    pointType: typeof pointType === "string" ? pointType : undefined,
  };
}
