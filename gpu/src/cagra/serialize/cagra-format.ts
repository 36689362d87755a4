import { matrix, type Matrix } from "../../common/matrix.js";
import { exactIntegers, float16ToFloat32, float32ToFloat16 } from "../../datasets/dtype.js";
import { FormatError, hexBytes } from "../../datasets/format-error.js";
import {
  decodeNpy,
  encodeNpy,
  npyArray,
  type NpyArray,
  type NpyDescr,
} from "../../datasets/npy.js";
import type { CagraIndex, DType, Metric } from "../types.js";

/*
 * cuVS's CAGRA index file (cagra::serialize, detail/cagra/cagra_serialize.cuh and
 * neighbors/detail/dataset_serialize.hpp), format version 5, little-endian:
 *
 *   4 bytes   dtype string padded with \0: "<f4", "<f2", "|i1", "|u1"
 *   .npy 0-d  version <i4 (5), n_rows <u4, dim <u4, graph_degree <u4, metric <i4
 *   .npy      graph <u4 [n_rows, graph_degree]
 *   .npy 0-d  content_map <u4: bit 0 dataset follows, bit 1 source indices follow
 *   dataset   tag <u4 (1 empty, 2 strided, 3 VPQ); for strided: cudaDataType <u4,
 *             n_rows <i8, dim <u4, stride <u4, then .npy [n_rows, dim] without row padding
 *   .npy      source_indices <u4 [n_rows]
 *
 * Every .npy blob is written by RAFT's mdspan_numpy_serializer (encodeNpy style "raft"), which
 * names a scalar by its C++ type and, on load, refuses any other dtype. cuVS's DistanceType is
 * `enum class DistanceType : int` (cpp/include/cuvs/distance/distance.hpp, cuVS 25.12 on, the
 * releases that write version 5), so the metric is '<i4'; older nightly builds had an unscoped
 * enum, which GCC makes unsigned int ('<u4'), and the reader accepts that too. cudaDataType_t is
 * a C enum with no negative values, so it stays '<u4'. RAFT writes half precision as '<e2'.
 */

/** The only cuVS CAGRA serialization version read and written (cuVS rejects any other). */
export const CAGRA_SERIALIZATION_VERSION = 5;

/** cuVS DistanceType of each metric. */
export const CUVS_METRIC_CODES: Readonly<Record<Metric, number>> = Object.freeze({
  sqeuclidean: 0, // L2Expanded
  cosine: 2, // CosineExpanded
  inner_product: 6, // InnerProduct
});

const CUVS_METRIC_NAMES: Readonly<Record<number, string>> = {
  0: "L2Expanded",
  1: "L2SqrtExpanded",
  2: "CosineExpanded",
  3: "L1",
  4: "L2Unexpanded",
  5: "L2SqrtUnexpanded",
  6: "InnerProduct",
  7: "Linf",
  20: "BitwiseHamming",
};

interface DTypeInfo {
  /** The 4-byte file prefix (numpy dtype string, \0-padded). */
  readonly prefix: string;
  readonly descr: NpyDescr;
  /** cudaDataType_t: CUDA_R_32F 0, CUDA_R_16F 2, CUDA_R_8I 3, CUDA_R_8U 8. */
  readonly cuda: number;
  readonly size: number;
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  f32: { prefix: "<f4", descr: "<f4", cuda: 0, size: 4 },
  f16: { prefix: "<f2", descr: "<f2", cuda: 2, size: 2 },
  i8: { prefix: "|i1", descr: "|i1", cuda: 3, size: 1 },
  u8: { prefix: "|u1", descr: "|u1", cuda: 8, size: 1 },
};

/** cuVS before 2026 wrote "<e2" as the prefix of half-precision indexes; it still reads it. */
const LEGACY_PREFIXES: Readonly<Record<string, DType>> = { "<e2": "f16" };

const TAG_EMPTY = 1;
const TAG_STRIDED = 2;
const TAG_VPQ = 3;
const HAS_DATASET = 0x1;
const HAS_SOURCE_INDICES = 0x2;
/** cuVS's kMaxGraphDegree. */
const MAX_GRAPH_DEGREE = 1 << 16;

const FORMAT = "cuVS CAGRA index";
const HINT = "the file may be truncated, corrupt, or not a cuVS CAGRA v5 index";

/** Options of `encodeCagraIndex`. */
export interface CagraSerializeOptions {
  /** Write the dataset too (cuVS include_dataset; default true). Ignored without a dataset. */
  includeDataset?: boolean;
}

