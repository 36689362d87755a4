import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { packMemoryEvents } from "../memory-timeline/pack.js";
import { validateMemoryTimelineV2 } from "../memory-timeline/validate-v2.js";
import { PickleError, readPickle } from "./pickle.js";
import { readTorchSnapshot } from "./snapshot.js";

// Written by viz/test/fixtures/torch-snapshot.py (torch's own readers accept them).
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)));
const MiB = 2 ** 20;

for (const protocol of [2, 4, 5]) {
  test(`a snapshot pickled at protocol ${protocol}: allocations paired by address, stacks kept`, () => {
    const snap = readTorchSnapshot(fixture(`torch-snapshot-p${protocol}.pickle`));
    assert.deepEqual(
      snap.runs.map((r) => r.name),
      ["cuda:0"],
      "device 1's trace is empty",
    );
    const events = snap.runs[0]!.events;
    assert.deepEqual(
      events.map((e) => `${e.kind} ${e.allocation} ${e.bytes / MiB}`),
      [
        // Before the trace: the block freed in it, then the one still active at the end.
        "alloc 3 2",
        "alloc 5 3",
        "alloc 0 8",
        "alloc 1 4",
        "free 0 8",
        "alloc 2 16",
        "free 3 2",
        "alloc 4 1",
        "free 1 4",
        "free 2 16",
      ],
    );
    // free_requested is not the free: the block returns at free_completed (1,000,031 µs).
    assert.equal(events[4]!.timeMs, 0.031);
    assert.equal(events[0]!.timeMs, 0);
    const fc1 = events[2]!;
    assert.equal(fc1.label, "fc1 (model.py:10)", "the first frame outside torch");
    assert.equal(fc1.op, "c10::cuda::CUDACachingAllocator::malloc", "the innermost frame");
    assert.match(
      fc1.detail!,
      /^c10::cuda::CUDACachingAllocator::malloc at \?\?:0\nforward at .*linear\.py:125\nfc1 at model\.py:10\ntrain_step at train\.py:42$/,
    );
    assert.equal(events[0]!.label, "allocated before the trace");
    assert.equal(events[1]!.label, "load_batch (data.py:7)");
    assert.deepEqual(snap.ooms, [{ device: 0, event: 5, bytes: 512 * MiB, deviceFree: 30 * MiB }]);
    assert.deepEqual(snap.warnings, [
      "cuda:0: 1 frees of blocks allocated before the trace began (drawn from its start)",
    ]);
    const payload = {
      version: 2,
      runs: snap.runs.map((r) => ({ name: r.name, events: packMemoryEvents(r.events) })),
    };
    const valid = validateMemoryTimelineV2(payload);
    assert.ok(valid.ok, valid.ok ? "" : valid.errors.join("\n"));
  });
}

test("a truncated snapshot or a pickle of something else gets a clear error", () => {
  const whole = fixture("torch-snapshot-p5.pickle");
  assert.throws(
    () => readTorchSnapshot(whole.subarray(0, 900)),
    (e: Error) =>
      e instanceof PickleError &&
      /^not a readable PyTorch memory snapshot: the pickle ends at byte 900 inside .*: the file is truncated$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => readTorchSnapshot(fixture("not-a-snapshot.pickle")),
    /not a PyTorch memory snapshot: expected the dict torch\.cuda\.memory\._snapshot\(\) returns .*got a dict with keys model, losses/,
  );
  assert.throws(
    () => readTorchSnapshot(new TextEncoder().encode('{"segments": []}')),
    /not a readable PyTorch memory snapshot: not a pickle: it starts with byte 0x7b/,
  );
  assert.throws(() => readTorchSnapshot(new Uint8Array()), /the file is empty/);
});

test("readPickle reads data and never runs code: a class reference stays a name", () => {
  // pickle.dumps(collections.OrderedDict(a=1), protocol=2)
  const bytes = Uint8Array.from(
    atob("gAJjY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcQApUnEBWAEAAABhcQJLAXMu"),
    (c) => c.charCodeAt(0),
  );
  const v = readPickle(bytes) as { pickled: string; state: Map<string, number> };
  assert.equal(v.pickled, "collections.OrderedDict");
  assert.deepEqual([...v.state], [["a", 1]]);
  // A big int (LONG1) past 2^53 stays exact as a bigint; negative ones decode.
  assert.equal(
    readPickle(Uint8Array.from([0x80, 2, 0x8a, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x2e])),
    2n ** 64n + 1n,
  );
  assert.equal(readPickle(Uint8Array.from([0x80, 2, 0x8a, 1, 0xff, 0x2e])), -1);
});

test("readPickle appends more items under one MARK than a call takes arguments", () => {
  // EMPTY_LIST, MARK, 300,000 × BININT1 1, APPENDS, STOP.
  const n = 300_000;
  const bytes = new Uint8Array(4 + 2 * n + 2);
  bytes.set([0x80, 2, 0x5d, 0x28], 0);
  for (let i = 0; i < n; i++) bytes.set([0x4b, 1], 4 + 2 * i);
  bytes.set([0x65, 0x2e], 4 + 2 * n);
  const list = readPickle(bytes) as number[];
  assert.equal(list.length, n);
  assert.equal(list[n - 1], 1);
});
