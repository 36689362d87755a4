import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { matrix } from "../common/matrix.js";
import { FormatError } from "./format-error.js";
import { int32Table } from "./table.js";
import { HAS_PYTHON, runPython } from "../../test/python.js";
import {
  encodeBvecs,
  encodeFvecs,
  encodeIvecs,
  parseBvecs,
  parseFvecs,
  parseIvecs,
} from "./vecs.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-vecs-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

describe("TEXMEX .fvecs / .ivecs / .bvecs", () => {
  it(
    "reads files written the TEXMEX way by numpy, and writes the same bytes",
    { skip: !HAS_PYTHON && "needs .venv/bin/python" },
    () => {
      runPython(
        `import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
x = rng.standard_normal((6, 4)).astype("<f4")
ids = rng.integers(-5, 10**6, (3, 7)).astype("<i4")
b = rng.integers(0, 256, (5, 3)).astype("|u1")
np.hstack([np.full((6, 1), 4, "<i4").view("<f4"), x]).tofile(f"{d}/x.fvecs")
np.hstack([np.full((3, 1), 7, "<i4"), ids]).tofile(f"{d}/ids.ivecs")
np.hstack([np.full((5, 1), 3, "<i4").view("|u1").reshape(5, 4), b]).tofile(f"{d}/b.bvecs")
x.tofile(f"{d}/x.raw"); ids.tofile(f"{d}/ids.raw"); b.tofile(f"{d}/b.raw")`,
        [dir],
      );
      const raw = (name: string) => file(name).buffer;
      const x = parseFvecs(file("x.fvecs"));
      assert.deepEqual(x, matrix(new Float32Array(raw("x.raw")), 6, 4));
      const ids = parseIvecs(file("ids.ivecs"));
      assert.deepEqual(ids, int32Table(new Int32Array(raw("ids.raw")), 3, 7));
      const b = parseBvecs(file("b.bvecs"));
      assert.deepEqual(b, matrix(Float32Array.from(new Uint8Array(raw("b.raw"))), 5, 3));
      assert.deepEqual(encodeFvecs(x), file("x.fvecs"));
      assert.deepEqual(encodeIvecs(ids), file("ids.ivecs"));
      assert.deepEqual(encodeBvecs(b), file("b.bvecs"));
    },
  );

  it("round-trips: read(write(x)) == x, empty files included", () => {
    const m = matrix(new Float32Array([1.5, -2, 3, 4, 5, 6e7]), 3, 2);
    assert.deepEqual(parseFvecs(encodeFvecs(m)), m);
    const t = int32Table(new Int32Array([-1, 2 ** 31 - 1, 0]), 1, 3);
    assert.deepEqual(parseIvecs(encodeIvecs(t)), t);
    const u = matrix(new Float32Array([0, 255, 7, 8]), 2, 2);
    assert.deepEqual(parseBvecs(encodeBvecs(u)), u);
    assert.deepEqual(parseFvecs(new Uint8Array(0)), matrix(new Float32Array(0), 0, 0));
    assert.throws(
      () => encodeBvecs(matrix(new Float32Array([1.5]), 1, 1)),
      /not an integer in \[0, 255\]/,
    );
  });

  it("names a size that is not whole records, a changed dimension, and a bad first dimension", () => {
    const bytes = encodeFvecs(matrix(new Float32Array(12).fill(1), 3, 4)); // records of 20 bytes
    for (const cut of [1, 3, 21, 39, 42, 59]) {
      assert.throws(
        () => parseFvecs(bytes.subarray(0, cut)),
        (e: unknown) => {
          assert.ok(e instanceof FormatError, String(e));
          assert.match(
            e.message,
            /is not a whole number of records of 4 \+ 4·4 = 20 bytes|fewer than one record/,
          );
          assert.match(e.message, /may be truncated/);
          return true;
        },
      );
    }
    const changed = bytes.slice();
    new DataView(changed.buffer).setInt32(40, 5, true);
    assert.throws(() => parseFvecs(changed), {
      name: "FormatError",
      message: /record 2 declares dimension 5, but the first record declares 4.*\(at byte 40\)/,
    });
    const zero = bytes.slice();
    new DataView(zero.buffer).setInt32(0, 0, true);
    assert.throws(
      () => parseFvecs(zero),
      /first record declares dimension 0; it must be ≥ 1 \(at byte 0\)/,
    );
    assert.throws(
      () => parseBvecs(new Uint8Array([3, 0, 0, 0, 1, 2])),
      /record 0 needs 7 bytes, but only 6 remain/,
    );
  });
});
