/**
 * Plotly's own figure MIME type, which Tessera's charts use so that any front end with a
 * plotly renderer shows them: `{ data: traces, layout?, config? }` as plotly.js takes them.
 */
export const MIME_PLOTLY = "application/vnd.plotly.v1+json";

/** Bounds that keep a figure small enough for a notebook. */
export const PLOTLY_LIMITS = {
  traces: 100,
  /** Points over all traces (x and y values): beyond this, summarise first. */
  points: 200_000,
} as const;

/** A trace as plotly.js takes it; the static SVG draws `scatter` and `bar` traces. */
export interface PlotlyTrace {
  type?: string;
  name?: string;
  x?: (number | string)[];
  y?: (number | string)[];
  mode?: string;
  text?: string | string[];
  [key: string]: unknown;
}

export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}
