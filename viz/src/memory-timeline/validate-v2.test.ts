import assert from "node:assert/strict";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { memoryEventsOf, packMemoryEvents, type PackableEvent } from "./pack.js";
import { memoryTimelineV2Schema } from "./schema-v2.js";
import { validateMemoryTimelineV2 } from "./validate-v2.js";

function ev(
  index: number,
  kind: "alloc" | "free",
  allocation: number,
  bytes: number,
): PackableEvent {
  return { index, kind, allocation, bytes, label: `t${allocation}`, op: "matmul", timeMs: index };
}

const log = [ev(0, "alloc", 0, 8), ev(1, "alloc", 1, 16), ev(2, "free", 0, 8)];
const run = (events: PackableEvent[], name = "a") => ({ name, events: packMemoryEvents(events) });
const base = { version: 2, runs: [run(log)] };

test("packMemoryEvents round-trips events, node and detail; omits columns that carry nothing", () => {
  const events: PackableEvent[] = [
    { ...ev(0, "alloc", 7, 2 ** 40), node: "h0.matmul", detail: "at model.py:3" },
    { ...ev(5, "free", 7, 2 ** 40), node: "h0.matmul" },
  ];
  const packed = packMemoryEvents(events);
  assert.equal(packed.count, 2);
  assert.ok(packed.index !== undefined, "indexes 0, 5 are not positions: sent");
  assert.deepEqual(memoryEventsOf(packed), events);
  const plain = packMemoryEvents(log);
  assert.equal(plain.index, undefined);
  assert.equal(plain.node, undefined);
  assert.equal(plain.detail, undefined);
  assert.deepEqual(plain.strings, ["t0", "matmul", "t1"]);
  assert.deepEqual(
    memoryEventsOf(plain).map(({ node, ...e }) => (assert.equal(node, e.label), e)),
    log,
  );
});

/** Payloads that JSON Schema can judge: the schema and the validator must agree on each. */
const structural: [name: string, payload: unknown, valid: boolean][] = [
  ["one run", base, true],
  [
    "two runs, all options",
    {
      ...base,
      title: "t",
      xAxis: "time",
      align: "none",
      budgetBytes: 10,
      live: { target: "tessera", id: "x" },
      runs: [run(log, "a"), { ...run(log, "b"), predicted: [{ x: 0, bytes: 3 }] }],
    },
    true,
  ],
  ["version 1", { ...base, version: 1 }, false],
  ["no runs", { version: 2, runs: [] }, false],
  ["five runs", { version: 2, runs: Array.from({ length: 5 }, () => run(log)) }, false],
  ["unknown key", { ...base, peak: 1 }, false],
  ["bad align", { ...base, align: "op" }, false],
  ["run without a name", { version: 2, runs: [{ events: packMemoryEvents(log) }] }, false],
  ["events as a JSON list", { version: 2, runs: [{ name: "a", events: log }] }, false],
  [
    "column not base64",
    { version: 2, runs: [{ name: "a", events: { ...packMemoryEvents(log), kind: "!!" } }] },
    false,
  ],
  [
    "missing column",
    { version: 2, runs: [{ name: "a", events: { ...packMemoryEvents(log), op: undefined } }] },
    false,
  ],
  [
    "negative count",
    { version: 2, runs: [{ name: "a", events: { ...packMemoryEvents(log), count: -1 } }] },
    false,
  ],
  [
    "over the event limit",
    { version: 2, runs: [{ name: "a", events: { ...packMemoryEvents([]), count: 1_000_001 } }] },
    false,
  ],
  ["bad live target", { ...base, live: { target: "jupyter.widget", id: "x" } }, false],
];

test("the schema and the validator agree on structure", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const schemaValid = ajv.compile(memoryTimelineV2Schema);
  for (const [name, payload, valid] of structural) {
    const clean = JSON.parse(JSON.stringify(payload));
    assert.equal(
      schemaValid(clean),
      valid,
      `schema, ${name}: ${ajv.errorsText(schemaValid.errors)}`,
    );
    const r = validateMemoryTimelineV2(clean);
    assert.equal(r.ok, valid, `validator, ${name}: ${r.ok ? "" : r.errors.join("; ")}`);
  }
});

