import { join, Problems, type Validation } from "../common/problems.js";
import { PLOTLY_LIMITS as LIMITS, type PlotlyFigure } from "./types.js";

/**
 * Checks the outline of a plotly figure: `data` an array of trace objects with array `x`
 * and `y` when present, `layout` and `config` objects, the point count bounded. plotly.js
 * itself judges the rest (it ignores what it does not know, as it does for other kernels).
 *
 * @example
 * validatePlotly({ data: [{ x: [1, 2], y: [3, 4] }] }).ok; // true
 */
export function validatePlotly(x: unknown): Validation<PlotlyFigure> {
  const p = new Problems();
  if (p.record(x, "", ["data", "layout", "config", "frames"])) {
    const data = x.data;
    if (!Array.isArray(data))
      p.add("data", data === undefined ? "is required" : "expected an array of traces");
    else if (data.length > LIMITS.traces)
      p.add("data", `${data.length} traces exceed the limit of ${LIMITS.traces}`);
    else {
      let points = 0;
      data.forEach((t: unknown, i) => {
        const path = join("data", i);
        if (typeof t !== "object" || t === null || Array.isArray(t))
          return p.add(path, "expected a trace object");
        for (const axis of ["x", "y"] as const) {
          const v = (t as Record<string, unknown>)[axis];
          if (v === undefined) continue;
          if (!Array.isArray(v)) p.add(join(path, axis), "expected an array");
          else points += v.length;
        }
        const type = (t as Record<string, unknown>)["type"];
        if (type !== undefined && typeof type !== "string")
          p.add(join(path, "type"), "expected a string");
      });
      if (points > LIMITS.points) {
        p.add(
          "data",
          `${points} x and y values exceed the limit of ${LIMITS.points}; summarise first`,
        );
      }
    }
    for (const key of ["layout", "config"] as const) {
      const v = x[key];
      if (v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v)))
        p.add(key, "expected an object");
    }
  }
  return p.empty
    ? { ok: true, value: x as unknown as PlotlyFigure }
    : { ok: false, errors: p.messages };
}