function checkIndex(index: CagraIndex): void {
  const { graph, dataset, sourceIndices } = index;
  if (!Object.hasOwn(CUVS_METRIC_CODES, index.metric)) {
    throw new RangeError(`encodeCagraIndex: metric "${index.metric}" has no cuVS equivalent.`);
  }
  if (!Object.hasOwn(DTYPES, index.dtype)) {
    throw new RangeError(
      `encodeCagraIndex: dtype "${index.dtype}" must be one of f32, f16, i8, u8.`,
    );
  }
  const { size, degree, neighbors } = graph;
  if (!Number.isSafeInteger(size) || size < 0 || size > 0xffffffff) {
    throw new RangeError(
      `encodeCagraIndex: graph.size must be an integer in [0, 2^32), got ${size}.`,
    );
  }
  if (!Number.isSafeInteger(degree) || degree < 0 || degree > MAX_GRAPH_DEGREE) {
    throw new RangeError(
      `encodeCagraIndex: graph.degree must be an integer in [0, ${MAX_GRAPH_DEGREE}], got ${degree}.`,
    );
  }
  if (neighbors.length !== size * degree) {
    throw new RangeError(
      `encodeCagraIndex: a ${size} × ${degree} graph needs ${size * degree} ids, but neighbors holds ${neighbors.length}.`,
    );
  }
  for (let i = 0; i < neighbors.length; i++) {
    if (neighbors[i]! >= size) {
      const node = Math.floor(i / degree);
      throw new RangeError(
        `encodeCagraIndex: node ${node}, rank ${i - node * degree} points to ${neighbors[i]}, but ids must be < ${size}.`,
      );
    }
  }
  if (dataset && dataset.rows !== size) {
    throw new RangeError(
      `encodeCagraIndex: the dataset has ${dataset.rows} rows but the graph ${size} nodes.`,
    );
  }
  if (sourceIndices && sourceIndices.length !== size) {
    throw new RangeError(
      `encodeCagraIndex: sourceIndices holds ${sourceIndices.length} ids but the graph has ${size} nodes.`,
    );
  }
}

type ScalarDescr = "<i4" | "<u4" | "<i8";

function scalar(descr: ScalarDescr, value: number): Uint8Array {
  const data =
    descr === "<i4"
      ? npyArray(descr, [], new Int32Array([value]))
      : descr === "<u4"
        ? npyArray(descr, [], new Uint32Array([value]))
        : npyArray(descr, [], new BigInt64Array([BigInt(value)]));
  return encodeNpy(data, "raft");
}

