import { niceTicks } from "../common/ticks.js";
import { escapeXml } from "../common/xml.js";
import type { PlotlyFigure, PlotlyTrace } from "./types.js";

/** Plotly's default colour sequence, so the fallback matches the live chart. */
const COLOURS = [
  "#636efa",
  "#EF553B",
  "#00cc96",
  "#ab63fa",
  "#FFA15A",
  "#19d3f3",
  "#FF6692",
  "#B6E880",
];

export interface PlotlySvgOptions {
  width?: number;
  height?: number;
}

/**
 * A static SVG of a figure's scatter (lines and markers) and bar traces, on linear or log
 * axes, with title, axis titles and a legend: the fallback a notebook shows where plotly.js
 * is not available (GitHub, nbconvert). Other trace types are listed as not drawn. All
 * text is escaped.
 *
 * @example
 * plotlySvg({ data: [{ x: [0.9, 0.99], y: [5000, 1200], name: "CAGRA" }], layout: { yaxis: { type: "log" } } });
 */
export function plotlySvg(figure: PlotlyFigure, options: PlotlySvgOptions = {}): string {
  const { width = 640, height = 400 } = options;
  const layout = figure.layout ?? {};
  const title = textOf(layout["title"]);
  const xAxis = axisOf(layout["xaxis"]);
  const yAxis = axisOf(layout["yaxis"]);
  const traces = figure.data;
  const bars = traces.filter((t) => t.type === "bar");
  const lines = traces.filter(
    (t) => t.type === undefined || t.type === "scatter" || t.type === "scattergl",
  );
  const skipped = traces.filter((t) => !bars.includes(t) && !lines.includes(t));
  // The legend's column fits the longest name (at ~6.5 px a character), within limits.
  const longest = Math.max(0, ...traces.map((t) => (t.name ?? "").length));
  const box = {
    l: 64,
    r: Math.min(width / 3, Math.max(60, 36 + 6.5 * longest)),
    t: title ? 36 : 14,
    b: 48,
  };
  const plot = { x: box.l, y: box.t, w: width - box.l - box.r, h: height - box.t - box.b };
  // Bars are placed by category (x values as labels); lines by number.
  const categories = [...new Set(bars.flatMap((t) => (t.x ?? []).map(String)))];
  const xs = lines.flatMap((t) => numbers(t.x));
  const ys = [...lines, ...bars].flatMap((t) => numbers(t.y));
  if (bars.length > 0) ys.push(0);
  const xScale = scale(xAxis.log, xs, plot.x, plot.x + plot.w);
  const yScale = scale(yAxis.log, ys, plot.y + plot.h, plot.y);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  if (title)
    out.push(
      `<text x="${plot.x}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    );
  // Axes and ticks.
  for (const t of yScale.ticks) {
    const y = yScale.at(t.value).toFixed(1);
    out.push(`<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${plot.x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${escapeXml(t.label)}</text>`,
    );
  }
  if (bars.length === 0) {
    for (const t of xScale.ticks) {
      const x = xScale.at(t.value).toFixed(1);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${plot.y}" y2="${plot.y + plot.h}" stroke="#e5e5e5"/>`,
      );
      out.push(
        `<text x="${x}" y="${plot.y + plot.h + 14}" text-anchor="middle" fill="#444">${escapeXml(t.label)}</text>`,
      );
    }
  }
  out.push(
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#888"/>`,
  );
  if (xAxis.title)
    out.push(
      `<text x="${plot.x + plot.w / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(xAxis.title)}</text>`,
    );
  if (yAxis.title) {
    out.push(
      `<text transform="translate(14 ${plot.y + plot.h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yAxis.title)}</text>`,
    );
  }
  // Bars: grouped per category.
  const slot = plot.w / Math.max(1, categories.length);
  const barWidth = (slot * 0.8) / Math.max(1, bars.length);
  bars.forEach((t, k) => {
    const colour = colourOf(t, traces.indexOf(t));
    const y0 = yScale.at(yAxis.log ? yScale.lo : 0);
    (t.x ?? []).forEach((cat, i) => {
      const v = Number(t.y?.[i]);
      if (!Number.isFinite(v)) return;
      const x = plot.x + categories.indexOf(String(cat)) * slot + slot * 0.1 + k * barWidth;
      const y = yScale.at(v);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(y, y0).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.abs(y0 - y).toFixed(1)}" fill="${colour}"><title>${escapeXml(`${t.name ?? ""} ${String(cat)}: ${v}`)}</title></rect>`,
      );
    });
  });
  categories.forEach((c, i) => {
    const x = plot.x + (i + 0.5) * slot;
    out.push(
      `<text x="${x.toFixed(1)}" y="${plot.y + plot.h + 14}" text-anchor="middle" fill="#444">${escapeXml(c)}</text>`,
    );
  });
  // Lines and markers.
  for (const t of lines) {
    const colour = colourOf(t, traces.indexOf(t));
    const mode = t.mode ?? "lines+markers";
    const pts = (t.x ?? [])
      .map((x, i) => [Number(x), Number(t.y?.[i])] as const)
      .filter(
        ([x, y]) =>
          Number.isFinite(x) &&
          Number.isFinite(y) &&
          (!xAxis.log || x > 0) &&
          (!yAxis.log || y > 0),
      );
    const xy = pts.map(([x, y]) => `${xScale.at(x).toFixed(1)},${yScale.at(y).toFixed(1)}`);
    if (mode.includes("lines") && xy.length > 1)
      out.push(
        `<polyline points="${xy.join(" ")}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      );
    if (mode.includes("markers")) {
      for (const p of xy) {
        const [x, y] = p.split(",");
        out.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${colour}"/>`);
      }
    }
  }
  // Legend.
  const named = [...lines, ...bars].filter((t) => t.name);
  named.forEach((t, i) => {
    const y = plot.y + 10 + i * 16;
    const x = plot.x + plot.w + 12;
    out.push(
      `<rect x="${x}" y="${y - 5}" width="12" height="10" fill="${colourOf(t, traces.indexOf(t))}"/>`,
    );
    out.push(
      `<text x="${x + 16}" y="${y}" dominant-baseline="middle">${escapeXml(t.name!)}</text>`,
    );
  });
  if (skipped.length > 0) {
    const kinds = [...new Set(skipped.map((t) => t.type))].join(", ");
    out.push(
      `<text x="${plot.x}" y="${height - 2}" fill="#a00">${escapeXml(`not drawn in this static image: ${kinds} traces`)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

function colourOf(t: PlotlyTrace, i: number): string {
  const marker = t["marker"] as { color?: unknown } | undefined;
  const line = t["line"] as { color?: unknown } | undefined;
  const c =
    typeof marker?.color === "string"
      ? marker.color
      : typeof line?.color === "string"
        ? line.color
        : undefined;
  // Only plain colour names and hex/rgb() values go into the attribute.
  return c && /^(#[0-9a-f]{3,8}|[a-z]+|rgba?\([\d.,\s]+\))$/i.test(c)
    ? c
    : COLOURS[i % COLOURS.length]!;
}

function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as { text?: unknown }).text === "string")
    return (v as { text: string }).text;
  return undefined;
}

function axisOf(v: unknown): { log: boolean; title: string | undefined } {
  const a = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  return { log: a["type"] === "log", title: textOf(a["title"]) };
}

function numbers(v: PlotlyTrace["x"]): number[] {
  return (v ?? []).map(Number).filter(Number.isFinite);
}

interface Scale {
  at(v: number): number;
  lo: number;
  ticks: { value: number; label: string }[];
}

function scale(log: boolean, values: number[], from: number, to: number): Scale {
  const vs = log ? values.filter((v) => v > 0) : values;
  // A loop, not Math.min(...vs): a figure within the limits can exceed the argument stack.
  let [lo, hi] = vs.length ? [Infinity, -Infinity] : [0, 1];
  for (const v of vs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (log) {
    const [a, b] = [Math.floor(Math.log10(lo || 1)), Math.ceil(Math.log10(hi || 10))];
    const [l, h] = [a, b === a ? a + 1 : b];
    const at = (v: number) => from + ((Math.log10(v) - l) / (h - l)) * (to - from);
    const ticks = [];
    for (let e = l; e <= h; e++) ticks.push({ value: 10 ** e, label: compact(10 ** e) });
    return { at, lo: 10 ** l, ticks };
  }
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const t = niceTicks(lo, hi, 5);
  lo = Math.min(lo, t.values[0] ?? lo);
  hi = Math.max(hi, t.values.at(-1) ?? hi);
  const at = (v: number) => from + ((v - lo) / (hi - lo)) * (to - from);
  return { at, lo, ticks: t.values.map((v) => ({ value: v, label: compact(v, t.decimals) })) };
}

function compact(v: number, decimals = 0): string {
  if (Math.abs(v) >= 1e6) return `${v / 1e6}M`;
  if (Math.abs(v) >= 1e4) return `${v / 1e3}k`;
  return v.toFixed(decimals);
}
