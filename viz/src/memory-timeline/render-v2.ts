import { byteTicks, formatBytes } from "../common/bytes.js";
import { liveStatus } from "../widget/live-status.js";
import { parseColor, themeColors, type ThemeColors } from "../widget/theme.js";
import type { WidgetHandle, WidgetOptions } from "../widget/types.js";
import { hoverText } from "./hover-v2.js";
import { argmaxLive, buildRunModels, stepAt, type RunModel } from "./model-v2.js";
import { columnMaxima, drawOverview, drawPanel, drawXAxis, type PlotFrame } from "./overlay-v2.js";
import {
  createRaster,
  paintRun,
  recolourSlots,
  type PaintOptions,
  type Raster,
} from "./raster-v2.js";
import type { MemoryTimelineV2Payload } from "./types-v2.js";

/** Options of the v2 memory timeline. */
export interface MemoryTimelineOptions extends WidgetOptions {
  /** Called with the hovered allocation's graph node (null when none) whenever it changes. */
  onHoverOp?: (op: string | null) => void;
}

/** The v2 timeline's handle: the widget contract plus a link from other views. */
export interface MemoryTimelineHandle extends WidgetHandle<MemoryTimelineV2Payload> {
  /** Highlights the allocations whose node or op is `op` (the others fade); null clears. */
  highlightOp(op: string | null): void;
}

// Tableau 10: distinct neighbours on light and dark backgrounds alike.
const PALETTE = [
  "#4e79a7",
  "#f28e2c",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc949",
  "#af7aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ab",
];
const MARGIN = { left: 68, right: 14 };
const PANEL_TITLE = 18;
const AXIS = 30;
const OVERVIEW = 44;
/** Pixels a drag must move before it pans (below it, a click). */
const DRAG_SLOP = 3;

/**
 * The interactive memory timeline (`application/vnd.tessera.memory-timeline.v2+json`) on a
 * canvas: each run's allocations stacked over x, one panel per run on a shared x axis, the
 * budget line, the predicted curve, the peak; wheel to zoom x, drag to pan, an overview strip
 * with a brush, double-click to reset; hover names the allocation; a search box highlights
 * allocations by label; a menu switches x between event index and time. The y axis fits the visible window. Follows the JupyterLab theme
 * (`redraw`) and the element's width. Its root element states the view for hosts, tests and
 * benchmarks: `data-x0`/`data-x1` (the x window), `data-y-max`, `data-matches` (highlighted
 * allocations) and `data-draw-ms` (the last frame's drawing time).
 *
 * @example
 * const handle = renderMemoryTimeline(div, payload, { onHoverOp: (op) => plan.highlight(op) });
 * handle.highlightOp("h0.attn.matmul");
 */
