import assert from "node:assert/strict";
import { test } from "node:test";
import { syntheticEvents } from "../../test/memory-events.js";
import { hoverText } from "./hover-v2.js";
import { alignByNode, argmaxLive, buildRunModels, piecewiseLinear, stepAt } from "./model-v2.js";
import { packMemoryEvents, unpackMemoryEvents, type PackableEvent } from "./pack.js";
import { createRaster, paintRun, recolourSlots } from "./raster-v2.js";
import type { MemoryTimelineV2Payload } from "./types-v2.js";

function ev(
  index: number,
  kind: "alloc" | "free",
  allocation: number,
  bytes: number,
  label = `t${allocation}`,
): PackableEvent {
  return { index, kind, allocation, bytes, label, op: "op", timeMs: index * 10 };
}

const payload = (...runs: PackableEvent[][]): MemoryTimelineV2Payload => ({
  version: 2,
  runs: runs.map((events, i) => ({ name: `r${i}`, events: packMemoryEvents(events) })),
});

// a (1) under b (4) under c (2); b is freed first, so c slides down onto a.
const log = [
  ev(0, "alloc", 0, 1),
  ev(1, "alloc", 1, 4),
  ev(2, "alloc", 2, 2),
  ev(3, "free", 1, 4),
  ev(4, "free", 2, 2),
  ev(5, "free", 0, 1),
];

test("buildRunModels replays live bytes, pairs allocs with frees into slots, finds the peak", () => {
  const [run] = buildRunModels(payload(log));
  assert.deepEqual([...run!.live], [1, 5, 7, 3, 1, 0]);
  assert.deepEqual([...run!.from], [0, 1, 2]);
  assert.deepEqual([...run!.to], [5, 3, 4]);
  assert.deepEqual([...run!.slotOf], [0, 1, 2, 1, 2, 0]);
  assert.deepEqual([run!.peakStep, run!.peakBytes], [2, 7]);
  assert.deepEqual([...run!.xs], [0, 1, 2, 3, 4, 5, 6]);
  const [timed] = buildRunModels({ ...payload(log), xAxis: "time" });
  // The last step is as wide as the average step.
  assert.deepEqual([...timed!.xs], [0, 10, 20, 30, 40, 50, 50 + 50 / 6]);
});

test("argmaxLive matches a plain scan over blocks and partial blocks", () => {
  const [run] = buildRunModels(payload(syntheticEvents(5_000)));
  for (const [lo, hi] of [
    [0, 4_999],
    [3, 700],
    [255, 256],
    [1_000, 1_000],
    [17, 4_001],
  ] as const) {
    let best = lo;
    for (let k = lo; k <= hi; k++) if (run!.live[k]! > run!.live[best]!) best = k;
    assert.equal(argmaxLive(run!, lo, hi), best, `[${lo}, ${hi}]`);
  }
});

test("stepAt finds the step holding at x; piecewiseLinear interpolates and shifts outside", () => {
  const xs = new Float64Array([0, 2, 2, 5]);
  assert.deepEqual(
    [-1, 0, 1.9, 2, 4, 9].map((x) => stepAt(xs, 4, x)),
    [-1, 0, 0, 2, 2, 3],
  );
  const f = piecewiseLinear([2, 6], [1, 3]);
  assert.deepEqual([0, 2, 4, 6, 8].map(f), [-1, 1, 2, 3, 5]);
});

test("alignByNode matches runs at shared nodes in order, skipping ones that would go backwards", () => {
  const named = (labels: string[]) => labels.map((l, i) => ev(i, "alloc", i, 1, l));
  const a = unpackMemoryEvents(packMemoryEvents(named(["x", "y", "z"])));
  const b = unpackMemoryEvents(packMemoryEvents(named(["x", "x", "x", "z", "y", "z"])));
  const [, warp] = alignByNode([a, b]);
  // b's x at 0, its z at 3 (→ 2); its y (4) comes after z, so it is not matched.
  assert.deepEqual([0, 1.5, 3, 5].map(warp!), [0, 1, 2, 4]);
});

test("paintRun stacks each column's live allocations bottom up and records which slot each pixel shows", () => {
  const [run] = buildRunModels(payload(log));
  const raster = createRaster(6, 7);
  const palette = new Uint32Array([10, 20, 30]);
  paintRun(run!, raster, {
    x0: 0,
    x1: 6,
    yMax: 7,
    palette,
    faded: new Uint32Array([11, 21, 31]),
    background: 0,
    hovered: -1,
    hoverColour: 99,
  });
  const column = (c: number) => Array.from({ length: 7 }, (_, y) => raster.pick[y * 6 + c]);
  assert.deepEqual(column(2), [2, 2, 1, 1, 1, 1, 0], "step 2: a, b, c from the bottom");
  assert.deepEqual(column(3), [-1, -1, -1, -1, 2, 2, 0], "b freed: c slid down onto a");
  assert.deepEqual(column(5), [-1, -1, -1, -1, -1, -1, -1]);
  assert.deepEqual([...raster.steps], [0, 1, 2, 3, 4, 5]);
  assert.equal(raster.pixels[6 * 6 + 2], 10);
  // Highlight: slot 1 keeps its colour, the others fade; the hovered slot gets its own.
  paintRun(run!, raster, {
    x0: 0,
    x1: 6,
    yMax: 7,
    palette,
    faded: new Uint32Array([11, 21, 31]),
    background: 0,
    highlight: new Uint8Array([0, 1, 0]),
    hovered: 2,
    hoverColour: 99,
  });
  assert.deepEqual(
    Array.from({ length: 7 }, (_, y) => raster.pixels[y * 6 + 2]),
    [99, 99, 20, 20, 20, 20, 11],
  );
});

