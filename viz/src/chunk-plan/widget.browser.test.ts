/**
 * The chunk-plan widget in Chromium: what is drawn, hover linking graph and pseudocode both
 * ways, click details with the reason, collapsing a block, a 2,000-node plan, the dark theme,
 * hostile names, and the live slider against a scripted channel (debounce, latest wins, an
 * impossible budget).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chunkPlanFixture } from "../../test/chunk-plan-fixture.js";
import { openWidgetPage, screenshotPath, type WidgetPage } from "../../test/page.js";
import { MIME_CHUNK_PLAN } from "./types.js";

const XSS = "<img src=x onerror=alert(1)>";
let wp: WidgetPage;
before(async () => (wp = await openWidgetPage({ width: 1100, height: 700 })));
after(() => wp.close());

type Viz = typeof import("../dom.js");

/** Mounts `payload` into a fresh #root; `live` scripts a channel whose `plan` answers by rule. */
async function mount(payload: unknown, live = false): Promise<void> {
  await wp.page.evaluate(
    ({ mime, payload, live }) => {
      const w = window as unknown as {
        tesseraViz: Viz;
        handle?: { dispose(): void };
        asked: number[];
      };
      const viz = w.tesseraViz;
      w.handle?.dispose();
      w.asked = [];
      const root = document.getElementById("root")!;
      const spec = viz.WIDGETS.find((s) => s.mimeType === mime)!;
      const base = payload as {
        budgetBytes: number;
        minimumBytes: number;
        peakBytes: { after: number };
      };
      const channel = {
        state: "live" as const,
        reason: "",
        onState: () => () => {},
        // The "kernel": a budget under the minimum is impossible; otherwise the same plan at
        // that budget, its peak the budget itself. Replies to older asks come later than newer.
        request: async (_method: string, params: Record<string, unknown> = {}) => {
          const budget = Number(params.budget);
          w.asked.push(budget);
          await new Promise((r) => setTimeout(r, w.asked.length === 1 ? 300 : 10));
          if (budget < base.minimumBytes) {
            return {
              data: {
                ok: false,
                budgetBytes: budget,
                minimumBytes: base.minimumBytes,
                message: `No chunking fits: the lowest peak reachable is ${base.minimumBytes}.`,
              },
              buffers: [],
            };
          }
          const next = {
            ...base,
            budgetBytes: budget,
            peakBytes: { ...base.peakBytes, after: Math.min(budget, base.peakBytes.after) },
          };
          return { data: { ok: true, payload: next }, buffers: [] };
        },
      };
      w.handle = viz.mountWidget(root, spec, payload, live ? { live: channel } : {});
    },
    { mime: MIME_CHUNK_PLAN, payload, live },
  );
}

test("draws every node, the regions with their chunk size, the strip and the pseudocode", async () => {
  const payload = chunkPlanFixture({ layers: 2 });
  await mount(payload);
  const page = wp.page;
  assert.equal(await page.locator("#root [role=alert]").count(), 0);
  assert.equal(await page.locator("#root g.tessera-chunk-plan-node[data-node]").count(), 31);
  const regions = await page.locator("#root g.tessera-chunk-plan-region text").allTextContents();
  assert.deepEqual(regions, ["chunk0 · dim 2 · 128 × 4", "chunk1 · dim 2 · 128 × 4"]);
  assert.equal(await page.locator("#root .tessera-chunk-plan-strip g[data-item]").count(), 31);
  assert.match(
    (await page.locator("#root .tessera-chunk-plan-budget-label").textContent()) ?? "",
    /budget 5\.00 MiB/,
  );
  assert.equal(
    await page.locator("#root .tessera-chunk-plan-line").count(),
    payload.pseudocode.split("\n").length,
  );
  assert.equal(await page.locator("#root g.tessera-chunk-plan-peak").count(), 1);
  // The peak before chunking is elsewhere (layer 1's scores): marked apart.
  const before = page.locator("#root g.tessera-chunk-plan-peak-before");
  assert.equal(await before.getAttribute("data-node"), "21");
  assert.match((await before.textContent()) ?? "", /△ peak before chunking/);
  assert.match(
    (await page.locator("#root [data-role=summary]").textContent()) ?? "",
    /peak 12\.\d MiB → 4\.00 MiB \(budget 5\.00 MiB\), 2 regions/,
  );
  // Without a kernel the slider is off and the note says the controls need one.
  assert.equal(await page.locator("#root .tessera-chunk-plan-slider").isDisabled(), true);
  assert.match(
    (await page.locator("#root .tessera-live-status").textContent()) ?? "",
    /need the kernel/,
  );
  await page.locator("#root").screenshot({ path: await screenshotPath("chunk-plan-widget-light") });
});

