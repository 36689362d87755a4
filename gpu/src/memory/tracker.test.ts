import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryTracker } from "../index.js";

test("MemoryTracker records alloc/free events with a monotonic index and the peak", () => {
  let t = 0;
  const mem = new MemoryTracker(() => t++);
  const a = mem.alloc(100, "a", "op1");
  const b = mem.alloc(50, "b", "op2");
  mem.free(a);
  const c = mem.alloc(20, "c");
  assert.equal(mem.peakBytes, 150);
  assert.equal(mem.liveBytes, 70);
  assert.deepEqual(
    mem.events.map((e) => [e.index, e.kind, e.allocation, e.bytes, e.op]),
    [
      [0, "alloc", a, 100, "op1"],
      [1, "alloc", b, 50, "op2"],
      [2, "free", a, 100, "op1"],
      [3, "alloc", c, 20, "user"],
    ],
  );
  assert.deepEqual(
    mem.live.map((x) => x.label),
    ["b", "c"],
  );
});

test("MemoryTracker rejects a double free and a bad size with a message naming the buffer", () => {
  const mem = new MemoryTracker();
  const a = mem.alloc(8, "x");
  mem.free(a);
  assert.throws(() => mem.free(a), /allocation 0 is not live/);
  assert.throws(() => mem.alloc(-1, "neg"), /non-negative integer.*"neg"/);
});
