/**
 * Chunk-plan widget: layout and first render of GPT plans of about 100, 1,000 and 2,000 nodes,
 * and the budget slider's round trip through a real Tessera kernel on the GPT benchmark model
 * (2 layers, 1,024 tokens, GPT-2 small widths).
 *
 * - Layout: the widget's (dagre in two levels: each expanded block with its regions as
 *   clusters, repeated layers laid out once, then the blocks as boxes) on every node (all
 *   blocks expanded), against elkjs 0.9's layered algorithm on the same nodes and edges in one
 *   run (no clusters), both in Node's V8; and as the widget opens the plan (beyond 300 nodes,
 *   every block but the peaks' collapsed).
 * - First render: mount call → the frame after drawing, in headless Chromium (validation,
 *   decoding and layout included), against the static SVG writer (layout and markup timed in
 *   Node, parsing and painting in the page): what a front end without the extension shows.
 *   Layouts of blocks are kept between calls (a slider's re-plans reuse them), so the cold
 *   figures forget them first; "laid out before" mounts the same plan again.
 * - Slider round trip: the kernel is driven directly (bench/jupyter-client.ts): a cell shows
 *   `chunkPlanView(plan)`, a comm is opened on `tessera` as the extension does, and each
 *   `plan` request's time to its reply is added to the page's time to draw the new payload
 *   (`update` → next frame). The widget's 120 ms debounce is not counted: it is the time the
 *   slider must rest. Baseline: the re-plan in Node with cold caches (a fresh graph object,
 *   so the estimate and the candidate regions are recomputed) against the warm re-plan.
 */
import elkModule from "elkjs/lib/elk.bundled.js";
import { autochunk as ac } from "@tessera/gpu";
import type { Row } from "../widgets.bench.ts";
import { clear, median, mountTimed, round, startKernel } from "./measure.ts";
import { openWidgetPage, type WidgetPage } from "../../viz/test/page.ts";
import { chunkPlanPayload } from "../../kernel/src/api/chunk-plan.ts";
import { collapsedAtOpen, planBlocks } from "../../viz/src/chunk-plan/blocks.ts";
import { decodeChunkPlan } from "../../viz/src/chunk-plan/decode.ts";
import { chunkPlanLayout, forgetLayouts } from "../../viz/src/chunk-plan/layout.ts";
import { chunkPlanSvg } from "../../viz/src/chunk-plan/svg.ts";
import {
  MIME_CHUNK_PLAN as MIME,
  type ChunkPlanPayload,
  type ChunkPlanReply,
} from "../../viz/src/chunk-plan/types.ts";

// elkjs is CommonJS: under tsx the default import is module.exports (the constructor itself),
// while its types describe an ES module whose default export is the constructor.
const ELK = ((elkModule as unknown as { default?: unknown }).default ??
  elkModule) as unknown as typeof elkModule.default;
const WIDGET = "chunk plan";
const REPEATS = 3;
/** GPT layers for ≈100, 1,000 and 2,000 activation nodes (25 per layer + 5). */
const SIZES = [4, 40, 80] as const;
const MOVES = 12;

function best(times: number[]): number {
  return Math.min(...times);
}