test("hovering a node lights its pseudocode line, and hovering a line lights its node; click shows why", async () => {
  await mount(chunkPlanFixture({ layers: 2 }));
  const page = wp.page;
  const node = page.locator('#root g.tessera-chunk-plan-node[data-node="6"]');
  await node.hover();
  const lit = page.locator("#root .tessera-chunk-plan-line.tessera-hover");
  assert.equal(await lit.count(), 1);
  assert.match((await lit.textContent()) ?? "", /^\s+h0\.attn\.matmul = matmul/);
  await page.mouse.move(0, 0);
  assert.equal(await lit.count(), 0);
  const line = page.locator('#root .tessera-chunk-plan-line[data-node="13"]');
  await line.hover();
  assert.equal(
    await page.locator('#root g.tessera-chunk-plan-node.tessera-hover[data-node="13"]').count(),
    1,
  );
  await node.click();
  const why = page.locator('#root [data-role=details] dd[data-field="why"]');
  assert.equal(await why.textContent(), "in chunk0: sliced along dim 2");
  assert.equal(
    await page.locator('#root [data-role=details] dd[data-field="type"]').textContent(),
    "f32[1,4,512,512]",
  );
  assert.equal(
    await page.locator('#root [data-role=details] dd[data-field="reads"]').textContent(),
    "h0.attn.q f32[1,512,256], h0.attn.k f32[1,512,256]",
  );
});

test("a block collapses into one box and expands again", async () => {
  await mount(chunkPlanFixture({ layers: 2 }));
  const page = wp.page;
  await page.locator('#root g.tessera-chunk-plan-cluster[data-block="h1"] text').click();
  assert.equal(await page.locator("#root g.tessera-chunk-plan-node[data-node]").count(), 16);
  const box = page.locator('#root g.tessera-chunk-plan-block[data-block="h1"]');
  assert.match((await box.textContent()) ?? "", /h1 ▸ 15 nodes/);
  assert.equal(
    await page.locator("#root g.tessera-chunk-plan-region").count(),
    1,
    "h1's region is inside the box",
  );
  await box.click();
  assert.equal(await page.locator("#root g.tessera-chunk-plan-node[data-node]").count(), 31);
});

test("a 2,000-node plan opens collapsed to its layers, quickly, with the peaks' layers open", async () => {
  const payload = chunkPlanFixture({ layers: 134 }); // 2,011 nodes
  const ms = await wp.page.evaluate(
    ({ mime, payload }) => {
      const viz = (window as unknown as { tesseraViz: Viz }).tesseraViz;
      const root = document.getElementById("root")!;
      root.replaceChildren();
      const start = performance.now();
      viz.mountWidget(
        root,
        viz.WIDGETS.find((s) => s.mimeType === mime)!,
        payload,
      );
      return performance.now() - start;
    },
    { mime: MIME_CHUNK_PLAN, payload },
  );
  const page = wp.page;
  // The peak after chunking is in layer 0, the peak before it in layer 2: both stay open.
  assert.equal(await page.locator("#root g.tessera-chunk-plan-block").count(), 132);
  assert.equal(await page.locator("#root g.tessera-chunk-plan-node[data-node]").count(), 31);
  assert.ok(ms < 5000, `first render took ${ms} ms`);
  await page.locator("#root").screenshot({ path: await screenshotPath("chunk-plan-widget-2000") });
});

test("hostile names stay text; the dark theme recolours on redraw", async () => {
  await mount(chunkPlanFixture({ layers: 1, label: XSS }));
  const page = wp.page;
  assert.equal(await page.locator("#root img").count(), 0);
  assert.ok(((await page.locator("#root").textContent()) ?? "").includes("<img src=x"));
  const fillOf = () =>
    page.locator('#root g.tessera-chunk-plan-node[data-node="3"] rect').getAttribute("fill");
  const light = await fillOf();
  await wp.setTheme("dark");
  await page.evaluate(() => (window as unknown as { handle: { redraw(): void } }).handle.redraw());
  const dark = await fillOf();
  assert.notEqual(light, dark);
  await page.locator("#root").screenshot({ path: await screenshotPath("chunk-plan-widget-dark") });
  await wp.setTheme("light");
});

