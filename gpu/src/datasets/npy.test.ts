import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { matrix } from "../common/matrix.js";
import { float16ToFloat32 } from "./dtype.js";
import { FormatError } from "./format-error.js";
import {
  decodeNpy,
  encodeNpy,
  matrixToNpy,
  npyArray,
  npyToInt32Table,
  npyToMatrix,
  parseNpy,
  type NpyArray,
} from "./npy.js";
import { HAS_PYTHON, runPython } from "../../test/python.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-npy-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

/** Arrays numpy saves, one per supported dtype and shape kind; values are listed as text. */
const NUMPY_CASES = `
rng = np.random.default_rng(11)
cases = {
  "f4_2d": rng.standard_normal((7, 5)).astype("<f4"),
  "f2_1d": rng.standard_normal(9).astype("<f2"),
  "f8_3d": rng.standard_normal((2, 3, 4)),
  "i1_2d": rng.integers(-128, 128, (4, 6)).astype("|i1"),
  "u1_2d": rng.integers(0, 256, (3, 3)).astype("|u1"),
  "i2_1d": rng.integers(-30000, 30000, 5).astype("<i2"),
  "u2_1d": rng.integers(0, 65535, 5).astype("<u2"),
  "i4_2d": rng.integers(-2**31, 2**31, (5, 2)).astype("<i4"),
  "u4_0d": np.array(4000000000, dtype="<u4"),
  "i8_2d": np.array([[-2**40, 3], [2**62, -1]], dtype="<i8"),
  "u8_1d": np.array([0, 2**63 + 5, 7], dtype="<u8"),
  "empty": np.zeros((0, 5), dtype="<f4"),
  "long_axis": np.zeros((10**12, 0), dtype="<f4"),
}
`;

interface Case {
  descr: string;
  shape: number[];
  values: string[];
}
let manifest: Record<string, Case> = {};

describe(".npy against numpy", { skip: !HAS_PYTHON && "needs .venv/bin/python" }, () => {
  before(() => {
    const out = runPython(
      `import sys, json, numpy as np
from numpy.lib import format as fmt
${NUMPY_CASES}
d = sys.argv[1]
manifest = {}
for name, a in cases.items():
  np.save(f"{d}/{name}.npy", a)
  manifest[name] = {"descr": a.dtype.str, "shape": list(a.shape), "values": [repr(v) for v in a.ravel()[:8].tolist()]}
for v in [(2, 0), (3, 0)]:
  with open(f"{d}/v{v[0]}.npy", "wb") as f:
    fmt.write_array(f, cases["f4_2d"], version=v)
np.save(f"{d}/fortran.npy", np.asfortranarray(rng.standard_normal((3, 4)).astype("<f4")))
np.save(f"{d}/complex.npy", np.zeros(3, dtype="<c8"))
np.save(f"{d}/bigendian.npy", np.zeros(3, dtype=">f4"))
np.save(f"{d}/unicode.npy", np.array(["ab", "cd"]))
print(json.dumps(manifest))`,
      [dir],
    );
    manifest = JSON.parse(out) as Record<string, Case>;
  });

  it("reads every dtype and shape numpy writes, values included", () => {
    for (const [name, c] of Object.entries(manifest)) {
      const a = parseNpy(file(`${name}.npy`));
      assert.equal(a.descr, c.descr, name);
      assert.deepEqual(a.shape, c.shape, name);
      const first = Array.from(a.data.slice(0, 8) as ArrayLike<number | bigint>);
      const values =
        a.descr === "<f2" ? Array.from(float16ToFloat32(a.data as Uint16Array).slice(0, 8)) : first;
      assert.deepEqual(
        values.map((v) => (typeof v === "bigint" ? v.toString() : v)),
        c.values.map((v) => (a.descr === "<i8" || a.descr === "<u8" ? v : Number(v))),
        name,
      );
    }
  });

  it("writes exactly the bytes np.save writes (header, spare spaces, padding, data)", () => {
    for (const name of Object.keys(manifest)) {
      const bytes = file(`${name}.npy`);
      assert.deepEqual(encodeNpy(parseNpy(bytes)), bytes, name);
    }
  });

  it("reads version 2.0 and 3.0 headers", () => {
    const v1 = parseNpy(file("f4_2d.npy"));
    for (const v of ["v2", "v3"]) {
      const bytes = file(`${v}.npy`);
      assert.equal(bytes[6], Number(v[1]));
      assert.deepEqual(parseNpy(bytes), v1, v);
    }
  });

  it("refuses Fortran order and unsupported dtypes with a message saying so", () => {
    assert.throws(() => parseNpy(file("fortran.npy")), {
      name: "FormatError",
      message: /Fortran \(column-major\) order.*\(at byte 10\)/,
    });
    for (const [name, descr] of [
      ["complex", "<c8"],
      ["bigendian", ">f4"],
      ["unicode", "<U2"],
    ]) {
      assert.throws(() => parseNpy(file(`${name}.npy`)), {
        name: "FormatError",
        message: new RegExp(`unsupported dtype '${descr}'`),
      });
    }
  });

  it("writes RAFT's header layout for cuVS files, as its C++ serializer does", () => {
    // RAFT's write_header: the dict without a trailing ", ", padded with spaces to 64 bytes.
    const out = runPython(
      `import numpy as np
def raft(descr, shape, data):
  t = "()" if len(shape) == 0 else f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
  d = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + t + "}"
  pad = 64 - (6 + 2 + 2 + len(d) + 1) % 64
  n = len(d) + pad + 1
  return b"\\x93NUMPY\\x01\\x00" + bytes([n & 255, n >> 8]) + d.encode() + b" " * pad + b"\\n" + data
print(raft("<i4", (), np.array(5, "<i4").tobytes()).hex())
print(raft("<u4", (3, 4), np.arange(12, dtype="<u4").tobytes()).hex())
print(raft("<e2", (3,), np.array([1, -2, 0.5], "<f2").tobytes()).hex())`,
    );
    const [scalar, grid, half] = out.trim().split("\n");
    const hex = (a: NpyArray) => Buffer.from(encodeNpy(a, "raft")).toString("hex");
    assert.equal(hex(npyArray("<i4", [], new Int32Array([5]))), scalar);
    assert.equal(
      hex(
        npyArray(
          "<u4",
          [3, 4],
          new Uint32Array(12).map((_, i) => i),
        ),
      ),
      grid,
    );
    assert.equal(hex(npyArray("<f2", [3], new Uint16Array([0x3c00, 0xc000, 0x3800]))), half);
  });
});

