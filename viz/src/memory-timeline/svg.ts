import { byteTicks, formatBytes } from "../common/bytes.js";
import { stepArea, stepLine } from "../common/path.js";
import { BUDGET, FONT, GRID, INK, MUTED } from "../common/svg-style.js";
import { niceTicks } from "../common/ticks.js";
import { escapeXml } from "../common/xml.js";
import { memoryTimelineLayout, type MemoryTimelineLayout, type TimelineBand } from "./layout.js";
import type { MemoryTimelinePayload } from "./types.js";

export interface MemoryTimelineSvgOptions {
  /** Pixels; default 900 x 420. */
  width?: number;
  height?: number;
  /** Most allocations drawn as bands of their own (default 100, at most 1,000); the rest form "other". */
  maxBands?: number;
}

// The legend's allocations: Tableau 10 less its grey and pink, one colour each.
const PALETTE = [
  "#4e79a7",
  "#f28e2c",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc949",
  "#af7aa1",
  "#9c755f",
];
// Bands outside the legend: light neutral tints, alternating so neighbours stay apart.
const UNLISTED = ["#ccd6e1", "#e0e6ed", "#bcc8d6"];
const OTHER = "#b9b9b9";
const LEGEND_WIDTH = 200;
const LEGEND_BANDS = PALETTE.length;

/** The plot area (w x h, its origin `top` below the document's) and the scales into it. */
interface Frame {
  top: number;
  w: number;
  h: number;
  sx: (x: number) => number;
  sy: (bytes: number) => number;
}

/**
 * The memory timeline as a complete standalone SVG document: allocations stacked over
 * the x axis, the measured peak marked, the predicted curve dashed, a budget line, a
 * legend of the largest allocations. Pure (no DOM), so the kernel's static fallback
 * (`image/svg+xml`) and the JupyterLab renderer draw the same picture. All text is
 * escaped; the shape count is bounded whatever the payload: `maxBands` bands (at most
 * 1,000) and about 60 other elements.
 * The payload must be valid (`validateMemoryTimeline`).
 *
 * @example
 * const svg = memoryTimelineSvg({ version: 1, events: tracker.events.slice() }, { width: 800 });
 */
