import type { ByteTicks } from "../common/bytes.js";
import { formatBytes } from "../common/bytes.js";
import { niceTicks } from "../common/ticks.js";
import type { ThemeColors } from "../widget/theme.js";
import { argmaxLive, stepAt, type RunModel } from "./model-v2.js";

/**
 * What the timeline draws with Canvas 2D over the stacked pixels (render-v2.ts puts those
 * down first): each panel's axis, title, budget, predicted curve and peak; the shared x axis;
 * the overview strip with its brush. Plain functions of the context and the numbers they
 * draw, in CSS pixels; user text (run names) goes through fillText, never markup.
 */

/** Where the plots sit and which x window they show. */
export interface PlotFrame {
  ctx: CanvasRenderingContext2D;
  theme: ThemeColors;
  /** Left edge and width of the plot area. */
  left: number;
  width: number;
  view: readonly [number, number];
  domain: readonly [number, number];
}

/** The x of a data value in the current window. */
function xOf(f: PlotFrame, x: number): number {
  return f.left + ((x - f.view[0]) / (f.view[1] - f.view[0])) * f.width;
}

/** One run's panel: y gridlines and labels, its title, the predicted curve, the budget line and the peak. */
export function drawPanel(
  f: PlotFrame,
  panel: { top: number; height: number; title: string; swatch?: string },
  run: RunModel,
  ticks: ByteTicks,
  budgetBytes: number | undefined,
): void {
  const { ctx: c, theme: t, left, width: w } = f;
  const { top, height: h } = panel;
  const yMax = ticks.top;
  const sy = (b: number) => top + h - (b / yMax) * h;
  c.font = `11px ${t.font}`;
  c.textBaseline = "middle";
  c.lineWidth = 1;
  // Gridlines over the bands, faint, so the stack stays readable.
  ticks.values.forEach((v, i) => {
    const y = Math.round(sy(v)) + 0.5;
    c.strokeStyle = t.grid;
    c.globalAlpha = 0.6;
    c.beginPath();
    c.moveTo(left, y);
    c.lineTo(left + w, y);
    c.stroke();
    c.globalAlpha = 1;
    c.fillStyle = t.muted;
    c.textAlign = "right";
    c.fillText(ticks.labels[i] ?? "", left - 6, y);
  });
  c.textAlign = "left";
  c.textBaseline = "alphabetic";
  c.fillStyle = t.foreground;
  c.font = `600 12px ${t.font}`;
  if (panel.swatch) {
    c.fillStyle = panel.swatch;
    c.fillRect(left, top - 14, 9, 9);
    c.fillStyle = t.foreground;
  }
  c.fillText(panel.title, panel.swatch ? left + 14 : left, top - 5);
  c.save();
  c.beginPath();
  c.rect(left, top, w, h);
  c.clip();
  if (run.predicted) drawPredicted(f, run.predicted, sy);
  if (budgetBytes !== undefined) {
    const y = Math.round(sy(budgetBytes)) + 0.5;
    c.strokeStyle = t.error;
    c.lineWidth = 1.5;
    c.setLineDash([3, 3]);
    c.beginPath();
    c.moveTo(left, y);
    c.lineTo(left + w, y);
    c.stroke();
    c.setLineDash([]);
    c.fillStyle = t.error;
    c.font = `11px ${t.font}`;
    c.textAlign = "right";
    c.fillText(`budget ${formatBytes(budgetBytes)}`, left + w - 4, y - 4);
    c.textAlign = "left";
  }
  if (run.peakStep >= 0) {
    const x0 = run.xs[run.peakStep]!;
    const x1 = run.xs[run.peakStep + 1]!;
    if (x1 >= f.view[0] && x0 <= f.view[1]) {
      // A triangle over the peak's step, at the middle of its visible part.
      const px = xOf(f, (Math.max(x0, f.view[0]) + Math.min(x1, f.view[1])) / 2);
      const py = sy(run.peakBytes);
      c.fillStyle = t.foreground;
      c.beginPath();
      c.moveTo(px, py - 1);
      c.lineTo(px - 5, py - 9);
      c.lineTo(px + 5, py - 9);
      c.closePath();
      c.fill();
    }
  }
  c.restore();
  c.strokeStyle = t.muted;
  c.lineWidth = 1;
  c.strokeRect(left + 0.5, top + 0.5, w - 1, h - 1);
}