test("recolourSlots repaints just the old and new hovered allocations, as a full paint would", () => {
  const [run] = buildRunModels(payload(log));
  const base = {
    x0: 0,
    x1: 6,
    yMax: 7,
    palette: new Uint32Array([10, 20, 30]),
    faded: new Uint32Array([11, 21, 31]),
    background: 0,
    hoverColour: 99,
  };
  const a = createRaster(6, 7);
  const b = createRaster(6, 7);
  paintRun(run!, a, { ...base, hovered: 1 });
  recolourSlots(a, [1, 2], { ...base, hovered: 2 });
  paintRun(run!, b, { ...base, hovered: 2 });
  assert.deepEqual([...a.pixels], [...b.pixels]);
});

test("paintRun decimates: a column over many steps shows the highest, so the peak survives any width", () => {
  const events = syntheticEvents(100_000);
  const [run] = buildRunModels(payload(events));
  const raster = createRaster(300, 100);
  const start = performance.now();
  paintRun(run!, raster, {
    x0: 0,
    x1: run!.xs[run!.n]!,
    yMax: run!.peakBytes,
    palette: new Uint32Array([1]),
    faded: new Uint32Array([2]),
    background: 0,
    hovered: -1,
    hoverColour: 3,
  });
  const ms = performance.now() - start;
  assert.ok([...raster.steps].includes(run!.peakStep), "the peak's step is a column");
  // At the peak's column the stack reaches the top row.
  const c = [...raster.steps].indexOf(run!.peakStep);
  assert.notEqual(raster.pick[c]!, -1);
  assert.ok(ms < 2000, `${ms} ms`);
});

test("paintRun matches a plain replay at every column, across frames that pan back and forth", () => {
  const [run] = buildRunModels(payload(syntheticEvents(3_000, 7)));
  const W = 97;
  const H = 61;
  const raster = createRaster(W, H);
  const end = run!.xs[run!.n]!;
  const opts = {
    palette: new Uint32Array([1]),
    faded: new Uint32Array([2]),
    background: 0,
    hovered: -1,
    hoverColour: 3,
  };
  for (const [x0, x1] of [
    [0, end],
    [900, 1400],
    [300, 800],
    [1500, 3000],
    [0, 40],
    [2990, 3000],
    [0, end],
  ] as const) {
    const yMax = run!.peakBytes * 1.05;
    paintRun(run!, raster, { ...opts, x0, x1, yMax });
    for (let c = 0; c < W; c++) {
      const step = raster.steps[c]!;
      // The reference: live slots at `step` by replay, stacked, each row's centre looked up.
      const alive: number[] = [];
      if (step >= 0) {
        const isLive = new Uint8Array(run!.slots);
        for (let k = 0; k <= step; k++)
          isLive[run!.slotOf[k]!] = run!.columns.kind[k] === 0 ? 1 : 0;
        isLive.forEach((v, slotIndex) => v && alive.push(slotIndex));
      }
      for (let y = 0; y < H; y++) {
        const h = (H - y - 0.5) / (H / yMax);
        let below = 0;
        let want = -1;
        for (const slotIndex of alive) {
          const b = run!.columns.bytes[run!.from[slotIndex]!]!;
          if (h < below + b) {
            want = slotIndex;
            break;
          }
          below += b;
        }
        assert.equal(raster.pick[y * W + c], want, `window ${x0}–${x1}, column ${c}, row ${y}`);
      }
    }
  }
});

test("hoverText names the allocation, its events, lifetime and the live total", () => {
  const [run] = buildRunModels(payload([{ ...log[0]!, detail: "f1\nf2" }, ...log.slice(1)]));
  assert.equal(
    hoverText(run!, 1, 2, false),
    "t1\nop\n4 B\nallocated at event 1 (10 ms), freed at event 3 (30 ms)\nlifetime 2 events, 20 ms\nlive here: 7 B after event 2 (peak 7 B)",
  );
  assert.match(hoverText(run!, 0, 0, true), /^run: r0\nt0\n[\s\S]*\nf1\nf2$/);
});