export function memoryTimelineSvg(
  payload: MemoryTimelinePayload,
  options: MemoryTimelineSvgOptions = {},
): string {
  const width = clamp(options.width ?? 900, 360, 4000);
  const height = clamp(options.height ?? 420, 220, 4000);
  const legendWidth = width >= 640 ? LEGEND_WIDTH : 0;
  const left = 72;
  const top = 52;
  const w = width - left - 16 - legendWidth;
  const h = height - top - 44;
  const layout = memoryTimelineLayout(payload, {
    maxSteps: Math.round(w),
    maxBands: clamp(options.maxBands ?? 100, 0, 1000),
  });
  const predicted = payload.predicted ?? [];
  const predictedPeak = predicted.reduce((m, p) => Math.max(m, p.bytes), 0);
  // Headroom above the highest curve leaves room for the peak's label.
  const yTicks = byteTicks(
    Math.max(layout.peak?.bytes ?? 0, predictedPeak, payload.budgetBytes ?? 0) * 1.1,
    5,
  );
  const x0 = Math.min(layout.xs[0] ?? Infinity, predicted[0]?.x ?? Infinity);
  const x0Finite = Number.isFinite(x0) ? x0 : 0;
  const xEnd = Math.max(layout.xEnd, predicted[predicted.length - 1]?.x ?? -Infinity);
  const x1 = xEnd > x0Finite ? xEnd : x0Finite + 1;
  const frame: Frame = {
    top,
    w,
    h,
    sx: (x) => ((x - x0Finite) / (x1 - x0Finite)) * w,
    sy: (b) => h - (b / yTicks.top) * h,
  };
  const colours = colourBands(layout.bands);
  const title = payload.title ?? "Memory timeline";
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="${escapeXml(FONT)}" font-size="11" fill="${INK}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600">${escapeXml(title)}</text>`,
    `<text x="${left}" y="38" fill="${MUTED}">${escapeXml(summary(layout, payload, predictedPeak))}</text>`,
    `<g transform="translate(${left},${top})">`,
    ...yAxis(frame, yTicks),
    ...xAxis(frame, layout.xAxis, x0Finite, x1),
    ...bands(frame, layout, colours),
    ...budgetLine(frame, payload.budgetBytes),
    ...predictedLine(frame, payload, x1),
    ...peakMarker(frame, layout),
    `</g>`,
    ...(legendWidth > 0 ? legend(frame, layout, payload, colours, width - legendWidth) : []),
    `</svg>`,
  ];
  return parts.join("\n");
}

function summary(
  layout: MemoryTimelineLayout,
  payload: MemoryTimelinePayload,
  predictedPeak: number,
): string {
  const { peak } = layout;
  if (peak === undefined) return "no memory events";
  const where = layout.xAxis === "time" ? `${formatNumber(peak.x)} ms` : `event ${peak.index}`;
  const parts = [`measured peak ${formatBytes(peak.bytes)} at ${where}`];
  if (payload.predicted?.length) {
    const change =
      peak.bytes > 0 ? ` (${signed(((predictedPeak - peak.bytes) / peak.bytes) * 100)}%)` : "";
    parts.push(`predicted peak ${formatBytes(predictedPeak)}${change}`);
  }
  const allocations = payload.events.filter((e) => e.kind === "alloc").length;
  parts.push(
    `${allocations} allocation${allocations === 1 ? "" : "s"}, ${payload.events.length} events`,
  );
  return parts.join(" · ");
}

function yAxis(f: Frame, ticks: { values: number[]; labels: string[] }): string[] {
  const out = ticks.values.map((v, i) => {
    const y = round(f.sy(v));
    return `<line x1="0" x2="${round(f.w)}" y1="${y}" y2="${y}" stroke="${GRID}"/><text x="-8" y="${y}" dy="0.32em" text-anchor="end" fill="${MUTED}">${escapeXml(ticks.labels[i] ?? "")}</text>`;
  });
  out.push(
    `<text transform="translate(-60,${round(f.h / 2)}) rotate(-90)" text-anchor="middle" fill="${MUTED}">live memory</text>`,
  );
  return out;
}

function xAxis(f: Frame, kind: "index" | "time", x0: number, x1: number): string[] {
  const ticks = niceTicks(x0, x1, Math.max(2, Math.floor(f.w / 90)));
  // Event indexes are whole numbers: a tick at 2.5 would name no event.
  const values = kind === "index" ? ticks.values.filter(Number.isInteger) : ticks.values;
  const decimals = kind === "index" ? 0 : ticks.decimals;
  const out = [
    `<line x1="0" x2="${round(f.w)}" y1="${round(f.h)}" y2="${round(f.h)}" stroke="${MUTED}"/>`,
  ];
  for (const v of values) {
    const x = round(f.sx(v));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${round(f.h)}" y2="${round(f.h + 5)}" stroke="${MUTED}"/><text x="${x}" y="${round(f.h + 17)}" text-anchor="middle" fill="${MUTED}">${formatNumber(v, decimals)}</text>`,
    );
  }
  const label = kind === "time" ? "time (ms)" : "event index";
  out.push(
    `<text x="${round(f.w / 2)}" y="${round(f.h + 34)}" text-anchor="middle" fill="${MUTED}">${label}</text>`,
  );
  return out;
}

/** Where each step ends: the next step's start, or the end of the log. */
function stepEdges(f: Frame, layout: MemoryTimelineLayout, start: number, end: number): number[] {
  const edges = layout.xs.slice(start, end).map(f.sx);
  edges.push(f.sx(layout.xs[end] ?? layout.xEnd));
  return edges;
}

function bands(f: Frame, layout: MemoryTimelineLayout, colours: BandColours): string[] {
  if (layout.xs.length === 0) {
    return [
      `<text x="${round(f.w / 2)}" y="${round(f.h / 2)}" text-anchor="middle" fill="${MUTED}">no memory events</text>`,
    ];
  }
  const out = layout.bands.map((band, i) => {
    const lo = band.offsets.map(f.sy);
    const hi = band.offsets.map((o) => f.sy(o + band.bytes));
    const d = stepArea(stepEdges(f, layout, band.start, band.end), lo, hi);
    return `<path d="${d}" fill="${colours.byBand[i] ?? OTHER}"><title>${escapeXml(bandTooltip(band))}</title></path>`;
  });
  if (layout.otherAllocations > 0) {
    const d = stepArea(
      stepEdges(f, layout, 0, layout.xs.length),
      layout.banded.map(f.sy),
      layout.live.map(f.sy),
    );
    out.push(
      `<path d="${d}" fill="${OTHER}"><title>other: ${layout.otherAllocations} smaller allocations</title></path>`,
    );
  }
  return out;
}

interface BandColours {
  /** A fill per band, aligned with `layout.bands`. */
  byBand: string[];
  /** The bands the legend names, largest first (positions in `layout.bands`). */
  listed: number[];
}

/**
 * The largest bands get the legend and a colour of their own, so a colour in the legend
 * names one allocation; the rest share light tints.
 */
function colourBands(bands: readonly TimelineBand[]): BandColours {
  const bytes = (i: number) => bands[i]?.bytes ?? 0;
  const listed = bands
    .map((_, i) => i)
    .sort((a, b) => bytes(b) - bytes(a) || a - b)
    .slice(0, LEGEND_BANDS);
  const byBand = bands.map((_, i) => UNLISTED[i % UNLISTED.length] ?? OTHER);
  listed.forEach((i, rank) => (byBand[i] = PALETTE[rank] ?? OTHER));
  return { byBand, listed };
}

