import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryTimelineSvg } from "./svg.js";
import type { MemoryEvent, MemoryTimelinePayload } from "./types.js";

function ev(
  index: number,
  kind: "alloc" | "free",
  allocation: number,
  bytes: number,
  label: string,
): MemoryEvent {
  return { index, kind, allocation, bytes, label, op: "op", timeMs: index };
}

const KiB = 1024;
// Live after each event: 100, 150, 180, 80 KiB; the peak is at event 2.
const payload: MemoryTimelinePayload = {
  version: 1,
  title: `<script>alert("x")</script> & co`,
  events: [
    ev(0, "alloc", 0, 100 * KiB, "weights"),
    ev(1, "alloc", 1, 50 * KiB, "acts <b>"),
    ev(2, "alloc", 2, 30 * KiB, "tmp & scratch"),
    ev(3, "free", 0, 100 * KiB, "weights"),
  ],
};

/** Element names in document order; throws if tags do not nest, so the SVG is well formed. */
function elements(svg: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (close) assert.equal(open.pop(), name, `</${name}> closes <${open.at(-1)}>`);
    else {
      names.push(name ?? "");
      if (!selfClosing) open.push(name ?? "");
    }
  }
  assert.deepEqual(open, [], "unclosed elements");
  return names;
}

/** Band paths are the ones with a tooltip naming an allocation. */
function bandCount(svg: string): number {
  return [...svg.matchAll(/<path [^>]*><title>[^<]*allocation \d+/g)].length;
}

test("the SVG is a well-formed standalone document with the title, axes and peak", () => {
  const svg = memoryTimelineSvg(payload);
  const names = elements(svg);
  assert.equal(names[0], "svg");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="900" height="420"/);
  assert.match(svg, />peak 180 KiB<\/text>/);
  assert.match(svg, /measured peak 180 KiB at event 2 · 3 allocations, 4 events/);
  assert.match(svg, />event index<\/text>/);
  assert.match(svg, />200 KiB<\/text>/);
  assert.equal(bandCount(svg), 3);
});

test("all text is escaped", () => {
  const svg = memoryTimelineSvg(payload);
  assert.doesNotMatch(svg, /<script|<b>|& co|tmp & /);
  assert.match(
    svg,
    /<title>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; co<\/title>/,
  );
  assert.match(svg, />acts &lt;b&gt;<\/text>/);
  assert.match(svg, />tmp &amp; scratch<\/text>/);
});

test("the legend lists the largest allocations first with their sizes", () => {
  const svg = memoryTimelineSvg(payload);
  const legend = [...svg.matchAll(/<text x="16" y="9">([^<]*)<\/text><text[^>]*>([^<]*)</g)].map(
    (m) => [m[1], m[2]],
  );
  assert.deepEqual(legend, [
    ["weights", "100 KiB"],
    ["acts &lt;b&gt;", "50.0 KiB"],
    ["tmp &amp; scratch", "30.0 KiB"],
  ]);
});

test("predicted curve, budget and the time axis appear when asked for", () => {
  const plain = memoryTimelineSvg(payload);
  assert.doesNotMatch(plain, /stroke-dasharray="6 4"|budget/);
  const svg = memoryTimelineSvg({
    ...payload,
    xAxis: "time",
    predicted: [
      { x: 0, bytes: 90 * KiB },
      { x: 2, bytes: 200 * KiB },
    ],
    budgetBytes: 256 * KiB,
  });
  assert.match(
    svg,
    /<path d="M[^"]+" fill="none" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"\/>/,
  );
  assert.match(svg, />budget 256 KiB<\/text>/);
  assert.match(svg, /predicted peak 200 KiB \(\+11\.1%\)/);
  assert.match(svg, />time \(ms\)<\/text>/);
  assert.match(svg, /measured peak 180 KiB at 2 ms/);
});

test("bands beyond maxBands are summarised into one other band", () => {
  const svg = memoryTimelineSvg(payload, { maxBands: 1 });
  assert.equal(bandCount(svg), 1);
  assert.match(svg, /<title>other: 2 smaller allocations<\/title>/);
  assert.match(svg, />other \(2 small\)<\/text>/);
});

test("long labels are cut between characters, never inside an emoji", () => {
  const label = `${"a".repeat(20)}🚀🚀🚀`;
  const svg = memoryTimelineSvg({ version: 1, events: [ev(0, "alloc", 0, 1, label)] });
  assert.match(svg, new RegExp(`>${"a".repeat(20)}🚀…</text>`));
});

test("an empty log says so", () => {
  const svg = memoryTimelineSvg({ version: 1, events: [] });
  elements(svg);
  assert.match(svg, />no memory events<\/text>/);
  assert.doesNotMatch(svg, /peak/);
});

test("the largest payload stays within the shape and size bounds", () => {
  const events: MemoryEvent[] = [];
  const live: number[] = [];
  let next = 0;
  // 100,000 events; a random walk of allocations of many sizes (deterministic LCG).
  let seed = 1;
  const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
  while (events.length < 100_000) {
    const i = events.length;
    if (live.length > 0 && rand() < 0.45) {
      const id = live.splice(Math.floor(rand() * live.length), 1)[0] ?? 0;
      events.push(ev(i, "free", id, (id % 97) * 4096 + 1, `a${id}`));
    } else {
      live.push(next);
      events.push(ev(i, "alloc", next, (next % 97) * 4096 + 1, `a${next}`));
      next++;
    }
  }
  const started = performance.now();
  const svg = memoryTimelineSvg({ version: 1, events });
  const ms = performance.now() - started;
  const names = elements(svg);
  assert.ok(names.length <= 2000, `${names.length} elements`);
  assert.equal(bandCount(svg), 100);
  assert.ok(svg.length < 2_000_000, `${svg.length} characters`);
  assert.ok(ms < 5000, `${ms} ms`);
});
