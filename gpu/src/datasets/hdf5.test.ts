import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { matrix } from "../common/matrix.js";
import { annBenchmarksMetric, parseAnnBenchmarksHdf5 } from "./hdf5.js";
import { HAS_PYTHON, runPython } from "../../test/python.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-hdf5-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const f64 = (name: string) => new Float64Array(file(name).buffer);

describe("ann-benchmarks HDF5", { skip: !HAS_PYTHON && "needs .venv/bin/python with h5py" }, () => {
  before(() => {
    // As ann-benchmarks' datasets.py write_output does: attributes, then train/test from
    // arrays, then int neighbors and float distances created empty and filled.
    runPython(
      `import sys, h5py, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(2)
train = rng.standard_normal((60, 8)).astype(np.float32)
test = rng.standard_normal((4, 8)).astype(np.float32)
dist = np.sqrt(((test[:, None, :] - train[None, :, :]) ** 2).sum(-1))
order = np.argsort(dist, axis=1)[:, :10]
with h5py.File(f"{d}/toy-8-euclidean.hdf5", "w") as f:
  f.attrs["type"] = "dense"
  f.attrs["distance"] = "euclidean"
  f.attrs["dimension"] = len(train[0])
  f.attrs["point_type"] = "float"
  f.create_dataset("train", data=train)
  f.create_dataset("test", data=test)
  neighbors = f.create_dataset("neighbors", (len(test), 10), dtype=int)
  distances = f.create_dataset("distances", (len(test), 10), dtype=float)
  neighbors[:] = order
  distances[:] = np.take_along_axis(dist, order, 1)
with h5py.File(f"{d}/no-test.hdf5", "w") as f:
  f.attrs["distance"] = "angular"
  f.create_dataset("train", data=train)
for name, a in [("train", train), ("test", test), ("neighbors", order), ("distances", np.take_along_axis(dist, order, 1))]:
  a.astype(np.float64).tofile(f"{d}/{name}.f64")`,
      [dir],
    );
  });

  it("reads train, test, neighbors, distances and the attributes", () => {
    const ds = parseAnnBenchmarksHdf5(file("toy-8-euclidean.hdf5"));
    assert.deepEqual(ds.train, matrix(Float32Array.from(f64("train.f64")), 60, 8));
    assert.deepEqual(ds.test, matrix(Float32Array.from(f64("test.f64")), 4, 8));
    assert.deepEqual(Array.from(ds.neighbors.data), Array.from(f64("neighbors.f64")));
    assert.equal(ds.neighbors.rows, 4);
    assert.equal(ds.neighbors.cols, 10);
    assert.deepEqual(ds.distances, matrix(Float32Array.from(f64("distances.f64")), 4, 10));
    assert.equal(ds.distance, "euclidean");
    assert.equal(ds.dimension, 8);
    assert.equal(ds.pointType, "float");
    assert.equal(annBenchmarksMetric(ds.distance), "sqeuclidean");
  });

  it("names a missing dataset and a file that is not HDF5", () => {
    assert.throws(() => parseAnnBenchmarksHdf5(file("no-test.hdf5")), {
      name: "FormatError",
      message: /no "test" dataset \(it holds "train"\)/,
    });
    assert.throws(() => parseAnnBenchmarksHdf5(new TextEncoder().encode("not hdf5 at all")), {
      name: "FormatError",
      message: /does not start with the HDF5 signature/,
    });
    for (const end of [600, 4000, 10_000]) {
      assert.throws(() => parseAnnBenchmarksHdf5(file("toy-8-euclidean.hdf5").subarray(0, end)), {
        name: "FormatError",
        message: /may be truncated/,
      });
    }
    assert.equal(annBenchmarksMetric("angular"), "cosine");
    assert.throws(() => annBenchmarksMetric("jaccard"), /no Tessera metric/);
  });
});