describe(".npy codec", () => {
  const samples: NpyArray[] = [
    npyArray("<f4", [2, 3], new Float32Array([1, -2, 3.5, 0, 1e-30, -7])),
    npyArray("<f2", [2], new Uint16Array([0x3c00, 0x7c00])),
    npyArray("<f8", [1, 1, 2], new Float64Array([Math.PI, -0])),
    npyArray("|i1", [3], new Int8Array([-128, 0, 127])),
    npyArray("|u1", [2, 2], new Uint8Array([0, 1, 254, 255])),
    npyArray("<i2", [1], new Int16Array([-32768])),
    npyArray("<u2", [1], new Uint16Array([65535])),
    npyArray("<i4", [], new Int32Array([-5])),
    npyArray("<u4", [4], new Uint32Array([0, 1, 2 ** 31, 2 ** 32 - 1])),
    npyArray("<i8", [2], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])),
    npyArray("<u8", [1], new BigUint64Array([2n ** 64n - 1n])),
    npyArray("<f4", [0, 7], new Float32Array(0)),
  ];

  it("round-trips every dtype in both header styles: read(write(x)) == x", () => {
    for (const a of samples) {
      for (const style of ["numpy", "raft"] as const) {
        const bytes = encodeNpy(a, style);
        assert.equal(
          (bytes.length - a.data.byteLength) % 64,
          0,
          "data starts on a 64-byte boundary",
        );
        assert.deepEqual(parseNpy(bytes), a, `${a.descr} ${style}`);
      }
    }
  });

  it("reads blobs back to back and reports where each ends", () => {
    const a = encodeNpy(samples[0]!, "raft");
    const b = encodeNpy(samples[7]!, "raft");
    const both = new Uint8Array([...a, ...b]);
    const first = decodeNpy(both, 0);
    assert.equal(first.end, a.length);
    assert.deepEqual(decodeNpy(both, first.end).array, samples[7]);
  });

  it("names truncation, a wrong magic and a broken header, with the byte offset", () => {
    const bytes = encodeNpy(samples[0]!);
    for (const cut of [0, 5, 9, 40, 127, 128, bytes.length - 1]) {
      assert.throws(
        () => parseNpy(bytes.subarray(0, cut)),
        (e: unknown) => {
          assert.ok(
            e instanceof FormatError && /may be truncated/.test(e.message),
            `cut ${cut}: ${String(e)}`,
          );
          return true;
        },
      );
    }
    const wrong = bytes.slice();
    wrong[1] = 0x4d;
    assert.throws(
      () => parseNpy(wrong),
      /expected the \.npy magic "\\x93NUMPY" but found bytes 93 4d/,
    );
    const version = bytes.slice();
    version[6] = 9;
    assert.throws(() => parseNpy(version), /unsupported \.npy version 9\.0 .*\(at byte 6\)/);
    const header = bytes.slice();
    header.set(new TextEncoder().encode("'shape': [2, 3]"), 46);
    assert.throws(() => parseNpy(header), { name: "FormatError", message: /header dict/ });
  });

  it("converts to and from matrices and id tables, refusing values a dtype cannot hold", () => {
    const m = matrix(new Float32Array([1, 2, 3, 250, -4, 6]), 2, 3);
    assert.deepEqual(npyToMatrix(parseNpy(encodeNpy(matrixToNpy(m)))), m);
    assert.deepEqual(npyToMatrix(matrixToNpy(m, "<f2")), m, "small integers are exact in f16");
    assert.deepEqual(npyToMatrix(matrixToNpy(m, "<i2")), m);
    assert.throws(() => matrixToNpy(m, "|u1"), /row 1, column 1 is -4/);
    const ids = npyToInt32Table(npyArray("<i8", [1, 2], new BigInt64Array([7n, 9n])));
    assert.deepEqual(Array.from(ids.data), [7, 9]);
    assert.throws(
      () => npyToInt32Table(npyArray("<u8", [1, 1], new BigUint64Array([2n ** 40n]))),
      /not an integer in \[-2147483648/,
    );
    assert.throws(() => npyToInt32Table(samples[0]!), /expected an integer array/);
    assert.throws(() => npyToMatrix(samples[3]!), /expected a 2-d array/);
  });
});

it("parseNpy reads a Node Buffer (whose slice() is a view into a shared pool)", () => {
  const bytes = encodeNpy(npyArray("<f4", [4], new Float32Array([0, 1, 2, 3])));
  const pooled = Buffer.concat([Buffer.alloc(7), Buffer.from(bytes)]).subarray(7);
  const a = parseNpy(pooled);
  assert.deepEqual([...a.data], [0, 1, 2, 3]);
});
