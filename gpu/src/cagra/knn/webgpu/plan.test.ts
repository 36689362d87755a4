import { test } from "node:test";
import assert from "node:assert/strict";
import { planTiles, type TileLimits } from "./plan.js";

// The WebGPU defaults: 128 MiB per storage binding, 256 MiB per buffer, 65535 workgroups.
const DEFAULTS: TileLimits = {
  maxStorageBufferBindingSize: 2 ** 27,
  maxBufferSize: 2 ** 28,
  maxComputeWorkgroupsPerDimension: 65535,
};

test("1M × 128 under the default limits: 256K-row slabs, 1024 × 16384 tiles", () => {
  const plan = planTiles(DEFAULTS, 1_000_000, 1_000_000, 128, 64);
  assert.deepEqual(plan, { slabRows: 262144, queryRows: 1024, columnRows: 16384 });
});

test("small inputs shrink the tiles to fit them", () => {
  assert.deepEqual(planTiles(DEFAULTS, 300, 70, 20, 16), {
    slabRows: 300,
    queryRows: 70,
    columnRows: 300,
  });
});

test("requested sizes are kept when they fit, clamped when they do not", () => {
  const requested = { slabRows: 150, queryRows: 32, columnRows: 100 };
  assert.deepEqual(planTiles(DEFAULTS, 301, 70, 20, 16, requested), requested);
  const tooBig = planTiles(DEFAULTS, 301, 70, 20, 16, { columnRows: 10_000, slabRows: 200 });
  assert.equal(tooBig.columnRows, 200, "a column tile never crosses a slab");
});

test("a small binding limit bounds slabs, query tiles and the distance tile", () => {
  const limits = { ...DEFAULTS, maxStorageBufferBindingSize: 2 ** 20 };
  const plan = planTiles(limits, 100_000, 5000, 128, 256);
  assert.equal(plan.slabRows, 2048); // 1 MiB / 512-byte rows
  assert.equal(plan.queryRows, 1024); // 1 MiB / (256 · 4) running-list bytes
  assert.equal(plan.columnRows, 256); // 1 MiB / (1024 queries · 4)
});

test("the workgroup-grid limit bounds the tiles", () => {
  const limits = { ...DEFAULTS, maxComputeWorkgroupsPerDimension: 100 };
  const plan = planTiles(limits, 100_000, 5000, 16, 8);
  assert.equal(plan.queryRows, 100);
  assert.equal(plan.columnRows, 6400); // 100 workgroups × 64 rows
});

test("a row larger than a storage binding is a RangeError saying what to do", () => {
  const limits = { ...DEFAULTS, maxStorageBufferBindingSize: 256 };
  assert.throws(() => planTiles(limits, 10, 10, 128, 8), {
    name: "RangeError",
    message: /one row of 128 floats \(512 bytes\) exceeds .* \(256 bytes\); reduce the dimension/,
  });
});
