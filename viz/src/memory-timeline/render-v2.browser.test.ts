/**
 * The v2 memory timeline in Chromium: what is drawn, hover text at a point, wheel zoom and
 * drag pan change the x domain, two runs compared, search highlight, dark theme, an XSS label.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWidgetPage, screenshotPath, type WidgetPage } from "../../test/page.js";
import { syntheticEvents } from "../../test/memory-events.js";
import { packMemoryEvents, type PackableEvent } from "./pack.js";
import type { MemoryTimelineV2Payload } from "./types-v2.js";

const XSS = "<img src=x onerror=alert(1)>";
const MiB = 2 ** 20;

let wp: WidgetPage;
before(async () => (wp = await openWidgetPage({ width: 900, height: 700 })));
after(() => wp.close());

function ev(
  index: number,
  kind: "alloc" | "free",
  allocation: number,
  mib: number,
  label: string,
  op = "matmul",
): PackableEvent {
  return { index, kind, allocation, bytes: mib * MiB, label, op, timeMs: index * 2 };
}

/** a (16 MiB) under b (64 MiB) under c (32 MiB); b freed first, so c slides down onto a. */
const small: PackableEvent[] = [
  ev(0, "alloc", 0, 16, "q", "linear"),
  ev(1, "alloc", 1, 64, "scores"),
  ev(2, "alloc", 2, 32, "probs", "softmax"),
  ev(3, "free", 1, 64, "scores"),
  ev(4, "free", 2, 32, "probs", "softmax"),
  ev(5, "free", 0, 16, "q", "linear"),
];

function payload(
  runs: [string, PackableEvent[]][],
  extra: Partial<MemoryTimelineV2Payload> = {},
): MemoryTimelineV2Payload {
  return {
    version: 2,
    runs: runs.map(([name, events]) => ({ name, events: packMemoryEvents(events) })),
    ...extra,
  };
}

/** Mounts through the registry (validation included) into #root; returns what the widget says. */
async function mount(p: unknown) {
  await wp.page.evaluate((p) => {
    const w = window as unknown as { tesseraViz: typeof import("../dom.js"); handle: unknown };
    const root = document.getElementById("root")!;
    (w.handle as { dispose(): void } | undefined)?.dispose();
    const spec = w.tesseraViz.WIDGETS.find(
      (s) => s.mimeType === "application/vnd.tessera.memory-timeline.v2+json",
    )!;
    w.handle = w.tesseraViz.mountWidget(root, spec, p);
  }, p as never);
  await nextFrame();
  return state();
}

async function nextFrame() {
  await wp.page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  );
}

async function state() {
  return wp.page.evaluate(() => {
    const root = document.querySelector<HTMLElement>("#root .tessera-memory-timeline")!;
    const tip = root.querySelector<HTMLElement>(".tessera-memory-timeline-tooltip")!;
    return {
      x0: Number(root.dataset.x0),
      x1: Number(root.dataset.x1),
      yMax: Number(root.dataset.yMax),
      matches: root.dataset.matches,
      toolbar: root.querySelector(".tessera-memory-timeline-toolbar")!.textContent ?? "",
      tooltip: tip.hidden ? "" : (tip.textContent ?? ""),
    };
  });
}

/** Canvas coordinates (CSS pixels) → page coordinates. */
async function at(x: number, y: number) {
  const box = (await wp.page.locator("#root canvas").boundingBox())!;
  return { x: box.x + x, y: box.y + y };
}

