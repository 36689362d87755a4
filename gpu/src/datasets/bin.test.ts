import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { matrix } from "../common/matrix.js";
import { binDTypeOf, encodeBin, parseBin, type VectorBinDType } from "./bin.js";
import { FormatError } from "./format-error.js";
import { int32Table } from "./table.js";
import { HAS_PYTHON, runPython } from "../../test/python.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-bin-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

describe("cuvs-bench .fbin / .f16bin / .ibin / .u8bin / .i8bin", () => {
  it(
    "reads files written as cuvs-bench writes them (u32 n, u32 d, values)",
    { skip: !HAS_PYTHON && "needs .venv/bin/python" },
    () => {
      runPython(
        `import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(9)
arrays = {"x.fbin": rng.standard_normal((5, 3)).astype("<f4"),
          "x.f16bin": rng.standard_normal((4, 6)).astype("<f2"),
          "x.ibin": rng.integers(-10, 10**9, (2, 5)).astype("<i4"),
          "x.u8bin": rng.integers(0, 256, (3, 2)).astype("|u1"),
          "x.i8bin": rng.integers(-128, 128, (3, 4)).astype("|i1")}
for name, a in arrays.items():
  with open(f"{d}/{name}", "wb") as f:
    np.array(a.shape, dtype="<u4").tofile(f)
    a.tofile(f)
  a.astype("<f8").tofile(f"{d}/{name}.f64")`,
        [dir],
      );
      for (const [name, rows, cols] of [
        ["x.fbin", 5, 3],
        ["x.f16bin", 4, 6],
        ["x.u8bin", 3, 2],
        ["x.i8bin", 3, 4],
      ] as const) {
        const dtype = binDTypeOf(name) as VectorBinDType;
        const m = parseBin(file(name), dtype);
        assert.deepEqual(
          m,
          matrix(Float32Array.from(new Float64Array(file(`${name}.f64`).buffer)), rows, cols),
          name,
        );
        assert.deepEqual(encodeBin(m, dtype), file(name), `${name} re-encoded`);
      }
      const ids = parseBin(file("x.ibin"), "i32");
      assert.deepEqual(
        ids,
        int32Table(Int32Array.from(new Float64Array(file("x.ibin.f64").buffer)), 2, 5),
      );
      assert.deepEqual(encodeBin(ids, "i32"), file("x.ibin"));
    },
  );

  it("round-trips every element type and knows the extensions", () => {
    const m = matrix(new Float32Array([0, -1, 2, 100, -128, 127]), 2, 3);
    for (const dtype of ["f32", "f16", "i8"] as const)
      assert.deepEqual(parseBin(encodeBin(m, dtype), dtype), m, dtype);
    const f = matrix(new Float32Array([0.1, -3.75]), 1, 2);
    assert.deepEqual(parseBin(encodeBin(f, "f32"), "f32"), f);
    const u = matrix(new Float32Array([0, 255]), 1, 2);
    assert.deepEqual(parseBin(encodeBin(u, "u8"), "u8"), u);
    assert.throws(() => encodeBin(m, "u8"), /row 0, column 1 is -1/);
    const t = int32Table(new Int32Array([3, -4]), 2, 1);
    assert.deepEqual(parseBin(encodeBin(t, "i32"), "i32"), t);
    assert.deepEqual(
      ["a.fbin", "b.F16BIN", "gt.ibin", "base.1B.u8bin", "c.i8bin", "d.npy"].map(binDTypeOf),
      ["f32", "f16", "i32", "u8", "i8", undefined],
    );
  });

  it("names a short header and a body that does not match it", () => {
    const bytes = encodeBin(matrix(new Float32Array(6), 2, 3), "f32");
    assert.throws(() => parseBin(bytes.subarray(0, 5), "f32"), {
      name: "FormatError",
      message: /fewer than the 8-byte header.*truncated/,
    });
    for (const cut of [8, 20, 31]) {
      assert.throws(
        () => parseBin(bytes.subarray(0, cut), "f32"),
        (e: unknown) => {
          assert.ok(e instanceof FormatError);
          assert.match(
            e.message,
            /declares 2 rows × 3 values of 4 bytes = 24 bytes.*may be truncated/,
          );
          return true;
        },
      );
    }
    assert.throws(() => parseBin(bytes, "f16"), /element type is not f16/);
  });
});