function bandTooltip(b: TimelineBand): string {
  const freed =
    b.freeIndex === undefined ? "still live at the end" : `freed at event ${b.freeIndex}`;
  return `${b.label} (${b.op})\n${formatBytes(b.bytes)}, allocation ${b.allocation}\nallocated at event ${b.allocIndex}, ${freed}`;
}

function budgetLine(f: Frame, budget: number | undefined): string[] {
  if (budget === undefined) return [];
  const y = round(f.sy(budget));
  return [
    `<line x1="0" x2="${round(f.w)}" y1="${y}" y2="${y}" stroke="${BUDGET}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
    `<text x="${round(f.w - 4)}" y="${y - 4}" text-anchor="end" fill="${BUDGET}">budget ${formatBytes(budget)}</text>`,
  ];
}

function predictedLine(f: Frame, payload: MemoryTimelinePayload, x1: number): string[] {
  const points = payload.predicted ?? [];
  if (points.length === 0) return [];
  const edges = [...points.map((p) => f.sx(p.x)), f.sx(x1)];
  const d = stepLine(
    edges,
    points.map((p) => f.sy(p.bytes)),
  );
  return [`<path d="${d}" fill="none" stroke="${INK}" stroke-width="1.5" stroke-dasharray="6 4"/>`];
}

function peakMarker(f: Frame, layout: MemoryTimelineLayout): string[] {
  const { peak } = layout;
  if (peak === undefined) return [];
  const px = round((f.sx(peak.x) + f.sx(layout.xs[peak.step + 1] ?? layout.xEnd)) / 2);
  const py = round(f.sy(peak.bytes));
  // Keep the label inside the plot when the peak sits near either side.
  const anchor = px > f.w * 0.8 ? "end" : px < f.w * 0.2 ? "start" : "middle";
  return [
    `<line x1="${px}" x2="${px}" y1="${py}" y2="${round(f.h)}" stroke="${INK}" stroke-dasharray="1 2"/>`,
    `<circle cx="${px}" cy="${py}" r="4" fill="${INK}" stroke="#fff" stroke-width="1.5"/>`,
    `<text x="${px}" y="${round(py - 9)}" text-anchor="${anchor}" font-weight="600">peak ${formatBytes(peak.bytes)}</text>`,
  ];
}

function legend(
  f: Frame,
  layout: MemoryTimelineLayout,
  payload: MemoryTimelinePayload,
  colours: BandColours,
  x: number,
): string[] {
  const swatch = (fill: string) => `<rect width="10" height="10" fill="${fill}"/>`;
  const rows: { swatch: string; name: string; value: string }[] = [];
  for (const i of colours.listed) {
    const band = layout.bands[i];
    if (band === undefined) continue;
    rows.push({
      swatch: swatch(colours.byBand[i] ?? OTHER),
      name: band.label,
      value: formatBytes(band.bytes),
    });
  }
  const unlisted = layout.bands.length - colours.listed.length;
  if (unlisted > 0) {
    rows.push({
      swatch: swatch(UNLISTED[0] ?? OTHER),
      name: `${unlisted} more allocations`,
      value: "",
    });
  }
  if (layout.otherAllocations > 0) {
    const name = `other (${layout.otherAllocations} small)`;
    rows.push({ swatch: swatch(OTHER), name, value: "" });
  }
  if (payload.predicted?.length) {
    rows.push({
      swatch: `<line x1="0" x2="10" y1="5" y2="5" stroke="${INK}" stroke-width="1.5" stroke-dasharray="4 2"/>`,
      name: "predicted",
      value: "",
    });
  }
  if (payload.budgetBytes !== undefined) {
    rows.push({
      swatch: `<line x1="0" x2="10" y1="5" y2="5" stroke="${BUDGET}" stroke-width="1.5" stroke-dasharray="2 2"/>`,
      name: "budget",
      value: "",
    });
  }
  return rows.map(
    (row, i) =>
      `<g transform="translate(${x},${f.top + i * 18})">${row.swatch}<text x="16" y="9">${escapeXml(truncate(row.name, 22))}</text><text x="${LEGEND_WIDTH - 16}" y="9" text-anchor="end" fill="${MUTED}">${escapeXml(row.value)}</text></g>`,
  );
}

/** At most `max` characters, cut between code points (half an emoji is not valid XML). */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

function formatNumber(v: number, decimals = 2): string {
  return v.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

function signed(v: number): string {
  const s = Math.abs(v).toFixed(1);
  return v < 0 ? `−${s}` : `+${s}`;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
