/**
 * Renders `application/vnd.plotly.v1+json` with plotly.js, loaded on first use (its basic
 * bundle, ~1.2 MB: scatter, bar, pie), so notebooks without charts never load it. Colours
 * follow the JupyterLab theme unless the figure sets its own; the chart resizes with its
 * element. In JupyterLab the extension's bundler puts plotly.js in a chunk of its own.
 */
import type { WidgetSpec } from "../widget/mount.js";
import { themeColors } from "../widget/theme.js";
import { MIME_PLOTLY, type PlotlyFigure } from "./types.js";
import { validatePlotly } from "./validate.js";

type Plotly = typeof import("plotly.js-basic-dist-min").default;

let loading: Promise<Plotly> | undefined;

/** plotly.js, imported once per page. */
function loadPlotly(): Promise<Plotly> {
  loading ??= import("plotly.js-basic-dist-min").then((m) => m.default);
  return loading;
}

/** The theme's colours under the figure's own layout (the figure's settings win). */
function themedLayout(
  element: HTMLElement,
  layout: Record<string, unknown> = {},
): Record<string, unknown> {
  const t = themeColors(element);
  const axis = (key: string) => ({
    gridcolor: t.grid,
    linecolor: t.muted,
    zerolinecolor: t.grid,
    ...(layout[key] as object | undefined),
  });
  return {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    margin: { l: 60, r: 20, t: layout["title"] ? 40 : 20, b: 50 },
    ...layout,
    font: { color: t.foreground, family: t.font, ...(layout["font"] as object | undefined) },
    xaxis: axis("xaxis"),
    yaxis: axis("yaxis"),
  };
}

export const plotlyWidget: WidgetSpec<PlotlyFigure> = {
  mimeType: MIME_PLOTLY,
  name: "plotly chart",
  validate: validatePlotly,
  render(element, figure) {
    element.classList.add("tessera-plotly");
    const chart = document.createElement("div");
    chart.className = "tessera-plotly-chart";
    const note = document.createElement("div");
    note.className = "tessera-live-status";
    note.textContent = "Loading plotly.js…";
    element.append(note, chart);
    let current = figure;
    let disposed = false;
    let plotly: Plotly | undefined;
    const config = (f: PlotlyFigure) => ({ displaylogo: false, responsive: false, ...f.config });
    const draw = (f: PlotlyFigure): void => {
      if (!plotly || disposed) return;
      void plotly.react(chart, f.data, themedLayout(element, f.layout), config(f)).then(() => {
        element.dataset.drawn = String(Number(element.dataset.drawn ?? 0) + 1);
      });
    };
    loadPlotly().then(
      (p) => {
        plotly = p;
        note.remove();
        draw(current);
      },
      (e: Error) => (note.textContent = `plotly.js could not be loaded: ${e.message}`),
    );
    const resize = new ResizeObserver(() => {
      if (plotly && chart.isConnected && chart.offsetWidth > 0) void plotly.Plots.resize(chart);
    });
    resize.observe(element);
    return {
      update(next) {
        current = next;
        draw(next);
      },
      redraw: () => draw(current),
      dispose() {
        disposed = true;
        resize.disconnect();
        plotly?.purge(chart);
        element.replaceChildren();
        element.classList.remove("tessera-plotly");
      },
    };
  },
};