test("column contents and the rules between events are checked, naming run and event", () => {
  const cases: [PackableEvent[], RegExp][] = [
    [
      [ev(0, "free", 0, 8)],
      /^runs\[0\]\.events\[0\]: allocation 0 is freed but not allocated earlier/,
    ],
    [
      [ev(0, "alloc", 0, 8), ev(1, "free", 0, 4)],
      /^runs\[0\]\.events\[1\]\.bytes: 4 differs from the 8 bytes/,
    ],
    [[ev(0, "alloc", 0, 8), ev(1, "alloc", 0, 8)], /events\[1\]: allocation 0 is allocated again/],
    [
      [ev(0, "alloc", 0, 8), ev(1, "free", 0, 8), ev(2, "free", 0, 8)],
      /events\[2\]: allocation 0 is freed again/,
    ],
    [[ev(3, "alloc", 0, 8), ev(2, "alloc", 1, 8)], /events\[1\]\.index: 2 does not follow 3/],
    [
      [{ ...ev(0, "alloc", 0, 8), timeMs: 5 }, ev(1, "alloc", 1, 8)],
      /events\[1\]\.timeMs: 1 is earlier/,
    ],
    [
      [{ ...ev(0, "alloc", 0, 1.5) }],
      /events\[0\]\.bytes: expected a non-negative integer, got 1.5/,
    ],
    [
      [{ ...ev(0, "alloc", 0, 8), label: "x".repeat(201) }],
      /strings\[0\]: a label, op or node of at most 200/,
    ],
  ];
  for (const [events, message] of cases) {
    const r = validateMemoryTimelineV2({ version: 2, runs: [run(events)] });
    assert.ok(!r.ok, `accepted ${message}`);
    assert.match(r.errors[0]!, message);
  }
  // A stack trace may be long: only names are one line.
  const long = validateMemoryTimelineV2({
    version: 2,
    runs: [run([{ ...ev(0, "alloc", 0, 8), detail: "f\n".repeat(1000) }])],
  });
  assert.ok(long.ok);
  const short = packMemoryEvents(log);
  const truncated = { ...short, bytes: short.bytes.slice(0, 8) };
  const r = validateMemoryTimelineV2({ version: 2, runs: [{ name: "a", events: truncated }] });
  assert.ok(!r.ok);
  assert.match(
    r.errors[0]!,
    /^runs\[0\]\.events\.bytes: 3 events need 24 bytes of Float64Array, the base64 holds 6/,
  );
  const badString = {
    ...short,
    label: packMemoryEvents([{ ...ev(0, "alloc", 0, 8) }]).label,
    strings: [],
  };
  const r2 = validateMemoryTimelineV2({
    version: 2,
    runs: [
      {
        name: "a",
        events: {
          ...badString,
          count: 1,
          kind: packMemoryEvents([ev(0, "alloc", 0, 8)]).kind,
          allocation: packMemoryEvents([ev(0, "alloc", 0, 8)]).allocation,
          bytes: packMemoryEvents([ev(0, "alloc", 0, 8)]).bytes,
          timeMs: packMemoryEvents([ev(0, "alloc", 0, 8)]).timeMs,
          op: packMemoryEvents([ev(0, "alloc", 0, 8)]).op,
        },
      },
    ],
  });
  assert.ok(!r2.ok);
  assert.match(r2.errors[0]!, /events\[0\]\.label: string 0 is not in strings \(0 of them\)/);
});

test("200,000 events validate in well under a second or two", () => {
  const n = 200_000;
  const events: PackableEvent[] = [];
  for (let k = 0; k < n; k += 2) {
    events.push({ ...ev(k, "alloc", k, 64), label: `l${k % 100}` });
    events.push({ ...ev(k + 1, "free", k, 64), label: `l${k % 100}` });
  }
  const payload = JSON.parse(JSON.stringify({ version: 2, runs: [run(events)] }));
  const start = performance.now();
  const r = validateMemoryTimelineV2(payload);
  const ms = performance.now() - start;
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  assert.ok(ms < 3000, `${ms} ms`);
});
