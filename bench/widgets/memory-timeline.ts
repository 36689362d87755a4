/**
 * Memory timeline v2 (canvas) at 1k, 10k, 100k and 1M events in headless Chromium, against
 * two SVG baselines measured in the same run:
 *
 * - "SVG per allocation" (the ratio's baseline): PyTorch memory_viz's approach, one <path>
 *   (with its <title>) per allocation, built from v1's stacking layout (layout and markup
 *   timed in Node's V8, parsing and painting in the page);
 * - "v1 widget": the v1 renderer as registered, which draws the 100 largest allocations and
 *   one "other" band (so it does less work than either, and hides allocations).
 *
 * Metrics: first render (mount call → the frame after the drawing; validation included),
 * the median requestAnimationFrame interval while panning and while hovering, one input per
 * frame (16.7 ms is the display's 60 Hz: the frame was not late), and for v2 the median time
 * its own drawing took per pan frame. v2 gets its pointer events dispatched in the page, one
 * a frame; the SVG's hover needs the real pointer (CSS :hover), so it gets Playwright's mouse. SVG has no zoom: its "pan" moves the plot group one
 * step a frame, as a d3-zoom transform on an SVG would; its hover is the browser's own (CSS
 * :hover and <title>). v1 validates at most 100,000 events, so it has no 1M row. Events come
 * from viz/test/memory-events.ts (seeded, a layered program's pattern).
 */
import type { Page } from "playwright-core";
import type { Row } from "../widgets.bench.ts";
import { openWidgetPage } from "../../viz/test/page.ts";
import { syntheticEvents } from "../../viz/test/memory-events.ts";
import { packMemoryEvents } from "../../viz/src/memory-timeline/pack.ts";
import { memoryTimelineLayout } from "../../viz/src/memory-timeline/layout.ts";
import {
  MIME_MEMORY_TIMELINE as MIME_V1,
  type MemoryTimelinePayload,
} from "../../viz/src/memory-timeline/types.ts";
import { MIME_MEMORY_TIMELINE_V2 as MIME_V2 } from "../../viz/src/memory-timeline/types-v2.ts";
import { stepArea } from "../../viz/src/common/path.ts";
import { escapeXml } from "../../viz/src/common/xml.ts";
import { clear, frames, mountTimed, round } from "./measure.ts";

// `MEMORY_TIMELINE_SIZES=1000,10000` runs fewer sizes (a smoke run).
const SIZES = (process.env.MEMORY_TIMELINE_SIZES ?? "1000,10000,100000,1000000")
  .split(",")
  .map(Number);
const V1_LIMIT = 100_000;
/** A baseline is skipped at larger sizes once one render takes longer than this. */
const BASELINE_BUDGET_MS = 60_000;
const WIDTH = 1000;
const HEIGHT = 600;
const WIDGET = "memory timeline v2";
/** First render: mountWidget → two animation frames later. */
const TWO_FRAMES = { frames: 2 };