async function timeIt(run: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** A GPT plan of `layers` layers at 0.4 × its peak (small widths keep planning quick). */
async function gptPayload(layers: number): Promise<ChunkPlanPayload> {
  const graph = ac.gptPrefill({ seq: 256, nEmbd: 64, nHead: 2, nLayer: layers, vocab: 256 }).graph;
  const peak = ac.estimateMemory(graph).peakBytes;
  const plan = await ac.autochunk(graph, { budget: Math.floor(0.4 * peak) });
  return chunkPlanPayload(plan, { title: `GPT, ${layers} layers` });
}

async function elkLayout(payload: ChunkPlanPayload): Promise<void> {
  const plan = decodeChunkPlan(payload);
  const elk = new ELK();
  const edges = plan.inputs.flatMap((ins, to) =>
    ins.map((from, k) => ({ id: `e${to}_${k}`, sources: [`n${from}`], targets: [`n${to}`] })),
  );
  await elk.layout({
    id: "root",
    layoutOptions: { "elk.algorithm": "layered", "elk.direction": "DOWN" },
    children: plan.name.map((_, i) => ({ id: `n${i}`, width: 168, height: 24 })),
    edges,
  });
}

/** Mount → the frame after drawing, in the page; `cold`: with no block layouts kept from before. */
async function widgetFirstRender(
  wp: WidgetPage,
  payload: ChunkPlanPayload,
  cold: boolean,
): Promise<number> {
  await clear(wp.page);
  if (cold) {
    await wp.page.evaluate(() =>
      (
        window as unknown as { tesseraViz: typeof import("../../viz/src/dom.ts") }
      ).tesseraViz.forgetLayouts(),
    );
  }
  return mountTimed(wp.page, MIME, JSON.stringify(payload), { frames: 1 });
}

function svgFirstRender(wp: WidgetPage, svg: string): Promise<number> {
  return wp.page.evaluate(
    (svg) =>
      new Promise<number>((resolve) => {
        const root = document.getElementById("root")!;
        root.replaceChildren();
        const start = performance.now();
        root.innerHTML = svg;
        requestAnimationFrame(() => resolve(performance.now() - start));
      }),
    svg,
  );
}

async function sizes(wp: WidgetPage): Promise<Row[]> {
  const rows: Row[] = [];
  for (const layers of SIZES) {
    const payload = await gptPayload(layers);
    const plan = decodeChunkPlan(payload);
    const blocks = planBlocks(plan.name);
    const n = plan.name.length;
    const label = `GPT ${layers} layers, ${n.toLocaleString("en")} nodes`;
    const opened = collapsedAtOpen(plan, blocks);
    const dagreAll: number[] = [];
    const dagreOpen: number[] = [];
    const elk: number[] = [];
    const widget: number[] = [];
    const warm: number[] = [];
    const svg: number[] = [];
    // Cold figures: the kept block layouts are forgotten first, as for a plan never drawn.
    for (let k = 0; k < REPEATS; k++) {
      forgetLayouts();
      dagreAll.push(await timeIt(() => chunkPlanLayout(plan, blocks, new Set())));
      elk.push(await timeIt(() => elkLayout(payload)));
      forgetLayouts();
      dagreOpen.push(await timeIt(() => chunkPlanLayout(plan, blocks, opened)));
      widget.push(await widgetFirstRender(wp, payload, true));
      warm.push(await widgetFirstRender(wp, payload, false));
      let markup = "";
      forgetLayouts();
      const write = await timeIt(() => (markup = chunkPlanSvg(payload)));
      svg.push(write + (await svgFirstRender(wp, markup)));
    }
    const [a, e, o, w, s, h] = [dagreAll, elk, dagreOpen, widget, svg, warm].map(best) as number[];
    rows.push(
      {
        widget: WIDGET,
        case: label,
        metric: "layout, all expanded, cold (two-level dagre)",
        value: round(a!),
        unit: "ms",
        baseline: round(e!),
        ratio: round(e! / a!, 2),
        note: "baseline: elkjs 0.9 layered, one run on the same graph, no clusters",
      },
      {
        widget: WIDGET,
        case: label,
        metric: "layout as opened, cold",
        value: round(o!),
        unit: "ms",
        note: `${opened.size} of ${blocks.length} blocks collapsed`,
      },
      {
        widget: WIDGET,
        case: label,
        metric: "first render, cold (mount → frame)",
        value: round(w!),
        unit: "ms",
        baseline: round(s!),
        ratio: round(s! / w!, 2),
        note: "baseline: the static SVG writer, cold (Node) + innerHTML; target ≤ 1,000 ms",
      },
      {
        widget: WIDGET,
        case: label,
        metric: "first render, blocks laid out before",
        value: round(h!),
        unit: "ms",
        note: "the same plan mounted again (kept block layouts)",
      },
    );
  }
  return rows;
}

/** Re-plan in Node: cold caches (a fresh graph each time) against warm (the same graph). */
async function replanInProcess(budgets: readonly number[]): Promise<Row> {
  const config = { seq: 1024, nLayer: 2 };
  const table = await ac.cachedCostTable();
  const graph = ac.gptPrefill(config).graph;
  await ac.autochunk(graph, { budget: budgets[0]!, costModel: table });
  const cold: number[] = [];
  const warm: number[] = [];
  for (const budget of budgets) {
    const fresh = ac.gptPrefill(config).graph;
    cold.push(
      await timeIt(() => ac.autochunk(fresh, { budget, costModel: table }).catch(() => {})),
    );
    warm.push(
      await timeIt(() => ac.autochunk(graph, { budget, costModel: table }).catch(() => {})),
    );
  }
  const [c, w] = [median(cold), median(warm)];
  return {
    widget: WIDGET,
    case: "GPT benchmark model (2 layers, 1,024 tokens)",
    metric: "re-plan in the kernel's process (median)",
    value: round(w, 2),
    unit: "ms",
    baseline: round(c, 2),
    ratio: round(c / w, 1),
    note: "baseline: cold caches (estimate and candidate regions recomputed)",
  };
}

const CELL = `import { autochunk } from "@tessera/gpu";
import { chunkPlanView } from "@tessera/kernel";
const model = autochunk.gptPrefill({ seq: 1024, nLayer: 2 });
const peak = autochunk.estimateMemory(model.graph).peakBytes;
const plan = await autochunk.autochunk(model.graph, { budget: Math.floor(0.3 * peak) });
await chunkPlanView(plan, { title: "GPT benchmark model" })`;

async function sliderRoundTrip(wp: WidgetPage): Promise<Row[]> {
  const kernelProcess = await startKernel("chunk-plan");
  const { client } = kernelProcess;
  try {
    const result = client.next(
      (ch, m) => ch === "iopub" && m.header.msg_type === "execute_result",
      180_000,
      "the plan's execute_result",
    );
    await client.execute(CELL, 180_000, 1_000);
    const payload = ((await result).content["data"] as Record<string, unknown>)[
      MIME
    ] as ChunkPlanPayload;
    const id = payload.live!.id;
    await clear(wp.page);
    await wp.page.evaluate(
      ({ mime, payload }) => {
        const w = window as unknown as {
          tesseraViz: typeof import("../../viz/src/dom.ts");
          handle: { update(p: unknown): void };
        };
        const root = document.getElementById("root")!;
        w.handle = w.tesseraViz.mountWidget(
          root,
          w.tesseraViz.WIDGETS.find((s) => s.mimeType === mime)!,
          payload,
        );
      },
      { mime: MIME, payload },
    );
    const comm = "bench-chunk-plan";
    await kernelProcess.openComm(comm, id);
    const peak = payload.peakBytes.before;
    // Budgets from 50 % down to 15 % of the peak and back: new plans, some impossible.
    const budgets = Array.from({ length: MOVES }, (_, k) =>
      Math.floor(peak * (0.5 - (0.35 * (k < MOVES / 2 ? k : MOVES - 1 - k)) / (MOVES / 2))),
    );
    const kernel: number[] = [];
    const total: number[] = [];
    let impossible = 0;
    for (const [k, budget] of budgets.entries()) {
      const { answer, ms: replied } = await kernelProcess.call(comm, k + 1, "plan", { budget });
      const data = answer.content["data"] as { result?: ChunkPlanReply; error?: string };
      if (data.result === undefined) throw new Error(`plan failed: ${data.error}`);
      let draw = 0;
      if (data.result.ok) {
        draw = await wp.page.evaluate(
          (p) =>
            new Promise<number>((resolve) => {
              const t = performance.now();
              (window as unknown as { handle: { update(p: unknown): void } }).handle.update(p);
              requestAnimationFrame(() => resolve(performance.now() - t));
            }),
          data.result.payload,
        );
      } else impossible++;
      kernel.push(replied);
      total.push(replied + draw);
    }
    const inProcess = await replanInProcess(budgets);
    const label = "GPT benchmark model (2 layers, 1,024 tokens)";
    return [
      {
        widget: WIDGET,
        case: label,
        metric: "slider round trip, median (request → reply → drawn)",
        value: round(median(total)),
        unit: "ms",
        note: `${MOVES} moves (${impossible} impossible budgets); target ≤ 300 ms`,
      },
      {
        widget: WIDGET,
        case: label,
        metric: "slider round trip, worst",
        value: round(Math.max(...total)),
        unit: "ms",
      },
      {
        widget: WIDGET,
        case: label,
        metric: "kernel reply (comm request → reply), median",
        value: round(median(kernel)),
        unit: "ms",
      },
      inProcess,
    ];
  } finally {
    await kernelProcess.close();
  }
}

export async function run(): Promise<Row[]> {
  const wp = await openWidgetPage({ width: 1200, height: 800 });
  try {
    return [...(await sizes(wp)), ...(await sliderRoundTrip(wp))];
  } finally {
    await wp.close();
  }
}
