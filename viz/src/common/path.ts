type Point = [x: number, y: number];

/**
 * SVG path data for a filled step band: over [edges[i], edges[i+1]) it spans from
 * `lo[i]` to `hi[i]` (pixels). `edges` has one more entry than `lo` and `hi`.
 *
 * @example
 * stepArea([0, 10, 20], [0, 0], [5, 8]); // "M0 5L10 5L10 8L20 8L20 0L0 0Z"
 */
export function stepArea(
  edges: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
): string {
  const top = stepPoints(edges, hi);
  const bottom = stepPoints(edges, lo).reverse();
  return `M${simplify([...top, ...bottom])
    .map(format)
    .join("L")}Z`;
}

/**
 * SVG path data for a step line: `values[i]` holds over [edges[i], edges[i+1]).
 *
 * @example
 * stepLine([0, 10, 20], [5, 8]); // "M0 5L10 5L10 8L20 8"
 */
export function stepLine(edges: readonly number[], values: readonly number[]): string {
  return `M${simplify(stepPoints(edges, values)).map(format).join("L")}`;
}

function stepPoints(edges: readonly number[], values: readonly number[]): Point[] {
  const points: Point[] = [];
  values.forEach((v, i) => {
    points.push([edges[i] ?? 0, v], [edges[i + 1] ?? 0, v]);
  });
  return points;
}

/**
 * Rounds to 0.1 px and drops points that change nothing drawn: repeats, and the middle
 * of three on one horizontal or vertical line. A long log sampled to one step per pixel
 * then costs a few points per pixel at most.
 */
function simplify(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const [x, y] of points) {
    const p: Point = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    const a = out[out.length - 2];
    const b = out[out.length - 1];
    if (b && b[0] === p[0] && b[1] === p[1]) continue;
    if (a && b && ((a[0] === b[0] && b[0] === p[0]) || (a[1] === b[1] && b[1] === p[1]))) out.pop();
    out.push(p);
  }
  return out;
}

function format([x, y]: Point): string {
  return `${x} ${y}`;
}