/** The predicted live bytes as a dashed step line (each value holds until the next point). */
function drawPredicted(
  f: PlotFrame,
  p: NonNullable<RunModel["predicted"]>,
  sy: (bytes: number) => number,
): void {
  const { ctx: c, view } = f;
  const span = view[1] - view[0];
  c.strokeStyle = f.theme.foreground;
  c.lineWidth = 1.5;
  c.setLineDash([6, 4]);
  c.beginPath();
  let started = false;
  for (let i = 0; i < p.xs.length; i++) {
    const a = p.xs[i]!;
    const b = i + 1 < p.xs.length ? p.xs[i + 1]! : f.domain[1];
    if (b < view[0] || a > view[1]) continue;
    const y = sy(p.bytes[i]!);
    // Clamped a window's width outside, so far-off points do not overflow the canvas.
    const xa = xOf(f, Math.max(a, view[0] - span));
    if (!started) c.moveTo(xa, y);
    else c.lineTo(xa, y);
    c.lineTo(xOf(f, Math.min(b, view[1] + span)), y);
    started = true;
  }
  c.stroke();
  c.setLineDash([]);
}

/** The shared x axis at `y`: ticks (whole numbers for event indexes) and its label. */
export function drawXAxis(f: PlotFrame, y: number, kind: "index" | "time", label: string): void {
  const { ctx: c, theme: t } = f;
  const ticks = niceTicks(f.view[0], f.view[1], Math.max(2, Math.floor(f.width / 90)));
  const values = kind === "index" ? ticks.values.filter(Number.isInteger) : ticks.values;
  c.font = `11px ${t.font}`;
  c.fillStyle = t.muted;
  c.strokeStyle = t.muted;
  c.textAlign = "center";
  c.textBaseline = "top";
  for (const v of values) {
    const x = Math.round(xOf(f, v)) + 0.5;
    c.beginPath();
    c.moveTo(x, y);
    c.lineTo(x, y + 4);
    c.stroke();
    const digits = kind === "index" ? 0 : ticks.decimals;
    c.fillText(v.toLocaleString("en-US", { maximumFractionDigits: digits }), x, y + 6);
  }
  c.textAlign = "right";
  c.fillText(label, f.left + f.width, y + 18);
  c.textAlign = "left";
}

/**
 * The overview strip at `top`: each run's live bytes over the whole domain (one value per
 * pixel column, `curves`, from columnMaxima) in its colour, and the brush showing the window.
 */
export function drawOverview(
  f: PlotFrame,
  strip: { top: number; height: number },
  curves: readonly Float64Array[],
  peak: number,
  colours: readonly string[],
): void {
  const { ctx: c, theme: t, left, width: w, domain, view } = f;
  const { top, height: h } = strip;
  c.fillStyle = t.dark ? "rgba(255,255,255,0.04)" : "rgba(0,0,0,0.03)";
  c.fillRect(left, top, w, h);
  curves.forEach((cols, r) => {
    c.strokeStyle = colours[r % colours.length]!;
    c.lineWidth = 1.25;
    c.beginPath();
    cols.forEach((v, i) => {
      const x = left + i + 0.5;
      const y = top + h - (Math.max(0, v) / Math.max(1, peak)) * h;
      if (i === 0) c.moveTo(x, y);
      else c.lineTo(x, y);
    });
    c.stroke();
  });
  const span = domain[1] - domain[0];
  const bx0 = left + ((view[0] - domain[0]) / span) * w;
  const bx1 = left + ((view[1] - domain[0]) / span) * w;
  c.fillStyle = t.dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.10)";
  c.fillRect(bx0, top, Math.max(2, bx1 - bx0), h);
  c.strokeStyle = t.accent;
  c.lineWidth = 1;
  c.strokeRect(bx0 + 0.5, top + 0.5, Math.max(2, bx1 - bx0) - 1, h - 1);
  c.fillStyle = t.muted;
  c.font = `10px ${t.font}`;
  c.textAlign = "right";
  c.textBaseline = "middle";
  c.fillText("overview", left - 6, top + h / 2);
  c.textAlign = "left";
}

/** Per pixel column of the whole domain, the most live bytes of `run` there (the overview's curve). */
export function columnMaxima(
  run: RunModel,
  domain: readonly [number, number],
  width: number,
): Float64Array {
  const w = Math.max(1, Math.floor(width));
  const out = new Float64Array(w).fill(-1);
  if (run.n === 0) return out;
  const dx = (domain[1] - domain[0]) / w;
  for (let c = 0; c < w; c++) {
    const xa = domain[0] + c * dx;
    const lo = Math.max(0, stepAt(run.xs, run.n, xa));
    const hi = stepAt(run.xs, run.n, xa + dx - 1e-12 * Math.abs(dx));
    if (hi < 0 || xa >= run.xs[run.n]!) continue;
    out[c] = run.live[argmaxLive(run, lo, Math.max(lo, hi))]!;
  }
  return out;
}
