import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { matrix } from "../../common/matrix.js";
import { seededRandom } from "../../common/random.js";
import { bytesOf, float16ToFloat32 } from "../../datasets/dtype.js";
import { FormatError } from "../../datasets/format-error.js";
import { HAS_PYTHON, runPython } from "../../../test/python.js";
import type { CagraIndex, DType, Metric } from "../types.js";
import { CUVS_METRIC_CODES, decodeCagraIndex, encodeCagraIndex } from "./cagra-format.js";
import { loadCagraIndex, saveCagraIndex } from "./node.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-cagra-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * cuVS's writer, transcribed in Python from the current C++ sources: cuVS
 * cpp/src/neighbors/detail/cagra/cagra_serialize.cuh serialize(),
 * cpp/src/neighbors/detail/dataset_serialize.hpp serialize(strided_dataset), and RAFT's
 * cpp/include/raft/core/detail/mdspan_numpy_serializer.hpp (write_header: "{'descr': ...,
 * 'fortran_order': False, 'shape': (...)}" padded to 64 bytes; half as '<e2'). Scalars take the
 * C++ types: version int, n_rows/dim/graph_degree uint32, metric cuvs::distance::DistanceType
 * (`enum class DistanceType : int` in cpp/include/cuvs/distance/distance.hpp, so '<i4'),
 * cudaDataType_t a C enum (unsigned: '<u4'), content_map and tag uint32, dataset n_rows int64.
 */
const CUVS_WRITER = `import sys, json, numpy as np
def header(descr, shape):
  t = "()" if len(shape) == 0 else f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
  s = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + t + "}"
  pad = 64 - (6 + 2 + 2 + len(s) + 1) % 64
  n = len(s) + pad + 1
  return b"\\x93NUMPY\\x01\\x00" + bytes([n & 255, n >> 8]) + s.encode() + b" " * pad + b"\\n"
def mdspan(a):
  return header("<e2" if a.dtype == np.float16 else a.dtype.str, a.shape) + a.tobytes()
def scalar(v, t):
  return mdspan(np.array(v, dtype=t))
def write(spec):
  d = spec["dir"]
  dt = np.dtype({"f32": "<f4", "f16": "<f2", "i8": "|i1", "u8": "|u1"}[spec["dtype"]])
  cuda = {"f32": 0, "f16": 2, "i8": 3, "u8": 8}[spec["dtype"]]
  n, dim, g = spec["n_rows"], spec["dim"], spec["graph_degree"]
  out = dt.str.encode().ljust(4, b"\\0")
  out += scalar(spec.get("version", 5), spec.get("version_dtype", "<i4"))
  out += scalar(n, "<u4") + scalar(dim, "<u4") + scalar(g, "<u4")
  out += scalar(spec["metric"], spec.get("metric_dtype", "<i4"))
  out += mdspan(np.fromfile(f"{d}/graph.u32", dtype="<u4").reshape(n, g))
  content = 1 * spec["include_dataset"] + 2 * spec["has_source_indices"]
  out += scalar(content, "<u4")
  if spec.get("vpq"):
    out += scalar(3, "<u4")
  elif spec["include_dataset"]:
    stride = -(-dim * dt.itemsize // 16) * 16 // dt.itemsize
    out += scalar(2, "<u4") + scalar(cuda, "<u4") + scalar(n, "<i8") + scalar(dim, "<u4") + scalar(stride, "<u4")
    out += mdspan(np.fromfile(f"{d}/dataset.raw", dtype=dt).reshape(n, dim))
  if spec["has_source_indices"]:
    out += mdspan(np.fromfile(f"{d}/source.u32", dtype="<u4"))
  open(spec["out"], "wb").write(out)
for path in sys.argv[1:]:
  write(json.load(open(path)))
`;

interface Case {
  name: string;
  dtype: DType;
  metric: Metric;
  rows: number;
  dim: number;
  degree: number;
  dataset: boolean;
  includeDataset?: boolean;
  sourceIndices?: boolean;
}

/** A random index whose values are exact in its dtype (as if loaded from a file of it). */
function makeIndex(c: Case): { index: CagraIndex; stored: Uint8Array } {
  const rand = seededRandom(c.rows * 31 + c.dim);
  const neighbors = new Uint32Array(c.rows * c.degree).map(() => Math.floor(rand() * c.rows));
  const count = c.rows * c.dim;
  let values: Float32Array;
  let stored: ArrayBufferView;
  if (c.dtype === "f16") {
    const bits = new Uint16Array(count).map(
      () => Math.floor(rand() * 0x7bff) | (rand() < 0.5 ? 0x8000 : 0),
    );
    values = float16ToFloat32(bits);
    stored = bits;
  } else if (c.dtype === "f32") {
    values = new Float32Array(count).map(() => rand() * 200 - 100);
    stored = values;
  } else {
    const ints = c.dtype === "i8" ? new Int8Array(count) : new Uint8Array(count);
    ints.forEach((_, i) => (ints[i] = Math.floor(rand() * 256) - (c.dtype === "i8" ? 128 : 0)));
    values = Float32Array.from(ints);
    stored = ints;
  }
  const index: CagraIndex = {
    metric: c.metric,
    dtype: c.dtype,
    dataset: c.dataset ? matrix(values, c.rows, c.dim) : undefined,
    graph: { neighbors, size: c.rows, degree: c.degree },
    ...(c.sourceIndices
      ? { sourceIndices: new Uint32Array(c.rows).map((_, i) => 1000 + 3 * i) }
      : {}),
  };
  return { index, stored: bytesOf(stored) };
}

