import assert from "node:assert/strict";
import { test } from "node:test";
import { byteTicks, formatBytes } from "./bytes.js";

test("formatBytes uses binary units and three significant digits", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.00 KiB");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(20.5 * 2 ** 20), "20.5 MiB");
  assert.equal(formatBytes(320 * 2 ** 20), "320 MiB");
  assert.equal(formatBytes(3 * 2 ** 30), "3.00 GiB");
  assert.equal(formatBytes(2 ** 50), "1.00 PiB");
});

test("byteTicks labels one unit and ends at or above the maximum", () => {
  const mib = 2 ** 20;
  const t = byteTicks(1000 * mib, 5);
  assert.deepEqual(t.labels, ["0", "200 MiB", "400 MiB", "600 MiB", "800 MiB", "1000 MiB"]);
  assert.deepEqual(
    t.values,
    [0, 200, 400, 600, 800, 1000].map((v) => v * mib),
  );
  assert.equal(t.top, 1000 * mib);
  const over = byteTicks(1.3 * 2 ** 30, 4);
  assert.deepEqual(over.labels, ["0", "0.5 GiB", "1.0 GiB", "1.5 GiB"]);
  assert.ok(over.top >= 1.3 * 2 ** 30);
});

test("byteTicks never steps below one byte", () => {
  assert.deepEqual(byteTicks(0, 5).labels, ["0", "1 B"]);
  assert.deepEqual(byteTicks(3, 5).labels, ["0", "1 B", "2 B", "3 B"]);
});
