/**
 * The explorer's pan/zoom as plain numbers: data (x, y) ↦ screen (a·x + b, c − a·y) in CSS
 * pixels, y up. One transform is shared by linked panels; WebGL gets (a, b, c) as a uniform,
 * so panning and zooming upload nothing.
 */
export interface View {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** The view that fits `extent` [x0, y0, x1, y1] into width × height with `padding` pixels. */
export function fitView(
  extent: readonly [number, number, number, number],
  width: number,
  height: number,
  padding = 12,
): View {
  const [x0, y0, x1, y1] = extent;
  const w = Math.max(1, width - 2 * padding);
  const h = Math.max(1, height - 2 * padding);
  const a = Math.min(w / (x1 - x0), h / (y1 - y0));
  const b = padding + (w - a * (x1 - x0)) / 2 - a * x0;
  const c = padding + (h - a * (y1 - y0)) / 2 + a * y1;
  return { a, b, c };
}

/** Zooms by `factor` keeping the screen point (sx, sy) fixed. */
export function zoomAt(v: View, factor: number, sx: number, sy: number): View {
  return { a: v.a * factor, b: sx - (sx - v.b) * factor, c: sy - (sy - v.c) * factor };
}

/** Moves the picture by (dx, dy) screen pixels. */
export function panBy(v: View, dx: number, dy: number): View {
  return { a: v.a, b: v.b + dx, c: v.c + dy };
}

/** Moves the picture so that data point (x, y) sits at screen (sx, sy). */
export function centreOn(v: View, x: number, y: number, sx: number, sy: number): View {
  return { a: v.a, b: sx - v.a * x, c: sy + v.a * y };
}

export function toScreen(v: View, x: number, y: number): [number, number] {
  return [v.a * x + v.b, v.c - v.a * y];
}

export function toData(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.b) / v.a, (v.c - sy) / v.a];
}