export function renderMemoryTimeline(
  element: HTMLElement,
  payload: MemoryTimelineV2Payload,
  options: MemoryTimelineOptions = {},
): MemoryTimelineHandle {
  const doc = element.ownerDocument;
  const root = doc.createElement("div");
  root.className = "tessera-memory-timeline";
  const toolbar = doc.createElement("div");
  toolbar.className = "tessera-memory-timeline-toolbar";
  const title = doc.createElement("span");
  title.className = "tessera-memory-timeline-title";
  const summary = doc.createElement("span");
  summary.className = "tessera-memory-timeline-summary";
  const search = doc.createElement("input");
  search.type = "search";
  search.placeholder = "Search labels";
  search.setAttribute("aria-label", "Highlight allocations whose label contains");
  const matches = doc.createElement("span");
  matches.className = "tessera-memory-timeline-matches";
  const reset = doc.createElement("button");
  reset.type = "button";
  reset.textContent = "Reset zoom";
  const axis = doc.createElement("select");
  axis.setAttribute("aria-label", "x axis");
  for (const [value, text] of [
    ["index", "x: event index"],
    ["time", "x: time (ms)"],
  ] as const) {
    const option = doc.createElement("option");
    option.value = value;
    option.textContent = text;
    axis.append(option);
  }
  toolbar.append(title, summary, search, matches, axis, reset);
  const plot = doc.createElement("div");
  plot.className = "tessera-memory-timeline-plot";
  const canvas = doc.createElement("canvas");
  canvas.setAttribute("role", "img");
  const tooltip = doc.createElement("div");
  tooltip.className = "tessera-memory-timeline-tooltip";
  tooltip.hidden = true;
  plot.append(canvas, tooltip);
  root.append(toolbar, plot);
  const status = payload.live ? liveStatus(options.live) : undefined;
  if (status) root.append(status.element);
  element.append(root);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser gives no 2D canvas");

  let data = payload;
  let runs: RunModel[] = [];
  let domain: [number, number] = [0, 1];
  let view: [number, number] = [0, 1];
  let colours = readColours();
  let size = { width: 0, height: 0, dpr: 1 };
  let rasters: Raster[] = [];
  let images: ImageData[] = [];
  let overview: Float64Array[] = [];
  let hovered: { run: number; slot: number } | undefined;
  let hoveredNode: string | null = null;
  let searchTerm = "";
  let opTerm: string | null = null;
  let highlights: (Uint8Array | undefined)[] = [];
  let frame = 0;
  /** What each run's raster shows: the view it was stacked for, and the hovered slot. */
  let painted: ({ key: string; slot: number } | undefined)[] = [];
  let highlightVersion = 0;
  let colourVersion = 0;

  function load(next: MemoryTimelineV2Payload, keepView: boolean): void {
    data = next;
    runs = buildRunModels(next);
    const lo = Math.min(...runs.map((r) => (r.n > 0 ? r.xs[0]! : Infinity)));
    const hi = Math.max(...runs.map((r) => (r.n > 0 ? r.xs[r.n]! : -Infinity)));
    domain = Number.isFinite(lo) && hi > lo ? [lo, hi] : [0, 1];
    view = keepView ? clampView(view) : [...domain];
    axis.value = next.xAxis ?? "index";
    title.textContent = next.title ?? "Memory timeline";
    summary.textContent = describeRuns(next, runs);
    canvas.setAttribute("aria-label", `${title.textContent}: ${summary.textContent}`);
    hovered = undefined;
    tooltip.hidden = true;
    computeHighlights();
    layout(true);
  }

  /** Sizes the canvas to the element's width; the height follows the number of runs. */
  function layout(force = false): void {
    const width = Math.max(320, Math.floor(plot.clientWidth || element.clientWidth || 800));
    const panel = panelHeight();
    const height = runs.length * (PANEL_TITLE + panel) + AXIS + OVERVIEW + 8;
    const dpr = Math.max(1, Math.min(3, doc.defaultView?.devicePixelRatio ?? 1));
    if (!force && width === size.width && height === size.height && dpr === size.dpr) return;
    size = { width, height, dpr };
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const plotW = Math.round((width - MARGIN.left - MARGIN.right) * dpr);
    const plotH = Math.round(panel * dpr);
    rasters = runs.map(() => createRaster(plotW, plotH));
    painted = [];
    images = rasters.map(
      (r) => new ImageData(new Uint8ClampedArray(r.pixels.buffer), r.width, r.height),
    );
    overview = runs.map((run) => columnMaxima(run, domain, width - MARGIN.left - MARGIN.right));
    schedule();
  }

  /** Each run's panel: shorter when several share the canvas. */
  function panelHeight(): number {
    return runs.length > 1 ? 190 : 280;
  }
  function panelTop(r: number): number {
    return r * (PANEL_TITLE + panelHeight()) + PANEL_TITLE;
  }
  function plotWidth(): number {
    return size.width - MARGIN.left - MARGIN.right;
  }
  function overviewTop(): number {
    return runs.length * (PANEL_TITLE + panelHeight()) + AXIS;
  }

  function clampView([a, b]: [number, number]): [number, number] {
    const span = domain[1] - domain[0];
    const minWidth = Math.min(
      span,
      Math.max(span * 1e-6, (data.xAxis ?? "index") === "index" ? 4 : 0),
    );
    let w = Math.max(minWidth, Math.min(span, b - a));
    let lo = Math.max(domain[0], Math.min(a, domain[1] - w));
    if (!Number.isFinite(lo)) lo = domain[0];
    if (!Number.isFinite(w)) w = span;
    return [lo, lo + w];
  }

  function schedule(): void {
    if (frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  }

  /** The top of the y axis: the visible window's highest curve, with the budget when near. */
  function yTop(): number {
    let top = 0;
    for (const run of runs) {
      if (run.n === 0) continue;
      const lo = Math.max(0, stepAt(run.xs, run.n, view[0]));
      const hi = stepAt(run.xs, run.n, view[1]);
      if (hi >= lo) top = Math.max(top, run.live[argmaxLive(run, lo, hi)]!);
      const p = run.predicted;
      if (p) {
        for (let i = 0; i < p.xs.length; i++) {
          const end = i + 1 < p.xs.length ? p.xs[i + 1]! : domain[1];
          if (end >= view[0] && p.xs[i]! <= view[1]) top = Math.max(top, p.bytes[i]!);
        }
      }
    }
    const budget = data.budgetBytes;
    if (budget !== undefined && budget <= top * 1.6) top = Math.max(top, budget);
    return top > 0 ? top * 1.06 : 1;
  }

  function draw(): void {
    const started = performance.now();
    const { dpr } = size;
    const ticks = byteTicks(yTop(), 4);
    const yMax = ticks.top;
    ctx!.setTransform(1, 0, 0, 1, 0, 0);
    ctx!.fillStyle = colours.theme.background;
    ctx!.fillRect(0, 0, canvas.width, canvas.height);
    runs.forEach((run, r) => {
      const raster = rasters[r]!;
      const slot = hovered?.run === r ? hovered.slot : -1;
      const paint: PaintOptions = {
        x0: view[0],
        x1: view[1],
        yMax,
        palette: colours.palette,
        faded: colours.faded,
        background: colours.background,
        highlight: highlights[r],
        hovered: slot,
        // The hovered allocation keeps its hue, darkened (lightened in the dark theme).
        hoverColour: slot >= 0 ? colours.hover[slot % PALETTE.length]! : 0,
      };
      // When only the hovered allocation changed, recolour its pixels instead of restacking.
      const last = painted[r];
      const key = `${view[0]},${view[1]},${yMax},${highlightVersion},${colourVersion},${raster.width}`;
      if (last?.key === key) {
        if (last.slot !== slot) recolourSlots(raster, [last.slot, slot], paint);
      } else paintRun(run, raster, paint);
      painted[r] = { key, slot };
      ctx!.putImageData(images[r]!, Math.round(MARGIN.left * dpr), Math.round(panelTop(r) * dpr));
    });
    ctx!.setTransform(dpr, 0, 0, dpr, 0, 0);
    const f = plotFrame();
    runs.forEach((run, r) => {
      const peak = run.peakStep >= 0 ? `peak ${formatBytes(run.peakBytes)}` : "no memory events";
      const title = runs.length > 1 ? `${run.name}  ${peak}` : peak;
      // With several runs, a swatch in the run's overview colour names its curve there.
      const swatch = runs.length > 1 ? PALETTE[r % PALETTE.length] : undefined;
      const panel = {
        top: panelTop(r),
        height: panelHeight(),
        title,
        ...(swatch ? { swatch } : {}),
      };
      drawPanel(f, panel, run, ticks, data.budgetBytes);
    });
    drawXAxis(f, runs.length * (PANEL_TITLE + panelHeight()), data.xAxis ?? "index", axisLabel());
    const peak = Math.max(...runs.map((r) => r.peakBytes));
    drawOverview(f, { top: overviewTop(), height: OVERVIEW - 8 }, overview, peak, PALETTE);
    root.dataset.x0 = String(view[0]);
    root.dataset.x1 = String(view[1]);
    root.dataset.yMax = String(yMax);
    // For hosts and benchmarks: what the last frame cost this widget.
    root.dataset.drawMs = (performance.now() - started).toFixed(2);
  }

  /** The plot area and window the overlay functions draw into. */
  function plotFrame(): PlotFrame {
    return {
      ctx: ctx!,
      theme: colours.theme,
      left: MARGIN.left,
      width: plotWidth(),
      view,
      domain,
    };
  }

  function axisLabel(): string {
    if ((data.xAxis ?? "index") === "time") return "time (ms)";
    const aligned = runs.length > 1 && data.align !== "none";
    return aligned ? `event of ${data.runs[0]!.name} (runs aligned by node)` : "event index";
  }

  function readColours() {
    const theme: ThemeColors = themeColors(element);
    const bg = parseColor(theme.background) ?? [255, 255, 255];
    const fg = parseColor(theme.foreground) ?? [0, 0, 0];
    const rgb = PALETTE.map((hex) => parseColor(hex)!);
    return {
      theme,
      background: word(bg),
      palette: Uint32Array.from(rgb, (c) => word(c)),
      faded: Uint32Array.from(rgb, (c) => word(mix(c, bg, 0.82))),
      hover: Uint32Array.from(rgb, (c) => word(mix(c, fg, 0.45))),
    };
  }

  function computeHighlights(): void {
    highlightVersion++;
    const term = searchTerm.toLowerCase();
    let total = 0;
    highlights = runs.map((run) => {
      if (term === "" && opTerm === null) return undefined;
      const { strings, label, op, node } = run.columns;
      // Labels are interned: match each string once, not once per allocation.
      const found = term === "" ? undefined : strings.map((s) => s.toLowerCase().includes(term));
      const marks = new Uint8Array(run.slots);
      for (let s = 0; s < run.slots; s++) {
        const k = run.from[s]!;
        const bySearch = found === undefined || found[label[k]!]!;
        const byOp = opTerm === null || strings[node[k]!] === opTerm || strings[op[k]!] === opTerm;
        if (bySearch && byOp) {
          marks[s] = 1;
          total++;
        }
      }
      return marks;
    });
    matches.textContent =
      term === "" && opTerm === null
        ? ""
        : `${total} allocation${total === 1 ? "" : "s"} highlighted`;
    root.dataset.matches = String(total);
  }

  // Interaction: wheel zooms around the cursor, drag pans, the overview brushes.
  let drag:
    { kind: "pan" | "brush"; x: number; view: [number, number]; moved: boolean } | undefined;
  const local = (e: MouseEvent) => {
    const box = canvas.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  };
  const xAt = (px: number) => view[0] + ((px - MARGIN.left) / plotWidth()) * (view[1] - view[0]);
  const overviewX = (px: number) =>
    domain[0] + ((px - MARGIN.left) / plotWidth()) * (domain[1] - domain[0]);
  const inOverview = (y: number) => y >= overviewTop() - 4;

  const onWheel = (e: WheelEvent) => {
    const p = local(e);
    if (p.x < MARGIN.left || p.x > MARGIN.left + plotWidth()) return;
    e.preventDefault();
    const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    const factor = Math.exp(delta * 0.002);
    const anchor = inOverview(p.y) ? overviewX(p.x) : xAt(p.x);
    const next: [number, number] = [
      anchor - (anchor - view[0]) * factor,
      anchor + (view[1] - anchor) * factor,
    ];
    view = clampView(next);
    hideHover();
    schedule();
  };
  const onDown = (e: PointerEvent) => {
    const p = local(e);
    if (p.x < MARGIN.left || p.x > MARGIN.left + plotWidth()) return;
    drag = { kind: inOverview(p.y) ? "brush" : "pan", x: p.x, view: [...view], moved: false };
    try {
      // Keeps the drag when the pointer leaves the canvas; synthetic pointers cannot be captured.
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // the drag still works while the pointer stays over the canvas
    }
  };
  const onMove = (e: PointerEvent) => {
    const p = local(e);
    if (drag) {
      drag.moved ||= Math.abs(p.x - drag.x) > DRAG_SLOP;
      if (!drag.moved) return;
      if (drag.kind === "pan") {
        const shift = ((p.x - drag.x) / plotWidth()) * (drag.view[1] - drag.view[0]);
        view = clampView([drag.view[0] - shift, drag.view[1] - shift]);
      } else {
        const a = overviewX(Math.min(p.x, drag.x));
        const b = overviewX(Math.max(p.x, drag.x));
        view = clampView([a, b]);
      }
      hideHover();
      schedule();
      return;
    }
    hover(p.x, p.y);
  };
  const onUp = (e: PointerEvent) => {
    if (drag?.kind === "brush" && !drag.moved) {
      // A click on the overview centres the window there.
      const centre = overviewX(local(e).x);
      const w = view[1] - view[0];
      view = clampView([centre - w / 2, centre + w / 2]);
      schedule();
    }
    drag = undefined;
  };
  const onLeave = () => {
    if (!drag) hideHover();
  };
  const resetView = () => {
    view = [...domain];
    hideHover();
    schedule();
  };
  const onSearch = () => {
    searchTerm = search.value.trim();
    computeHighlights();
    schedule();
  };

  function hover(x: number, y: number): void {
    const r = runs.findIndex((_, i) => y >= panelTop(i) && y < panelTop(i) + panelHeight());
    const raster = rasters[r];
    const px = Math.floor((x - MARGIN.left) * size.dpr);
    const py = Math.floor((y - panelTop(r)) * size.dpr);
    if (!raster || px < 0 || px >= raster.width || py < 0 || py >= raster.height)
      return hideHover();
    const slot = raster.pick[py * raster.width + px]!;
    if (slot < 0) return hideHover();
    const run = runs[r]!;
    if (hovered?.run !== r || hovered.slot !== slot) {
      hovered = { run: r, slot };
      tooltip.textContent = hoverText(run, slot, raster.steps[px]!, data.runs.length > 1);
      schedule();
      const k = run.from[slot]!;
      setHoveredNode(run.columns.strings[run.columns.node[k]!]!);
    }
    tooltip.hidden = false;
    const box = plot.getBoundingClientRect();
    const left = Math.min(x + 14, Math.max(0, box.width - tooltip.offsetWidth - 4));
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${y + 14}px`;
  }

  function hideHover(): void {
    tooltip.hidden = true;
    if (hovered) {
      hovered = undefined;
      schedule();
    }
    setHoveredNode(null);
  }

  function setHoveredNode(node: string | null): void {
    if (node === hoveredNode) return;
    hoveredNode = node;
    options.onHoverOp?.(node);
  }

  canvas.addEventListener("wheel", onWheel, { passive: false });
  canvas.addEventListener("pointerdown", onDown);
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerup", onUp);
  canvas.addEventListener("pointerleave", onLeave);
  canvas.addEventListener("dblclick", resetView);
  reset.addEventListener("click", resetView);
  search.addEventListener("input", onSearch);
  const onAxis = () => load({ ...data, xAxis: axis.value === "time" ? "time" : "index" }, false);
  axis.addEventListener("change", onAxis);
  const observer = new ResizeObserver(() => layout());
  observer.observe(element);

  load(payload, false);

  return {
    update(next) {
      const sameAxis = (next.xAxis ?? "index") === (data.xAxis ?? "index");
      load(next, sameAxis);
    },
    redraw() {
      colours = readColours();
      colourVersion++;
      schedule();
    },
    highlightOp(op) {
      opTerm = op;
      computeHighlights();
      schedule();
    },
    dispose() {
      if (frame !== 0) cancelAnimationFrame(frame);
      frame = 0;
      observer.disconnect();
      status?.dispose();
      canvas.removeEventListener("wheel", onWheel);
      element.replaceChildren();
    },
  };
}

function describeRuns(payload: MemoryTimelineV2Payload, runs: readonly RunModel[]): string {
  const parts = runs.map((run) => {
    const allocations = `${run.slots.toLocaleString("en-US")} allocations`;
    const peak = run.peakStep >= 0 ? `peak ${formatBytes(run.peakBytes)}` : "no events";
    return runs.length > 1 ? `${run.name}: ${peak}, ${allocations}` : `${peak}, ${allocations}`;
  });
  if (payload.budgetBytes !== undefined) parts.push(`budget ${formatBytes(payload.budgetBytes)}`);
  return parts.join(" · ");
}

/** An RGB colour as the little-endian RGBA word ImageData stores (opaque). */
function word([r, g, b]: readonly number[]): number {
  return ((255 << 24) | (b! << 16) | (g! << 8) | r!) >>> 0;
}

function mix(a: readonly number[], b: readonly number[], t: number): [number, number, number] {
  return [0, 1, 2].map((i) => Math.round(a[i]! * (1 - t) + b[i]! * t)) as [number, number, number];
}
