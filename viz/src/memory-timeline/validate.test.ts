import assert from "node:assert/strict";
import { test } from "node:test";
import type { MemoryEvent, MemoryTimelinePayload } from "./types.js";
import { validateMemoryTimeline } from "./validate.js";

function ev(index: number, kind: "alloc" | "free", allocation: number, bytes: number): MemoryEvent {
  return {
    index,
    kind,
    allocation,
    bytes,
    label: `buf${allocation}`,
    op: "op",
    timeMs: index * 0.5,
  };
}

const good: MemoryTimelinePayload = {
  version: 1,
  title: "forward",
  xAxis: "index",
  events: [ev(0, "alloc", 0, 100), ev(1, "alloc", 1, 50), ev(2, "free", 0, 100)],
  predicted: [
    { x: 0, bytes: 90 },
    { x: 2, bytes: 40 },
  ],
  budgetBytes: 200,
};

function errorsOf(x: unknown): string[] {
  const r = validateMemoryTimeline(x);
  assert.equal(r.ok, false, "expected the payload to be rejected");
  return r.ok ? [] : r.errors;
}

test("a valid payload passes and comes back as the same object", () => {
  const r = validateMemoryTimeline(good);
  assert.deepEqual(r, { ok: true, value: good });
  assert.equal(r.ok && r.value, good);
  assert.equal(validateMemoryTimeline({ version: 1, events: [] }).ok, true);
});

test("the root must be an object with version 1 and events", () => {
  assert.deepEqual(errorsOf([]), ["(payload): expected an object, got an array of 0"]);
  assert.deepEqual(errorsOf(null), ["(payload): expected an object, got null"]);
  assert.deepEqual(errorsOf({ version: 2 }), ["version: expected 1, got 2", "events: is required"]);
  assert.deepEqual(errorsOf({ events: [] }), ["version: is required"]);
});

test("field errors name the path, what was expected and what came", () => {
  const bad = structuredClone(good) as unknown as {
    events: Record<string, unknown>[];
    xAxis: string;
  };
  bad.events[1]!.bytes = -5;
  bad.events[0]!.kind = "malloc";
  bad.events[2]!.extra = true;
  bad.xAxis = "steps";
  assert.deepEqual(errorsOf(bad), [
    'xAxis: expected "index" or "time", got the string "steps"',
    'events[0].kind: expected "alloc" or "free", got the string "malloc"',
    "events[1].bytes: expected a non-negative integer, got -5",
    "events[2].extra: unknown property (allowed: index, kind, allocation, bytes, label, op, timeMs)",
  ]);
  assert.deepEqual(errorsOf({ ...good, events: [{ ...ev(0, "alloc", 0, 1), op: undefined }] }), [
    "events[0].op: is required",
  ]);
  assert.deepEqual(errorsOf({ ...good, budgetBytes: "1 GiB" }), [
    'budgetBytes: expected a non-negative number, got the string "1 GiB"',
  ]);
  assert.deepEqual(errorsOf({ ...good, events: [ev(0, "alloc", 0, 1.5)] }), [
    "events[0].bytes: expected a non-negative integer, got 1.5",
  ]);
});

test("events must be in order and each free must match an earlier alloc", () => {
  const events = [
    ev(0, "alloc", 0, 100),
    { ...ev(0, "alloc", 1, 10), timeMs: 0.5 },
    { ...ev(2, "free", 0, 99), timeMs: 0 },
    ev(3, "free", 0, 100),
    ev(4, "free", 7, 1),
    ev(5, "alloc", 1, 10),
  ];
  assert.deepEqual(errorsOf({ version: 1, events }), [
    "events[1].index: 0 does not follow events[0].index (0); indexes must strictly increase",
    "events[2].timeMs: 0 is earlier than events[1].timeMs (0.5); times must not decrease",
    "events[2].bytes: 99 differs from the 100 bytes allocation 0 has (events[0])",
    "events[3]: allocation 0 is freed again (first at events[2])",
    "events[4]: allocation 7 is freed but not allocated earlier in the payload",
    "events[5]: allocation 1 is allocated again (first at events[1])",
  ]);
});

test("predicted points need numbers and a non-decreasing x", () => {
  const predicted = [
    { x: 5, bytes: 1 },
    { x: 4, bytes: -1 },
  ];
  assert.deepEqual(errorsOf({ ...good, predicted }), [
    "predicted[1].bytes: expected a non-negative number, got -1",
    "predicted[1].x: 4 is less than the previous point's x (5); x must not decrease",
  ]);
});

test("the bounds are enforced: event count, text length (in characters)", () => {
  const many = Array.from({ length: 100_001 }, (_, i) => ev(i, "alloc", i, 1));
  assert.deepEqual(errorsOf({ version: 1, events: many }), [
    "events: 100001 events exceed the limit of 100000; summarise the log first",
  ]);
  assert.equal(validateMemoryTimeline({ version: 1, events: many.slice(0, 100_000) }).ok, true);
  assert.deepEqual(errorsOf({ ...good, title: "x".repeat(201) }), [
    "title: expected at most 200 characters, got a string of 201 characters",
  ]);
  // 200 emoji are 400 UTF-16 units but 200 characters: allowed, as JSON Schema counts.
  assert.equal(validateMemoryTimeline({ ...good, title: "🚀".repeat(200) }).ok, true);
});

test("past 20 problems the rest are counted, not listed", () => {
  const events = Array.from({ length: 30 }, (_, i) => ({ ...ev(i, "alloc", i, 1), bytes: -1 }));
  const errors = errorsOf({ version: 1, events });
  assert.equal(errors.length, 21);
  assert.equal(errors[19], "events[19].bytes: expected a non-negative integer, got -1");
  assert.equal(errors[20], "(10 more problems not listed)");
});