type Overrides = Record<string, unknown>;

/** Writes `c`'s inputs and spec for the Python writer; returns the spec file and output path. */
function prepare(c: Case, overrides: Overrides): { spec: string; out: string } {
  const { index, stored } = makeIndex(c);
  const caseDir = join(dir, `${c.name}-${Object.keys(overrides).join("-")}`);
  mkdirSync(caseDir, { recursive: true });
  writeFileSync(join(caseDir, "graph.u32"), bytesOf(index.graph.neighbors));
  writeFileSync(join(caseDir, "dataset.raw"), stored);
  if (index.sourceIndices) writeFileSync(join(caseDir, "source.u32"), bytesOf(index.sourceIndices));
  const out = join(caseDir, "index.cagra");
  const spec = join(caseDir, "spec.json");
  writeFileSync(
    spec,
    JSON.stringify({
      dir: caseDir,
      dtype: c.dtype,
      n_rows: c.rows,
      dim: c.dataset ? c.dim : 0,
      graph_degree: c.degree,
      metric: CUVS_METRIC_CODES[c.metric],
      include_dataset: c.dataset && (c.includeDataset ?? true),
      has_source_indices: c.sourceIndices ?? false,
      out,
      ...overrides,
    }),
  );
  return { spec, out };
}

/** The bytes cuVS's writer (the Python transcription) produces for each case, in one run. */
function cuvsBytes(runs: readonly (readonly [Case, Overrides])[]): Uint8Array[] {
  const prepared = runs.map(([c, overrides]) => prepare(c, overrides));
  runPython(
    CUVS_WRITER,
    prepared.map((p) => p.spec),
  );
  return prepared.map((p) => new Uint8Array(readFileSync(p.out)));
}

const CASES: Case[] = [
  {
    name: "f32-l2",
    dtype: "f32",
    metric: "sqeuclidean",
    rows: 37,
    dim: 5,
    degree: 6,
    dataset: true,
  },
  {
    name: "f16-ip",
    dtype: "f16",
    metric: "inner_product",
    rows: 20,
    dim: 3,
    degree: 4,
    dataset: true,
  },
  {
    name: "i8-cos-src",
    dtype: "i8",
    metric: "cosine",
    rows: 25,
    dim: 7,
    degree: 5,
    dataset: true,
    sourceIndices: true,
  },
  {
    name: "u8-no-data",
    dtype: "u8",
    metric: "sqeuclidean",
    rows: 30,
    dim: 16,
    degree: 8,
    dataset: true,
    includeDataset: false,
  },
  {
    name: "graph-only",
    dtype: "f32",
    metric: "sqeuclidean",
    rows: 12,
    dim: 4,
    degree: 3,
    dataset: false,
    sourceIndices: true,
  },
];

/** What decoding gives back: the index, less a dataset that was not written. */
function expected(c: Case): CagraIndex {
  const { index } = makeIndex(c);
  return c.includeDataset === false ? { ...index, dataset: undefined } : index;
}

/** Variants of CASES[0] that cuVS must refuse, with what the error says. */
const REJECTED: readonly (readonly [Overrides, RegExp])[] = [
  [
    { version: 4 },
    /^cuVS CAGRA index: version: serialization version 4 is not supported.*\(at byte 4\)$/,
  ],
  [{ metric: 1 }, /metric: metric 1 \(L2SqrtExpanded\) is not supported.*\(at byte 532\)/],
  [{ metric_dtype: "<i8" }, /metric: expected dtype '<i4' or '<u4', got '<i8'/],
  [{ vpq: true }, /dataset tag: the dataset is VPQ-compressed/],
];

