/**
 * Charts as plotly figures (`application/vnd.plotly.v1+json`): any front end with a plotly
 * renderer draws them (Tessera's extension loads plotly.js on first use), and the bundle
 * carries a static SVG for the rest. `figure()` takes plotly's own traces; the helpers
 * below make the charts the tutorials draw from plain data.
 */
import {
  MIME_PLOTLY,
  plotlySvg,
  validatePlotly,
  type PlotlyFigure,
  type PlotlyTrace,
} from "@tessera/viz";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";

/** A displayable chart; `figure` is the plain plotly figure. */
export interface Figure extends Displayable {
  readonly figure: PlotlyFigure;
}

/**
 * A chart from plotly traces and layout.
 *
 * @example
 * figure([{ x: [1, 2, 3], y: [2, 4, 8], name: "doubling" }], { title: "growth", yaxis: { type: "log" } });
 */
export function figure(data: PlotlyTrace[], layout: Record<string, unknown> = {}): Figure {
  const fig: PlotlyFigure = { data, layout };
  const checked = validatePlotly(fig);
  if (!checked.ok) {
    throw new TypeError(`figure(): not a plotly figure:\n  ${checked.errors.join("\n  ")}`);
  }
  return {
    figure: fig,
    [JUPYTER_DISPLAY]: (): MimeBundle => ({
      [MIME_PLOTLY]: fig,
      "image/svg+xml": plotlySvg(fig),
      "text/plain": describe(fig),
    }),
  };
}

/** One series of a recall–throughput chart: a point per parameter setting. */
export interface RecallSeries {
  name: string;
  points: readonly { recall: number; qps: number; label?: string }[];
}

/**
 * Recall@k against queries per second (log scale), one line per method, each point named
 * by its setting (e.g. "itopk 64"): the chart ANN papers compare methods with.
 *
 * @example
 * recallQpsFigure([{ name: "CAGRA", points: [{ recall: 0.95, qps: 12000, label: "itopk 64" }] }], { k: 10 });
 */
export function recallQpsFigure(
  series: readonly RecallSeries[],
  options: { k?: number; title?: string } = {},
): Figure {
  const k = options.k ?? 10;
  return figure(
    series.map((s) => ({
      type: "scatter",
      mode: "lines+markers",
      name: s.name,
      x: s.points.map((p) => p.recall),
      y: s.points.map((p) => p.qps),
      text: s.points.map((p) => p.label ?? ""),
      hovertemplate: `%{text}<br>recall@${k} %{x:.4f}<br>%{y:,.0f} QPS<extra>${escapeTemplate(s.name)}</extra>`,
    })),
    {
      title: { text: options.title ?? `recall@${k} against throughput` },
      xaxis: { title: { text: `recall@${k}` } },
      yaxis: { title: { text: "queries per second" }, type: "log" },
    },
  );
}

/**
 * Grouped bars: one bar per category for each series (degree histograms side by side,
 * build stages' seconds).
 *
 * @example
 * barFigure(["kNN", "optimize"], [{ name: "seconds", values: [3.1, 1.2] }], { title: "build time" });
 */
export function barFigure(
  categories: readonly (string | number)[],
  series: readonly { name: string; values: readonly number[] }[],
  options: { title?: string; xTitle?: string; yTitle?: string; logY?: boolean } = {},
): Figure {
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new RangeError(
        `barFigure: series "${s.name}" has ${s.values.length} values for ${categories.length} categories.`,
      );
    }
  }
  return figure(
    series.map((s) => ({ type: "bar", name: s.name, x: [...categories], y: [...s.values] })),
    {
      barmode: "group",
      ...(options.title ? { title: { text: options.title } } : {}),
      xaxis: { title: { text: options.xTitle ?? "" }, type: "category" },
      yaxis: { title: { text: options.yTitle ?? "" }, ...(options.logY ? { type: "log" } : {}) },
    },
  );
}

/** plotly renders hover templates as HTML-ish text: a name's markup must not be interpreted. */
function escapeTemplate(s: string): string {
  return s.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function describe(fig: PlotlyFigure): string {
  const title = (fig.layout?.["title"] as { text?: string } | undefined)?.text;
  const names = fig.data.map((t) => t.name ?? t.type ?? "trace").join(", ");
  return `${title ? `${title}: ` : ""}chart of ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"} (${names})`;
}
