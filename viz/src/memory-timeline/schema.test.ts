import assert from "node:assert/strict";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { memoryTimelineSchema } from "./schema.js";
import type { MemoryEvent } from "./types.js";
import { validateMemoryTimeline } from "./validate.js";

function ev(index: number, kind: "alloc" | "free", allocation: number, bytes: number): MemoryEvent {
  return { index, kind, allocation, bytes, label: "x", op: "op", timeMs: index };
}

const base = { version: 1, events: [ev(0, "alloc", 0, 8), ev(1, "free", 0, 8)] };

/** Payloads that JSON Schema can judge: the schema and the validator must agree on each. */
const structural: [name: string, payload: unknown, valid: boolean][] = [
  ["minimal", { version: 1, events: [] }, true],
  [
    "full",
    { ...base, title: "t", xAxis: "time", predicted: [{ x: 0, bytes: 4.5 }], budgetBytes: 16 },
    true,
  ],
  ["200-character title", { ...base, title: "é".repeat(200) }, true],
  ["not an object", [base], false],
  ["version 2", { ...base, version: 2 }, false],
  ["no events", { version: 1 }, false],
  ["unknown top-level key", { ...base, peak: 8 }, false],
  ["bad xAxis", { ...base, xAxis: "ms" }, false],
  ["title too long", { ...base, title: "é".repeat(201) }, false],
  ["negative bytes", { ...base, events: [{ ...ev(0, "alloc", 0, 8), bytes: -1 }] }, false],
  ["fractional allocation", { ...base, events: [{ ...ev(0, "alloc", 0.5, 8) }] }, false],
  ["bad kind", { ...base, events: [{ ...ev(0, "alloc", 0, 8), kind: "malloc" }] }, false],
  [
    "missing op",
    {
      ...base,
      events: [{ index: 0, kind: "alloc", allocation: 0, bytes: 1, label: "", timeMs: 0 }],
    },
    false,
  ],
  ["extra event key", { ...base, events: [{ ...ev(0, "alloc", 0, 8), stream: 0 }] }, false],
  ["negative time", { ...base, events: [{ ...ev(0, "alloc", 0, 8), timeMs: -1 }] }, false],
  ["predicted point without bytes", { ...base, predicted: [{ x: 0 }] }, false],
  ["negative budget", { ...base, budgetBytes: -1 }, false],
  [
    "too many events",
    { version: 1, events: Array.from({ length: 100_001 }, (_, i) => ev(i, "alloc", i, 1)) },
    false,
  ],
];

/** Payloads whose structure is right but whose events contradict each other: beyond JSON Schema. */
const semantic: [name: string, payload: unknown][] = [
  ["free before alloc", { version: 1, events: [ev(0, "free", 0, 8)] }],
  ["free of a different size", { version: 1, events: [ev(0, "alloc", 0, 8), ev(1, "free", 0, 4)] }],
  ["indexes out of order", { version: 1, events: [ev(1, "alloc", 0, 8), ev(0, "alloc", 1, 8)] }],
  [
    "predicted x decreasing",
    {
      ...base,
      predicted: [
        { x: 1, bytes: 0 },
        { x: 0, bytes: 0 },
      ],
    },
  ],
];

const ajv = new Ajv2020({ strict: true, allErrors: true });
const schemaAccepts = ajv.compile(memoryTimelineSchema);

test("the schema is valid draft 2020-12 under ajv's strict mode", () => {
  assert.equal(typeof schemaAccepts, "function");
});

for (const [name, payload, valid] of structural) {
  test(`schema and validator agree: ${name} is ${valid ? "valid" : "invalid"}`, () => {
    assert.equal(schemaAccepts(payload), valid, JSON.stringify(schemaAccepts.errors));
    assert.equal(validateMemoryTimeline(payload).ok, valid);
  });
}

for (const [name, payload] of semantic) {
  test(`the validator alone rejects: ${name}`, () => {
    assert.equal(schemaAccepts(payload), true, JSON.stringify(schemaAccepts.errors));
    assert.equal(validateMemoryTimeline(payload).ok, false);
  });
}