describe(
  "cuVS CAGRA format v5",
  { skip: !HAS_PYTHON && "needs .venv/bin/python with numpy" },
  () => {
    let cuvs: Uint8Array[] = [];
    let rejected: Uint8Array[] = [];
    before(() => {
      const all = cuvsBytes([
        ...CASES.map((c) => [c, {}] as const),
        ...REJECTED.map(([overrides]) => [CASES[0]!, overrides] as const),
      ]);
      cuvs = all.slice(0, CASES.length);
      rejected = all.slice(CASES.length);
    });

    it("writes the same bytes as cuVS's serializer, for every dtype, metric and content", () => {
      CASES.forEach((c, i) => {
        const ours = encodeCagraIndex(makeIndex(c).index, {
          includeDataset: c.includeDataset ?? true,
        });
        assert.deepEqual(ours, cuvs[i], c.name);
      });
    });

    it("reads cuVS's bytes back to the same index", () => {
      CASES.forEach((c, i) => assert.deepEqual(decodeCagraIndex(cuvs[i]!), expected(c), c.name));
    });

    it("round-trips: decode(encode(x)) == x", () => {
      for (const c of CASES) {
        const options = { includeDataset: c.includeDataset ?? true };
        assert.deepEqual(
          decodeCagraIndex(encodeCagraIndex(makeIndex(c).index, options)),
          expected(c),
          c.name,
        );
      }
    });

    it("rejects another version, metric, dataset kind or scalar type, naming field and offset", () => {
      REJECTED.forEach(([overrides, message], i) =>
        assert.throws(
          () => decodeCagraIndex(rejected[i]!),
          (e: unknown) => {
            assert.ok(e instanceof FormatError, String(e));
            assert.match(e.message, message, JSON.stringify(overrides));
            assert.match(e.message, /not a cuVS CAGRA v5 index/);
            return true;
          },
        ),
      );
    });

    it("rejects every truncation, a foreign file, bad graph ids and trailing bytes", () => {
      const bytes = cuvs[2]!;
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.throws(
          () => decodeCagraIndex(bytes.subarray(0, cut)),
          (e: unknown) => {
            assert.ok(e instanceof FormatError, `cut at ${cut}: ${String(e)}`);
            assert.match(
              e.message,
              /needs \d+ bytes, but the input ends|fewer than the 4-byte dtype prefix/,
              `cut at ${cut}`,
            );
            assert.ok(e.offset <= cut, `cut at ${cut}: offset ${e.offset}`);
            return true;
          },
        );
      }
      const npyFile = bytes.subarray(4);
      assert.throws(
        () => decodeCagraIndex(npyFile),
        /dtype prefix: expected "<f4", "<f2", "\|i1" or "\|u1" padded to 4 bytes, found bytes 93 4e 55 4d/,
      );
      const badId = bytes.slice();
      const graphData = 4 + 5 * 132 + 128; // prefix, five scalars, the graph's header
      new DataView(badId.buffer).setUint32(graphData + 4 * (3 * 5 + 2), 9999, true);
      assert.throws(() => decodeCagraIndex(badId), {
        name: "FormatError",
        message: new RegExp(
          `graph: node 3, rank 2 points to 9999, but ids must be < n_rows 25.*\\(at byte ${graphData + 68}\\)`,
        ),
      });
      assert.throws(
        () => decodeCagraIndex(new Uint8Array([...bytes, 0])),
        /1 unexpected bytes follow the index/,
      );
    });
  },
);

describe("encodeCagraIndex input checks and file I/O", () => {
  const { index } = makeIndex(CASES[0]!);

  it("refuses values a dtype cannot hold and graph ids out of range", () => {
    const i8 = { ...index, dtype: "i8" as const };
    assert.throws(
      () => encodeCagraIndex(i8),
      /dataset \(dtype i8\): the value at row 0, column 0 is/,
    );
    const bad = {
      ...index,
      graph: { ...index.graph, neighbors: index.graph.neighbors.slice().fill(37, 4, 5) },
    };
    assert.throws(() => encodeCagraIndex(bad), /node 0, rank 4 points to 37, but ids must be < 37/);
    assert.throws(
      () => encodeCagraIndex({ ...index, sourceIndices: new Uint32Array(3) }),
      /sourceIndices holds 3 ids/,
    );
  });

  it("writes the metric as '<i4' and also reads the '<u4' of older cuVS nightly builds", () => {
    const bytes = encodeCagraIndex(index);
    // The metric is the fifth 0-d scalar after the 4-byte prefix; each blob is 132 bytes.
    const metricDescr = 4 + 4 * 132 + 10 + "{'descr': '".length;
    const text = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 3));
    assert.equal(text(metricDescr), "<i4");
    const older = bytes.slice();
    older[metricDescr + 1] = "u".charCodeAt(0);
    assert.deepEqual(decodeCagraIndex(older), index);
  });

  it("saves atomically and loads back; a failed save leaves no file", async () => {
    const path = join(dir, "saved.cagra");
    await saveCagraIndex(path, index);
    assert.deepEqual(await loadCagraIndex(path), index);
    const failed = join(dir, "failed.cagra");
    await assert.rejects(saveCagraIndex(failed, { ...index, dtype: "u8" }), RangeError);
    assert.equal(existsSync(failed), false);
    writeFileSync(failed, readFileSync(path).subarray(0, 300));
    await assert.rejects(
      loadCagraIndex(failed),
      new RegExp(`cuVS CAGRA index ${failed}: .*truncated`),
    );
  });
});
