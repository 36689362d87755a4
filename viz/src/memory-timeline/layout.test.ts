import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryTimelineLayout, sampleSteps } from "./layout.js";
import type { MemoryEvent, MemoryTimelinePayload } from "./types.js";

function ev(index: number, kind: "alloc" | "free", allocation: number, bytes: number): MemoryEvent {
  return {
    index,
    kind,
    allocation,
    bytes,
    label: "ABCD"[allocation] ?? "?",
    op: "op",
    timeMs: index * 10,
  };
}

// Live bytes after each event: 100, 150, 180, 80, 160, 130, 80. D is never freed.
const payload: MemoryTimelinePayload = {
  version: 1,
  events: [
    ev(0, "alloc", 0, 100), // A
    ev(1, "alloc", 1, 50), // B
    ev(2, "alloc", 2, 30), // C
    ev(3, "free", 0, 100),
    ev(4, "alloc", 3, 80), // D
    ev(5, "free", 2, 30),
    ev(6, "free", 1, 50),
  ],
};

test("layout stacks allocations oldest at the bottom; a free lets those above slide down", () => {
  const l = memoryTimelineLayout(payload);
  assert.deepEqual(l.xs, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(l.xEnd, 7);
  assert.deepEqual(l.live, [100, 150, 180, 80, 160, 130, 80]);
  assert.deepEqual(
    l.bands.map((b) => [b.label, b.start, b.end, b.offsets]),
    [
      ["A", 0, 3, [0, 0, 0]],
      ["B", 1, 6, [100, 100, 0, 0, 0]],
      ["C", 2, 5, [150, 50, 50]],
      ["D", 4, 7, [80, 50, 0]],
    ],
  );
  assert.deepEqual(l.banded, l.live);
  assert.equal(l.otherAllocations, 0);
  assert.deepEqual(l.peak, { step: 2, index: 2, x: 2, bytes: 180 });
  assert.deepEqual(
    l.bands.map((b) => [b.allocIndex, b.freeIndex]),
    [
      [0, 3],
      [1, 6],
      [2, 5],
      [4, undefined],
    ],
  );
});

test("beyond maxBands the largest allocations keep their bands and the rest sum into other", () => {
  const l = memoryTimelineLayout(payload, { maxBands: 2 });
  assert.deepEqual(
    l.bands.map((b) => [b.label, b.offsets]),
    [
      ["A", [0, 0, 0]],
      ["D", [0, 0, 0]],
    ],
  );
  assert.deepEqual(l.banded, [100, 100, 100, 0, 80, 80, 80]);
  assert.equal(l.otherAllocations, 2);
  // The outline is still the measured total: other = live - banded = B + C where live.
  assert.deepEqual(l.live, [100, 150, 180, 80, 160, 130, 80]);
});

test("on the time axis x is timeMs and the log ends at the last event", () => {
  const l = memoryTimelineLayout({ ...payload, xAxis: "time" });
  assert.deepEqual(l.xs, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(l.xEnd, 60);
  assert.deepEqual(l.peak, { step: 2, index: 2, x: 20, bytes: 180 });
});

test("sampleSteps keeps the first highest step of each x interval", () => {
  const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.deepEqual(sampleSteps(xs, [1, 5, 2, 8, 8, 3, 0, 9, 1, 1], 3), [1, 3, 7]);
  assert.deepEqual(sampleSteps(xs.slice(0, 3), [1, 2, 3], 3), [0, 1, 2]);
});

test("a long log is sampled to maxSteps with the exact peak kept", () => {
  const events: MemoryEvent[] = [];
  for (let i = 0; i < 5000; i++) {
    const bytes = i === 3217 ? 10_000 : 1 + (i % 7);
    events.push(ev(2 * i, "alloc", i, bytes), ev(2 * i + 1, "free", i, bytes));
  }
  const l = memoryTimelineLayout({ version: 1, events }, { maxSteps: 200, maxBands: 10 });
  assert.ok(l.xs.length <= 200, `${l.xs.length} steps`);
  assert.deepEqual(l.peak, { step: l.peak?.step, index: 6434, x: 6434, bytes: 10_000 });
  assert.equal(l.xs[l.peak?.step ?? -1], 6434);
  assert.equal(l.xs[0], 0, "the drawing starts at the first event");
  assert.equal(l.live[l.peak?.step ?? -1], 10_000);
  assert.ok(l.bands.length <= 10);
  assert.ok(l.bands.some((b) => b.allocation === 3217));
});

test("an empty log has no steps and no peak", () => {
  const l = memoryTimelineLayout({ version: 1, events: [] });
  assert.deepEqual([l.xs, l.bands, l.peak, l.xEnd], [[], [], undefined, 0]);
});
