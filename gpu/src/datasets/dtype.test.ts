import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { exactIntegers, float16ToFloat32, float32ToFloat16 } from "./dtype.js";
import { HAS_PYTHON, runPython } from "../../test/python.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-dtype-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function read<T>(name: string, Type: { new (b: ArrayBuffer): T }): T {
  const b = readFileSync(join(dir, name));
  return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe(
  "half precision",
  { skip: !HAS_PYTHON && "needs .venv/bin/python (scripts/setup.sh)" },
  () => {
    it("decodes every one of the 65536 half bit patterns as numpy does", () => {
      runPython(
        `import sys, numpy as np
bits = np.arange(65536, dtype=np.uint16)
bits.view(np.float16).astype(np.float32).tofile(sys.argv[1])`,
        [join(dir, "all-halves.f32")],
      );
      const expected = read("all-halves.f32", Float32Array);
      const bits = new Uint16Array(65536).map((_, i) => i);
      const got = float16ToFloat32(bits);
      for (let i = 0; i < 65536; i++) {
        if (Number.isNaN(expected[i]!)) assert.ok(Number.isNaN(got[i]!), `pattern ${i}`);
        else assert.equal(Object.is(got[i], expected[i]), true, `pattern 0x${i.toString(16)}`);
      }
    });

    it("rounds f32 to half exactly as numpy's astype(float16), ties and edges included", () => {
      runPython(
        `import sys, numpy as np
rng = np.random.default_rng(3)
halves = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32)
finite = halves[np.isfinite(halves)]
# Midpoints between neighbouring halves (ties to even), just off them, and random values.
mid = (finite[:-1].astype(np.float64) + finite[1:]) / 2
x = np.concatenate([
  finite, mid.astype(np.float32), np.nextafter(mid.astype(np.float32), np.float32(np.inf)),
  np.nextafter(mid.astype(np.float32), np.float32(-np.inf)),
  rng.standard_normal(20000).astype(np.float32) * np.float32(1000),
  np.array([0.0, -0.0, 65504, 65519.99, 65520, 1e9, -1e9, 1e-8, 2.9e-8, 3.0e-8, -6e-8, np.inf, -np.inf, np.nan], dtype=np.float32),
]).astype(np.float32)
x.tofile(sys.argv[1])
with np.errstate(over="ignore"):
  x.astype(np.float16).view(np.uint16).tofile(sys.argv[2])`,
        [join(dir, "x.f32"), join(dir, "x.f16")],
      );
      const x = read("x.f32", Float32Array);
      const expected = read("x.f16", Uint16Array);
      const got = float32ToFloat16(x);
      let checked = 0;
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x[i]!)) {
          assert.equal(got[i]! & 0x7c00, 0x7c00, "NaN keeps an all-ones exponent");
          assert.notEqual(got[i]! & 0x3ff, 0, "NaN keeps a non-zero mantissa");
        } else {
          assert.equal(got[i], expected[i], `value ${x[i]} (index ${i})`);
        }
        checked++;
      }
      assert.ok(checked > 150_000);
    });
  },
);

describe("exactIntegers", () => {
  it("copies integers in range and names the first value that does not fit", () => {
    assert.deepEqual(exactIntegers([0, -128, 127], "i8", "t"), new Int8Array([0, -128, 127]));
    assert.throws(() => exactIntegers([1, 2, 256, 4], "u8", "save: m", 2), {
      name: "RangeError",
      message:
        /save: m: the value at row 1, column 0 is 256, which is not an integer in \[0, 255\]/,
    });
    assert.throws(() => exactIntegers([0.5], "i32", "ids"), /index 0 is 0.5/);
  });
});