/** The dataset's values as the stored dtype: exact for values that came from that dtype. */
function storedValues(m: Matrix, dtype: DType): NpyArray {
  const shape = [m.rows, m.cols];
  const what = `encodeCagraIndex: dataset (dtype ${dtype})`;
  switch (dtype) {
    case "f32":
      return npyArray("<f4", shape, m.data);
    case "f16":
      return npyArray("<f2", shape, float32ToFloat16(m.data));
    case "i8":
      return npyArray("|i1", shape, exactIntegers(m.data, "i8", what, m.cols));
    case "u8":
      return npyArray("|u1", shape, exactIntegers(m.data, "u8", what, m.cols));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Encodes `index` as cuVS's `cagra::serialize` writes it (format version 5), byte for byte,
 * so cuVS (C++ `cagra::deserialize`, Python `cagra.load`) can load it. f16/i8/u8 datasets are
 * converted back from the f32 working copy (exact when they were loaded from that dtype;
 * i8/u8 values that are not integers in range throw). A graph-only index records dim 0.
 *
 * @example
 * const bytes = encodeCagraIndex(index); // or { includeDataset: false } for the graph only
 */
export function encodeCagraIndex(
  index: CagraIndex,
  options: CagraSerializeOptions = {},
): Uint8Array {
  checkIndex(index);
  const info = DTYPES[index.dtype];
  const { graph, sourceIndices } = index;
  const dataset =
    (options.includeDataset ?? true) && index.dataset && index.dataset.rows > 0
      ? index.dataset
      : undefined;
  const dim = index.dataset?.cols ?? 0;
  const prefix = new Uint8Array(4);
  for (let i = 0; i < info.prefix.length; i++) prefix[i] = info.prefix.charCodeAt(i);
  const parts = [
    prefix,
    scalar("<i4", CAGRA_SERIALIZATION_VERSION),
    scalar("<u4", graph.size),
    scalar("<u4", dim),
    scalar("<u4", graph.degree),
    scalar("<i4", CUVS_METRIC_CODES[index.metric]),
    encodeNpy(npyArray("<u4", [graph.size, graph.degree], graph.neighbors), "raft"),
    scalar("<u4", (dataset ? HAS_DATASET : 0) | (sourceIndices ? HAS_SOURCE_INDICES : 0)),
  ];
  if (dataset) {
    // cuVS pads rows to 16 bytes on the device and records that stride; the file holds none.
    const stride = (Math.ceil((dataset.cols * info.size) / 16) * 16) / info.size;
    parts.push(
      scalar("<u4", TAG_STRIDED),
      scalar("<u4", info.cuda),
      scalar("<i8", dataset.rows),
      scalar("<u4", dataset.cols),
      scalar("<u4", stride),
      encodeNpy(storedValues(dataset, index.dtype), "raft"),
    );
  }
  if (sourceIndices) parts.push(encodeNpy(npyArray("<u4", [graph.size], sourceIndices), "raft"));
  return concat(parts);
}

/** Reads the file front to back; every error names the field and its byte offset. */
class Reader {
  at = 0;
  field = "";

  constructor(readonly bytes: Uint8Array) {}

  fail(problem: string, at = this.at): never {
    throw new FormatError(FORMAT, at, `${this.field}: ${problem}; ${HINT}`);
  }

  npy(field: string): { array: NpyArray; start: number; dataStart: number } {
    this.field = field;
    const start = this.at;
    try {
      const { array, end } = decodeNpy(this.bytes, this.at, FORMAT);
      this.at = end;
      return { array, start, dataStart: end - array.data.byteLength };
    } catch (e) {
      if (e instanceof FormatError) this.fail(e.problem, e.offset);
      throw e;
    }
  }

  /** A 0-d scalar of dtype `descr` (or `alternative`, where older writers used another). */
  scalar(field: string, descr: ScalarDescr, alternative?: ScalarDescr): number {
    const { array, start } = this.npy(field);
    if (array.shape.length !== 0)
      this.fail(`expected a 0-d scalar, got shape (${array.shape.join(", ")})`, start);
    if (array.descr !== descr && array.descr !== alternative) {
      const wanted = alternative === undefined ? `'${descr}'` : `'${descr}' or '${alternative}'`;
      this.fail(`expected dtype ${wanted}, got '${array.descr}'`, start);
    }
    return Number(array.data[0]!);
  }

  array(field: string, descr: NpyDescr, shape: number[]): { array: NpyArray; dataStart: number } {
    const r = this.npy(field);
    if (r.array.descr !== descr)
      this.fail(`expected dtype '${descr}', got '${r.array.descr}'`, r.start);
    if (r.array.shape.length !== shape.length || r.array.shape.some((s, i) => s !== shape[i])) {
      this.fail(`expected shape (${shape.join(", ")}), got (${r.array.shape.join(", ")})`, r.start);
    }
    return r;
  }
}

function readPrefix(r: Reader): DType {
  r.field = "dtype prefix";
  if (r.bytes.length < 4)
    r.fail(`the file holds ${r.bytes.length} bytes, fewer than the 4-byte dtype prefix`, 0);
  const text = String.fromCharCode(...r.bytes.subarray(0, 4)).replace(/\0+$/, "");
  const dtype =
    (Object.keys(DTYPES) as DType[]).find((d) => DTYPES[d].prefix === text) ??
    LEGACY_PREFIXES[text];
  if (dtype === undefined) {
    const found = hexBytes(r.bytes.subarray(0, 4));
    r.fail(`expected "<f4", "<f2", "|i1" or "|u1" padded to 4 bytes, found bytes ${found}`, 0);
  }
  r.at = 4;
  return dtype;
}

function readDataset(r: Reader, dtype: DType, rows: number, dim: number): Matrix | undefined {
  const info = DTYPES[dtype];
  const tagAt = r.at;
  const tag = r.scalar("dataset tag", "<u4");
  if (tag === TAG_EMPTY) {
    r.scalar("empty dataset dim", "<u4");
    return undefined;
  }
  if (tag === TAG_VPQ)
    r.fail("the dataset is VPQ-compressed (CAGRA-Q), which this reader does not support", tagAt);
  if (tag !== TAG_STRIDED) r.fail(`unknown dataset tag ${tag} (1 empty, 2 strided, 3 VPQ)`, tagAt);
  const cudaAt = r.at;
  const cuda = r.scalar("dataset cudaDataType", "<u4");
  if (cuda !== info.cuda) {
    r.fail(
      `cudaDataType ${cuda} does not match the index dtype ${dtype} (expected ${info.cuda})`,
      cudaAt,
    );
  }
  const rowsAt = r.at;
  const datasetRows = r.scalar("dataset n_rows", "<i8");
  if (datasetRows !== rows)
    r.fail(`the dataset has ${datasetRows} rows but the index ${rows}`, rowsAt);
  const dimAt = r.at;
  const datasetDim = r.scalar("dataset dim", "<u4");
  if (datasetDim !== dim) r.fail(`the dataset has dim ${datasetDim} but the index ${dim}`, dimAt);
  const strideAt = r.at;
  const stride = r.scalar("dataset stride", "<u4");
  if (stride < dim) r.fail(`the row stride ${stride} is smaller than dim ${dim}`, strideAt);
  const { array } = r.array("dataset", info.descr, [rows, dim]);
  const values =
    dtype === "f32"
      ? (array.data as Float32Array)
      : dtype === "f16"
        ? float16ToFloat32(array.data as Uint16Array)
        : Float32Array.from(array.data as Int8Array | Uint8Array);
  return matrix(values, rows, dim);
}

/**
 * Decodes a cuVS CAGRA index file (format version 5) into a CagraIndex with an f32 dataset.
 * Anything else (another version, a truncated or corrupt file, graph ids ≥ n_rows, VPQ
 * datasets, metrics other than L2Expanded, InnerProduct and CosineExpanded) throws a
 * FormatError naming the field and byte offset.
 *
 * @example
 * const index = decodeCagraIndex(new Uint8Array(await (await fetch("sift.cagra")).arrayBuffer()));
 */
export function decodeCagraIndex(bytes: Uint8Array): CagraIndex {
  const r: Reader = new Reader(bytes);
  const dtype = readPrefix(r);
  const versionAt = r.at;
  const version = r.scalar("version", "<i4");
  if (version !== CAGRA_SERIALIZATION_VERSION) {
    r.fail(
      `serialization version ${version} is not supported; cuVS and this reader read version 5 only`,
      versionAt,
    );
  }
  const rows = r.scalar("n_rows", "<u4");
  const dim = r.scalar("dim", "<u4");
  const degreeAt = r.at;
  const degree = r.scalar("graph_degree", "<u4");
  if (degree > MAX_GRAPH_DEGREE)
    r.fail(`graph_degree ${degree} exceeds cuVS's maximum ${MAX_GRAPH_DEGREE}`, degreeAt);
  const metricAt = r.at;
  const code = r.scalar("metric", "<i4", "<u4");
  const metric = (Object.keys(CUVS_METRIC_CODES) as Metric[]).find(
    (m) => CUVS_METRIC_CODES[m] === code,
  );
  if (metric === undefined) {
    const name = CUVS_METRIC_NAMES[code];
    r.fail(
      `metric ${code}${name ? ` (${name})` : ""} is not supported; supported: L2Expanded (0), CosineExpanded (2), InnerProduct (6)`,
      metricAt,
    );
  }
  const graphRead = r.array("graph", "<u4", [rows, degree]);
  const neighbors = graphRead.array.data as Uint32Array;
  for (let i = 0; i < neighbors.length; i++) {
    if (neighbors[i]! >= rows) {
      const node = Math.floor(i / degree);
      r.fail(
        `node ${node}, rank ${i - node * degree} points to ${neighbors[i]}, but ids must be < n_rows ${rows}`,
        graphRead.dataStart + 4 * i,
      );
    }
  }
  const contentAt = r.at;
  const content = r.scalar("content_map", "<u4");
  if ((content & ~(HAS_DATASET | HAS_SOURCE_INDICES)) !== 0)
    r.fail(`unknown content_map bits 0x${content.toString(16)}`, contentAt);
  const dataset = content & HAS_DATASET ? readDataset(r, dtype, rows, dim) : undefined;
  const sourceIndices =
    content & HAS_SOURCE_INDICES
      ? (r.array("source_indices", "<u4", [rows]).array.data as Uint32Array)
      : undefined;
  r.field = "end of file";
  if (r.at !== bytes.length) r.fail(`${bytes.length - r.at} unexpected bytes follow the index`);
  const graph = { neighbors, size: rows, degree };
  return sourceIndices
    ? { metric, dtype, dataset, graph, sourceIndices }
    : { metric, dtype, dataset, graph };
}
