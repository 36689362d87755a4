import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryTracker } from "@tessera/gpu";
import { MIME_MEMORY_TIMELINE_V2, memoryEventsOf, validateMemoryTimelineV2 } from "@tessera/viz";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { autochunkNode, memoryTimeline } from "./memory-timeline.js";

function tracker(labels: string[]): MemoryTracker {
  let t = 0;
  const mem = new MemoryTracker(() => t++);
  const ids = labels.map((label, i) => mem.alloc((i + 1) * 1024, label, "op" + i));
  ids.reverse().forEach((id) => mem.free(id));
  return mem;
}

test("one tracker: a v2 bundle with the packed run, the SVG fallback and a text summary", () => {
  const timeline = memoryTimeline(tracker(["a", "b"]), { title: "t", budgetBytes: 4096 });
  const bundle = timeline[JUPYTER_DISPLAY]() as Record<string, unknown>;
  const payload = bundle[MIME_MEMORY_TIMELINE_V2];
  assert.ok(validateMemoryTimelineV2(payload).ok);
  assert.equal(timeline.payload.runs.length, 1);
  assert.equal(timeline.payload.runs[0]!.name, "run");
  assert.deepEqual(
    memoryEventsOf(timeline.payload.runs[0]!.events).map((e) => `${e.kind} ${e.label}`),
    ["alloc a", "alloc b", "free b", "free a"],
  );
  assert.match(String(bundle["image/svg+xml"]), /^<svg[\s>][\s\S]*budget 4.00 KiB/);
  assert.equal(
    bundle["text/plain"],
    "t: memory timeline of 4 events, peak 3.00 KiB at event 1, 0 B live at the end",
  );
});

test("named runs compare; predictions by node land on each node's first event", () => {
  const plain = tracker(["embed", "h0.matmul"]);
  const chunked = tracker(["embed", "chunk0/h0.matmul", "chunk0/h0.matmul:workspace"]);
  const timeline = memoryTimeline(
    { unchunked: plain, chunked: chunked.events },
    {
      predicted: {
        unchunked: [
          { node: "h0.matmul", bytes: 3072 },
          { node: "embed", bytes: 1024 },
          { node: "not run", bytes: 1 },
        ],
      },
    },
  );
  const [a, b] = timeline.payload.runs;
  assert.deepEqual([a!.name, b!.name], ["unchunked", "chunked"]);
  assert.deepEqual(a!.predicted, [
    { x: 0, bytes: 1024 },
    { x: 1, bytes: 3072 },
  ]);
  assert.equal(b!.predicted, undefined);
  assert.deepEqual(
    memoryEventsOf(b!.events)
      .slice(0, 3)
      .map((e) => e.node),
    ["embed", "h0.matmul", "h0.matmul"],
  );
  const bundle = timeline[JUPYTER_DISPLAY]() as Record<string, unknown>;
  assert.match(
    String(bundle["text/plain"]),
    /^unchunked: memory timeline of 4 events.*; chunked: memory timeline of 6 events/,
  );
  assert.equal(
    (String(bundle["image/svg+xml"]).match(/<svg /g) ?? []).length,
    3,
    "one outer, one per run",
  );
});

test("bad input gets a clear error", () => {
  assert.throws(() => memoryTimeline(42 as never), /takes a MemoryTracker/);
  assert.throws(() => memoryTimeline({ a: tracker(["x"]), b: 3 } as never), /Run "b" is neither/);
  assert.throws(
    () =>
      memoryTimeline({ a: tracker(["x"]), b: tracker(["y"]) }, { predicted: [{ x: 0, bytes: 1 }] }),
    /an object of curves by run name/,
  );
  const bad = [
    { index: 0, kind: "free" as const, allocation: 0, bytes: 1, label: "x", op: "y", timeMs: 0 },
  ];
  assert.throws(() => memoryTimeline(bad), /events\[0\]: allocation 0 is freed but not allocated/);
});

test("autochunkNode strips loop paths, suffixes and copy numbers", () => {
  const node = (label: string) =>
    autochunkNode({ index: 0, kind: "alloc", allocation: 0, bytes: 0, label, op: "x", timeMs: 0 });
  assert.equal(node("h0.attn.matmul"), "h0.attn.matmul");
  assert.equal(node("chunk1/h0.attn.matmul"), "h0.attn.matmul");
  assert.equal(node("chunk1:workspace"), "chunk1");
  assert.equal(node("chunk0/h0.mlp.fc1.linear#2"), "h0.mlp.fc1.linear");
});

test("fromTorchSnapshot shows a PyTorch snapshot: one run per device, OOMs and assumptions in the text", async () => {
  const { readFileSync } = await import("node:fs");
  const fixture = (name: string) =>
    readFileSync(new URL(`../../../viz/test/fixtures/${name}`, import.meta.url));
  const timeline = memoryTimeline.fromTorchSnapshot(fixture("torch-snapshot-p5.pickle"));
  assert.deepEqual(
    timeline.payload.runs.map((r) => [r.name, r.events.count]),
    [["cuda:0", 10]],
  );
  const bundle = timeline[JUPYTER_DISPLAY]() as Record<string, unknown>;
  assert.ok(validateMemoryTimelineV2(bundle[MIME_MEMORY_TIMELINE_V2]).ok);
  assert.match(String(bundle["image/svg+xml"]), /^<svg[\s>]/);
  assert.match(
    String(bundle["text/plain"]),
    /^PyTorch memory snapshot: memory timeline of 10 events, peak 25.0 MiB at event 5, 4.00 MiB live at the end\nout of memory on cuda:0 after event 5: 512 MiB requested, 30.0 MiB free\ncuda:0: 1 frees of blocks/,
  );
  assert.throws(
    () => memoryTimeline.fromTorchSnapshot(fixture("not-a-snapshot.pickle")),
    /not a PyTorch memory snapshot/,
  );
  assert.throws(
    () => memoryTimeline.fromTorchSnapshot("snapshot.pickle" as never),
    /takes the file's bytes/,
  );
});