interface Measured {
  firstRender: number;
  pan: number;
  hover: number;
  /** v2 only: the widget's own drawing per frame while panning. */
  drawMs?: number;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  let wp = await openWidgetPage({ width: WIDTH, height: HEIGHT });
  const slow = { perAllocation: false, v1: false };
  try {
    // Warm-up: the first canvas, fonts and JIT are not any size's cost.
    await mountTimed(
      wp.page,
      MIME_V2,
      JSON.stringify(v2Payload(syntheticEvents(2_000), "warm-up")),
      TWO_FRAMES,
    );
    for (const n of SIZES) {
      const events = syntheticEvents(n);
      const label = `${n.toLocaleString("en-US")} events`;
      const v2json = JSON.stringify(v2Payload(events, label));
      const canvas = await measure(
        wp.page,
        () => mountTimed(wp.page, MIME_V2, v2json, TWO_FRAMES),
        "canvas",
      );
      const v1: MemoryTimelinePayload | undefined =
        n > V1_LIMIT
          ? undefined
          : {
              version: 1,
              title: label,
              budgetBytes: 64 * 2 ** 20,
              events: events.map(({ node: _n, detail: _d, ...e }) => e),
            };
      const over = `v1 takes at most ${V1_LIMIT.toLocaleString("en-US")} events`;
      const skipped = `skipped: over ${BASELINE_BUDGET_MS / 1000} s at a smaller size`;
      let perAllocation: Measured | undefined;
      let perAllocationNote = v1 ? undefined : over;
      if (v1 && slow.perAllocation) perAllocationNote = skipped;
      else if (v1) {
        try {
          perAllocation = await measure(wp.page, () => svgTimed(wp.page, v1), "svg");
          slow.perAllocation = perAllocation.firstRender > BASELINE_BUDGET_MS;
        } catch (e) {
          // Chromium's page dies on SVGs this large (memory_viz's users see the same).
          perAllocationNote = `SVG per allocation failed: ${String((e as Error).message).split("\n")[0]}`;
          slow.perAllocation = true;
          await wp.close().catch(() => {});
          wp = await openWidgetPage({ width: WIDTH, height: HEIGHT });
        }
      }
      let widgetV1: Measured | undefined;
      if (v1 && !slow.v1) {
        widgetV1 = await measure(
          wp.page,
          () => mountTimed(wp.page, MIME_V1, JSON.stringify(v1), TWO_FRAMES),
          "svg",
        );
        slow.v1 = widgetV1.firstRender > BASELINE_BUDGET_MS;
      }
      for (const [metric, key] of [
        ["first render", "firstRender"],
        ["pan frame (median)", "pan"],
        ["hover frame (median)", "hover"],
      ] as const) {
        const value = canvas[key];
        const baseline = perAllocation ? perAllocation[key] : null;
        rows.push({
          widget: WIDGET,
          case: label,
          metric,
          value: round(value),
          unit: "ms",
          baseline: baseline === null ? null : round(baseline),
          ratio: baseline === null ? null : round(baseline / value, 2),
          note: perAllocationNote ?? "baseline: SVG, one path per allocation",
        });
        if (widgetV1) {
          rows.push({
            widget: "memory timeline v1 (100 bands + other)",
            case: label,
            metric,
            value: round(widgetV1[key]),
            unit: "ms",
            note: "the v1 widget as registered: draws 100 allocations, the rest as one band",
          });
        }
      }
      rows.push({
        widget: WIDGET,
        case: label,
        metric: "draw per pan frame (median)",
        value: round(canvas.drawMs ?? NaN),
        unit: "ms",
      });
      rows.push({
        widget: WIDGET,
        case: label,
        metric: "payload",
        value: round(v2json.length / 2 ** 20, 2),
        unit: "MiB",
        note: "JSON, base64 columns",
      });
      console.error(
        `[memory-timeline] ${label}: v2 ${JSON.stringify(canvas)}; per-allocation SVG ${JSON.stringify(perAllocation ?? perAllocationNote)}; v1 widget ${JSON.stringify(widgetV1 ?? "-")}`,
      );
    }
  } finally {
    await wp.close();
  }
  return rows;
}

function v2Payload(events: ReturnType<typeof syntheticEvents>, title: string) {
  return {
    version: 2,
    title,
    budgetBytes: 64 * 2 ** 20,
    runs: [{ name: "run", events: packMemoryEvents(events) }],
  };
}

/** memory_viz's approach: layout and one <path> per allocation built in Node (timed), parsed and painted in the page (timed). */
async function svgTimed(page: Page, payload: MemoryTimelinePayload): Promise<number> {
  await clear(page);
  const start = performance.now();
  const svg = svgPerAllocation(payload);
  const built = performance.now() - start;
  console.error(
    `[memory-timeline] SVG per allocation: ${(svg.length / 2 ** 20).toFixed(1)} MiB of markup`,
  );
  await page.evaluate((svg) => ((window as unknown as { svg: string }).svg = svg), svg);
  const shown = await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const start = performance.now();
    document.getElementById("root")!.innerHTML = (window as unknown as { svg: string }).svg;
    await frame();
    await frame();
    return performance.now() - start;
  });
  return built + shown;
}

