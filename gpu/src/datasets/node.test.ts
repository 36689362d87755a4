import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { matrix } from "../common/matrix.js";
import { npyArray } from "./npy.js";
import { int32Table } from "./table.js";
import {
  loadIds,
  loadNpy,
  loadSift5k,
  loadVectors,
  saveIds,
  saveNpy,
  saveVectors,
  writeFileAtomic,
} from "./node.js";
import { SIFT_5K_DIR } from "../../test/datasets.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("creates and replaces a file, leaving no temporary file behind", async () => {
    const path = join(dir, "a.bin");
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    assert.deepEqual(new Uint8Array(readFileSync(path)), new Uint8Array([4, 5]));
    assert.deepEqual(readdirSync(dir), ["a.bin"]);
  });

  it("on failure leaves the target as it was and removes the temporary file", async () => {
    const sub = join(dir, "fail");
    mkdirSync(join(sub, "target"), { recursive: true });
    writeFileSync(join(sub, "target", "keep"), "x");
    // Renaming a file over a non-empty directory fails after the data is written.
    await assert.rejects(
      writeFileAtomic(join(sub, "target"), new Uint8Array(1000)),
      /EISDIR|ENOTEMPTY|EEXIST/,
    );
    assert.deepEqual(readdirSync(sub), ["target"]);
    assert.deepEqual(readdirSync(join(sub, "target")), ["keep"]);
    await assert.rejects(
      writeFileAtomic(join(dir, "missing", "x.bin"), new Uint8Array(1)),
      /ENOENT/,
    );
  });
});

describe("loaders and savers", () => {
  const m = matrix(new Float32Array([0, 1, 2, 3, 4, 5]), 2, 3);

  it("round-trip vectors and ids through every extension", async () => {
    for (const ext of ["fvecs", "bvecs", "fbin", "f16bin", "u8bin", "i8bin", "npy"]) {
      const path = join(dir, `v.${ext}`);
      await saveVectors(path, m);
      assert.deepEqual(await loadVectors(path), m, ext);
    }
    const t = int32Table(new Int32Array([5, -6, 7, 8]), 2, 2);
    for (const ext of ["ivecs", "ibin", "npy"]) {
      const path = join(dir, `ids.${ext}`);
      await saveIds(path, t);
      assert.deepEqual(await loadIds(path), t, ext);
    }
    const a = npyArray("<u8", [2], new BigUint64Array([1n, 2n ** 60n]));
    await saveNpy(join(dir, "a.npy"), a);
    assert.deepEqual(await loadNpy(join(dir, "a.npy")), a);
  });

  it("name the file and offset when a file is broken, and refuse unknown extensions", async () => {
    const path = join(dir, "broken.fbin");
    writeFileSync(path, new Uint8Array([2, 0, 0, 0, 3, 0, 0, 0, 1, 2]));
    await assert.rejects(loadVectors(path), {
      name: "FormatError",
      message: new RegExp(`\\.fbin file ${path}: the header declares 2 rows × 3 values`),
    });
    await assert.rejects(
      loadVectors(join(dir, "ids.ivecs")),
      /\.ivecs holds ids; use the ids functions/,
    );
    await assert.rejects(saveVectors(join(dir, "x.csv"), m), /cannot tell the format of .*x\.csv/);
  });

  it("loads the SIFT-5k sample from its folder", async () => {
    const sift = await loadSift5k(SIFT_5K_DIR);
    assert.equal(sift.base.rows, 5000);
    assert.equal(sift.ids[4999], 105000);
    assert.equal(sift.queries.rows, 3);
  });
});