/** The canvas pixel at (x, y), CSS pixels. */
async function pixel(x: number, y: number): Promise<[number, number, number]> {
  return wp.page.evaluate(
    ([x, y]) => {
      const canvas = document.querySelector<HTMLCanvasElement>("#root canvas")!;
      const d = canvas.getContext("2d")!.getImageData(x!, y!, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    [x, y],
  );
}

async function shot(name: string) {
  await wp.page.locator("#root").screenshot({ path: await screenshotPath(name) });
}

// The plot's geometry (render-v2.ts): 68 px left margin, a single run's panel from y 18 to 298.
const LEFT = 68;
const TOP = 18;
const PANEL = 280;

test("draws the stack, the summary and the budget; hover names the allocation at a point", async () => {
  const s = await mount(payload([["run", small]], { title: "attention", budgetBytes: 100 * MiB }));
  assert.match(s.toolbar, /attention/);
  assert.match(s.toolbar, /peak 112 MiB, 3 allocations · budget 100 MiB/);
  assert.equal(s.x0, 0);
  assert.equal(s.x1, 6);
  // Step 2 (x in [2, 3)) holds q, scores, probs: 112 MiB. The plot is 818 px for 6 events.
  const w = 900 - LEFT - 14;
  const xOf = (x: number) => LEFT + (x / 6) * w;
  const yOf = (mib: number) => TOP + PANEL - (mib / (s.yMax / MiB)) * PANEL;
  const p = await at(xOf(2.5), yOf(16 + 64 / 2));
  await wp.page.mouse.move(p.x, p.y);
  await nextFrame();
  const hovered = await state();
  assert.match(
    hovered.tooltip,
    /^scores\nmatmul\n64.0 MiB\nallocated at event 1 \(2 ms\), freed at event 3 \(6 ms\)\nlifetime 2 events, 4 ms\nlive here: 112 MiB after event 2/,
  );
  // After scores is freed, probs slides down onto q: at step 3 the pixel above q is probs.
  const p2 = await at(xOf(3.5), yOf(16 + 16));
  await wp.page.mouse.move(p2.x, p2.y);
  await nextFrame();
  assert.match((await state()).tooltip, /^probs\nsoftmax\n32.0 MiB/);
  await shot("memory-timeline-v2-light");
  await wp.page.mouse.move(0, 0);
});

test("the wheel zooms the x domain around the cursor, a drag pans it, double-click resets", async () => {
  const events = syntheticEvents(10_000);
  const s0 = await mount(payload([["run", events]]));
  assert.deepEqual([s0.x0, s0.x1], [0, 10_000]);
  const centre = await at(LEFT + (900 - LEFT - 14) / 2, TOP + PANEL / 2);
  await wp.page.mouse.move(centre.x, centre.y);
  await wp.page.mouse.wheel(0, -600);
  await nextFrame();
  const zoomed = await state();
  assert.ok(zoomed.x1 - zoomed.x0 < 5_000, `zoomed to ${zoomed.x0}–${zoomed.x1}`);
  assert.ok(Math.abs((zoomed.x0 + zoomed.x1) / 2 - 5_000) < 50, "around the cursor");
  await wp.page.mouse.down();
  await wp.page.mouse.move(centre.x + 200, centre.y, { steps: 4 });
  await wp.page.mouse.up();
  await nextFrame();
  const panned = await state();
  assert.ok(panned.x0 < zoomed.x0, `panned left: ${panned.x0} < ${zoomed.x0}`);
  assert.ok(Math.abs(panned.x1 - panned.x0 - (zoomed.x1 - zoomed.x0)) < 1e-6, "same width");
  assert.notEqual(panned.yMax, 0);
  await wp.page.mouse.dblclick(centre.x, centre.y);
  await nextFrame();
  const back = await state();
  assert.deepEqual([back.x0, back.x1], [0, 10_000]);
});

test("the x-axis menu switches between event index and time", async () => {
  const s = await mount(payload([["run", small]]));
  assert.deepEqual([s.x0, s.x1], [0, 6]);
  await wp.page.locator("#root select").selectOption("time");
  await nextFrame();
  // Events are 2 ms apart; the last step is as wide as the average one.
  const t = await state();
  assert.deepEqual([t.x0, t.x1], [0, 10 + 10 / 6]);
});

test("the canvas follows its element's width", async () => {
  await mount(payload([["run", small]]));
  const width = () => wp.page.evaluate(() => document.querySelector("#root canvas")!.clientWidth);
  assert.equal(await width(), 900);
  await wp.page.evaluate(() => (document.getElementById("root")!.style.width = "600px"));
  await wp.page.waitForFunction(() => document.querySelector("#root canvas")!.clientWidth === 600);
  await wp.page.evaluate(() => (document.getElementById("root")!.style.width = ""));
  await wp.page.waitForFunction(() => document.querySelector("#root canvas")!.clientWidth === 900);
});

test("two runs compare one above the other, aligned by node", async () => {
  const plain: PackableEvent[] = [
    ev(0, "alloc", 0, 8, "a"),
    ev(1, "alloc", 1, 64, "scores"),
    ev(2, "free", 1, 64, "scores"),
    ev(3, "alloc", 2, 8, "out"),
    ev(4, "free", 0, 8, "a"),
    ev(5, "free", 2, 8, "out"),
  ];
  // The chunked run computes scores in four chunks of 16 MiB: more events for the same nodes.
  const chunked: PackableEvent[] = [ev(0, "alloc", 0, 8, "a")];
  for (let i = 0; i < 4; i++) {
    chunked.push({ ...ev(chunked.length, "alloc", 10 + i, 16, `chunk0/scores`), node: "scores" });
    chunked.push({ ...ev(chunked.length, "free", 10 + i, 16, `chunk0/scores`), node: "scores" });
  }
  chunked.push(
    ev(chunked.length, "alloc", 2, 8, "out"),
    ev(chunked.length + 1, "free", 0, 8, "a"),
    ev(chunked.length + 2, "free", 2, 8, "out"),
  );
  const s = await mount(
    payload(
      [
        ["unchunked", plain],
        ["chunked", chunked],
      ],
      { budgetBytes: 40 * MiB },
    ),
  );
  assert.match(
    s.toolbar,
    /unchunked: peak 72.0 MiB, 3 allocations · chunked: peak 24.0 MiB, 6 allocations · budget 40.0 MiB/,
  );
  // Aligned: the x axis is the first run's events; "out" (node) sits at x = 3 in both runs.
  assert.deepEqual([s.x0, s.x1], [0, 6]);
  const w = 900 - LEFT - 14;
  const panel = 190;
  const secondTop = 18 + panel + 18;
  const p = await at(LEFT + (3.5 / 6) * w, secondTop + panel - 8);
  await wp.page.mouse.move(p.x, p.y);
  await nextFrame();
  assert.match((await state()).tooltip, /^run: chunked\na\n/);
  const q = await at(LEFT + (1.5 / 6) * w, secondTop + panel - 8 - (16 / (s.yMax / MiB)) * panel);
  await wp.page.mouse.move(q.x, q.y);
  await nextFrame();
  assert.match(
    (await state()).tooltip,
    /^run: chunked\nchunk0\/scores\nmatmul · node scores\n16.0 MiB/,
  );
  await shot("memory-timeline-v2-compare");
  await wp.page.mouse.move(0, 0);
});

test("the hover shows an allocation's stack (its detail), a line a frame", async () => {
  const stack = "malloc at ??:0\nfc1 at model.py:10\ntrain_step at train.py:42";
  await mount(
    payload([["run", small.map((e) => (e.label === "scores" ? { ...e, detail: stack } : e))]]),
  );
  const w = 900 - LEFT - 14;
  const p = await at(LEFT + (2.5 / 6) * w, TOP + PANEL - 0.3 * PANEL);
  await wp.page.mouse.move(p.x, p.y);
  await nextFrame();
  assert.match(
    (await state()).tooltip,
    /^scores\n[\s\S]*\nmalloc at \?\?:0\nfc1 at model\.py:10\ntrain_step at train\.py:42$/,
  );
  await wp.page.mouse.move(0, 0);
});

test("the search box highlights allocations by label; highlightOp by node; others fade", async () => {
  await mount(payload([["run", small]]));
  const w = 900 - LEFT - 14;
  const x = LEFT + (2.5 / 6) * w;
  const scoresY = TOP + PANEL - 0.3 * PANEL;
  const before = await pixel(x, scoresY);
  await wp.page.locator("#root input[type=search]").fill("SCO");
  await nextFrame();
  const s = await state();
  assert.equal(s.matches, "1");
  assert.match(s.toolbar, /1 allocation highlighted/);
  assert.deepEqual(await pixel(x, scoresY), before, "the match keeps its colour");
  const qY = TOP + PANEL - 3;
  const faded = await pixel(x, qY);
  assert.ok(
    faded.every((v) => v > 200),
    `q fades towards the white background: ${faded}`,
  );
  await wp.page.locator("#root input[type=search]").fill("");
  await nextFrame();
  assert.equal((await state()).matches, "0");
  // highlightOp through the renderer's own handle.
  const lit = await wp.page.evaluate(
    (p) => {
      const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
      const root = document.getElementById("root")!;
      root.replaceChildren();
      const seen: (string | null)[] = [];
      const handle = viz.renderMemoryTimeline(root, p, { onHoverOp: (op) => seen.push(op) });
      handle.highlightOp("softmax");
      const n = root.querySelector<HTMLElement>(".tessera-memory-timeline")!.dataset.matches;
      handle.dispose();
      return { n, left: root.childNodes.length };
    },
    payload([["run", small]]) as never,
  );
  assert.deepEqual(lit, { n: "1", left: 0 });
});

test("follows the dark theme on redraw", async () => {
  await mount(payload([["run", small]], { budgetBytes: 100 * MiB }));
  const light = await pixel(LEFT + 4, TOP + 4);
  await wp.setTheme("dark");
  await wp.page.evaluate(() =>
    (window as unknown as { handle: { redraw(): void } }).handle.redraw(),
  );
  await nextFrame();
  const dark = await pixel(LEFT + 4, TOP + 4);
  assert.ok(
    light.every((v) => v > 230),
    `light background ${light}`,
  );
  assert.ok(
    dark.every((v) => v < 40),
    `dark background ${dark}`,
  );
  await shot("memory-timeline-v2-dark");
  await wp.setTheme("light");
});

test("labels with markup are text: in the toolbar, the canvas and the hover", async () => {
  const events = small.map((e) => ({ ...e, label: XSS }));
  const s = await mount(payload([[XSS, events]], { title: XSS }));
  assert.ok(s.toolbar.includes(XSS));
  const w = 900 - LEFT - 14;
  const p = await at(LEFT + (2.5 / 6) * w, TOP + PANEL - 5);
  await wp.page.mouse.move(p.x, p.y);
  await nextFrame();
  assert.ok((await state()).tooltip.startsWith(XSS));
  assert.equal(await wp.page.locator("#root img").count(), 0);
  await wp.page.mouse.move(0, 0);
});

test("an invalid payload shows the error box naming the field", async () => {
  const bad = payload([["run", small]]);
  (bad.runs[0]!.events as { count: number }).count = 7;
  await wp.page.evaluate((p) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const root = document.getElementById("root")!;
    root.replaceChildren();
    const spec = viz.WIDGETS.find(
      (s) => s.mimeType === "application/vnd.tessera.memory-timeline.v2+json",
    )!;
    viz.mountWidget(root, spec, p);
  }, bad as never);
  const text = (await wp.page.locator("#root [role=alert]").textContent()) ?? "";
  assert.match(
    text,
    /runs\[0\]\.events\.label: 7 events need 28 bytes of Uint32Array, the base64 holds 24/,
  );
});