function svgPerAllocation(payload: MemoryTimelinePayload): string {
  const w = WIDTH - 90;
  const h = HEIGHT - 100;
  const layout = memoryTimelineLayout(payload, { maxSteps: w, maxBands: Number.MAX_SAFE_INTEGER });
  const x0 = layout.xs[0] ?? 0;
  const sx = (x: number) => ((x - x0) / (layout.xEnd - x0 || 1)) * w;
  const top = Math.max(1, layout.peak?.bytes ?? 1) * 1.06;
  const sy = (b: number) => h - (b / top) * h;
  const paths = layout.bands.map((band, i) => {
    const edges = layout.xs.slice(band.start, band.end).map(sx);
    edges.push(sx(layout.xs[band.end] ?? layout.xEnd));
    const d = stepArea(
      edges,
      band.offsets.map(sy),
      band.offsets.map((o) => sy(o + band.bytes)),
    );
    return `<path d="${d}" fill="hsl(${(i * 47) % 360} 55% 60%)"><title>${escapeXml(band.label)} (${escapeXml(band.op)}) ${band.bytes} B</title></path>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><g transform="translate(72,52)">${paths.join("")}</g></svg>`;
}

/** Mounts with `mount` (its time is the first render), then pans and hovers. */
async function measure(
  page: Page,
  mount: () => Promise<number>,
  what: "canvas" | "svg",
): Promise<Measured> {
  const firstRender = await mount();
  const box = (await page.locator(`#root ${what}`).first().boundingBox())!;
  const cy = box.y + Math.min(box.height / 2, 160);
  if (what === "canvas") {
    // Zoom into the middle first, so there is room to pan.
    await page.mouse.move(box.x + box.width / 2, cy);
    await page.mouse.wheel(0, -700);
    await page.mouse.move(0, 0);
    const pan = await drive(page, "pan");
    const hover = await drive(page, "hover");
    return { firstRender, pan: pan.frame, hover: hover.frame, drawMs: pan.draw };
  }
  const pan = await frames(page, () =>
    page.evaluate(async () => {
      const g = document.querySelector("#root svg > g")!;
      for (let i = 0; i < 40; i++) {
        g.setAttribute("transform", `translate(${72 - (i % 10) * 12},52)`);
        await new Promise((r) => requestAnimationFrame(r));
      }
    }),
  );
  // CSS :hover needs the real pointer: mouse moves from Playwright.
  const hover = await frames(page, async () => {
    for (let i = 0; i < 40; i++) {
      await page.mouse.move(box.x + 80 + (i * (box.width - 300)) / 40, cy + (i % 5) * 10);
    }
  });
  await page.mouse.move(0, 0);
  return { firstRender, pan, hover };
}

/**
 * Drives the canvas widget with one pointer event per frame, dispatched in the page (a drag
 * that pans, or moves across the plot that hover), and returns the median frame interval and
 * the median drawing time the widget reports: every measured frame has the widget's work in it.
 */
async function drive(page: Page, kind: "pan" | "hover"): Promise<{ frame: number; draw: number }> {
  return page.evaluate(async (kind) => {
    const root = document.querySelector<HTMLElement>("#root .tessera-memory-timeline")!;
    const canvas = root.querySelector("canvas")!;
    const box = canvas.getBoundingClientRect();
    const cx = box.left + box.width / 2;
    const cy = box.top + 150;
    const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
    const send = (type: string, x: number, y: number) =>
      canvas.dispatchEvent(
        new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, bubbles: true }),
      );
    if (kind === "pan") send("pointerdown", cx, cy);
    const times: number[] = [];
    const draws: number[] = [];
    for (let i = 0; i < 41; i++) {
      const x =
        kind === "pan"
          ? cx + (i % 20 < 10 ? i % 10 : 10 - (i % 10)) * 12 + 12
          : box.left + 80 + (i * (box.width - 160)) / 41;
      send("pointermove", x, cy + (kind === "hover" ? (i % 5) * 10 : 0));
      times.push(await frame());
      draws.push(Number(root.dataset.drawMs));
    }
    if (kind === "pan") send("pointerup", cx, cy);
    send("pointerleave", 0, 0);
    const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]!;
    return { frame: median(times.slice(1).map((t, i) => t - times[i]!)), draw: median(draws) };
  }, kind);
}