test("the slider re-plans once it rests (latest wins) and shows an impossible budget's minimum", async () => {
  await mount(chunkPlanFixture({ layers: 2 }), true);
  const page = wp.page;
  const slider = page.locator("#root .tessera-chunk-plan-slider");
  assert.equal(await slider.isDisabled(), false);
  await slider.focus();
  // Three key presses in quick succession: one request, for the last position.
  for (let k = 0; k < 3; k++) await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => (window as unknown as { asked: number[] }).asked.length === 1);
  const summary = page.locator("#root [data-role=summary]");
  await page.waitForFunction(
    () =>
      document.querySelector<HTMLElement>("#root [data-role=summary]")!.dataset.budget !==
      String(5 * 2 ** 20),
  );
  const [asked] = await page.evaluate(() => (window as unknown as { asked: number[] }).asked);
  assert.equal(Number(await summary.getAttribute("data-budget")), asked);
  assert.ok(Number(await summary.getAttribute("data-peak-after")) <= asked!);
  // Far left: below the lowest reachable peak.
  await page.keyboard.press("Home");
  const message = page.locator("#root .tessera-chunk-plan-message");
  await message.getByText(/lowest peak reachable/).waitFor();
  assert.equal(await message.getAttribute("data-minimum-bytes"), String(3.5 * 2 ** 20));
});

test("measured timelines under the plan are linked both ways by node name", async () => {
  const MiB = 2 ** 20;
  const ev = (
    index: number,
    kind: "alloc" | "free",
    allocation: number,
    mib: number,
    node: string,
  ) => ({
    index,
    kind,
    allocation,
    bytes: mib * MiB,
    label: `chunk0/${node}`,
    op: node.split(".").at(-1)!,
    node,
    timeMs: index,
  });
  const { packMemoryEvents } = await import("../memory-timeline/pack.js");
  const events = [
    ev(0, "alloc", 0, 64, "h0.attn.matmul"),
    ev(1, "alloc", 1, 1, "h0.mlp.gelu"),
    ev(2, "free", 1, 1, "h0.mlp.gelu"),
    ev(3, "free", 0, 64, "h0.attn.matmul"),
  ];
  const payload = {
    ...chunkPlanFixture({ layers: 1 }),
    timelines: { version: 2, runs: [{ name: "chunked", events: packMemoryEvents(events) }] },
  };
  await mount(payload);
  const page = wp.page;
  const matches = () => page.locator("#root .tessera-memory-timeline").getAttribute("data-matches");
  // Node → allocations: hovering h0.attn.matmul (node 6) highlights its one allocation.
  await page.locator('#root g.tessera-chunk-plan-node[data-node="6"]').hover();
  assert.equal(await matches(), "1");
  await page.mouse.move(0, 0);
  assert.equal(await matches(), "0");
  // Allocation → node: hovering the big band lights node 6 in the graph.
  const canvas = page.locator("#root .tessera-memory-timeline canvas").first();
  const box = (await canvas.boundingBox())!;
  await canvas.hover({ position: { x: box.width / 2, y: 18 + 0.6 * (box.height - 92) } });
  await page
    .locator('#root g.tessera-chunk-plan-node.tessera-linked[data-node="6"]')
    .waitFor({ timeout: 5000 });
  assert.match(
    (await page.locator("#root .tessera-chunk-plan-timeline-note").textContent()) ?? "",
    /Measured runs of this plan/,
  );
  await page
    .locator("#root")
    .screenshot({ path: await screenshotPath("chunk-plan-widget-timelines") });
});

test("the live note follows the channel: busy says it waits, offline turns the slider off", async () => {
  const payload = chunkPlanFixture({ layers: 1 });
  await wp.page.evaluate(
    ({ mime, payload }) => {
      type State = "connecting" | "live" | "busy" | "offline";
      const w = window as unknown as {
        tesseraViz: Viz;
        handle?: { dispose(): void };
        setState: (s: State) => void;
      };
      w.handle?.dispose();
      const listeners = new Set<(s: State) => void>();
      const channel = {
        state: "live" as State,
        reason: "",
        onState: (f: (s: State) => void) => (listeners.add(f), () => listeners.delete(f)),
        request: () => new Promise<never>(() => {}),
      };
      w.setState = (s) => {
        channel.state = s;
        channel.reason = s === "offline" ? "the kernel was restarted" : "";
        for (const f of listeners) f(s);
      };
      const root = document.getElementById("root")!;
      const spec = w.tesseraViz.WIDGETS.find((s) => s.mimeType === mime)!;
      w.handle = w.tesseraViz.mountWidget(root, spec, payload, { live: channel });
    },
    { mime: MIME_CHUNK_PLAN, payload },
  );
  const page = wp.page;
  const status = page.locator("#root .tessera-live-status");
  const slider = page.locator("#root .tessera-chunk-plan-slider");
  assert.equal(await status.isVisible(), false, "hidden while live");
  await page.evaluate(() => (window as unknown as { setState(s: string): void }).setState("busy"));
  assert.match((await status.textContent()) ?? "", /Waiting for the kernel: a cell is running/);
  assert.equal(await slider.isDisabled(), false, "moves wait in the kernel's queue");
  await page.evaluate(() =>
    (window as unknown as { setState(s: string): void }).setState("offline"),
  );
  assert.match((await status.textContent()) ?? "", /need the kernel.*restarted/);
  assert.equal(await slider.isDisabled(), true);
});
