/**
 * Which node is under the pointer: a uniform grid over the positions (CSR: cell → nodes),
 * built once in O(n); a query scans only the cells within the radius, so hovering a million
 * points costs microseconds.
 */
export interface PointGrid {
  /** The nearest node to (x, y) within `radius` (data units), or -1. */
  nearest(x: number, y: number, radius: number): number;
}

export function pointGrid(
  positions: Float32Array,
  extent: readonly [number, number, number, number],
): PointGrid {
  const n = positions.length / 2;
  const [x0, y0, x1, y1] = extent;
  // About four points per cell on average.
  const side = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
  const cw = (x1 - x0) / side || 1;
  const ch = (y1 - y0) / side || 1;
  const cellOf = (x: number, y: number): number => {
    const cx = Math.min(side - 1, Math.max(0, Math.floor((x - x0) / cw)));
    const cy = Math.min(side - 1, Math.max(0, Math.floor((y - y0) / ch)));
    return cy * side + cx;
  };
  const start = new Uint32Array(side * side + 1);
  const cells = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = cellOf(positions[2 * i]!, positions[2 * i + 1]!);
    cells[i] = c;
    start[c + 1]!++;
  }
  for (let c = 0; c < side * side; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, side * side);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[cells[i]!]!++] = i;
  return {
    nearest(x, y, radius) {
      const cx0 = Math.max(0, Math.floor((x - radius - x0) / cw));
      const cx1 = Math.min(side - 1, Math.floor((x + radius - x0) / cw));
      const cy0 = Math.max(0, Math.floor((y - radius - y0) / ch));
      const cy1 = Math.min(side - 1, Math.floor((y + radius - y0) / ch));
      let best = -1;
      let bestD = radius * radius;
      for (let cy = cy0; cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const c = cy * side + cx;
          for (let k = start[c]!; k < start[c + 1]!; k++) {
            const i = order[k]!;
            const dx = positions[2 * i]! - x;
            const dy = positions[2 * i + 1]! - y;
            const d = dx * dx + dy * dy;
            // Ties (duplicate vectors) go to the lowest id: cells list nodes in id order.
            if (d < bestD || (d === bestD && best < 0)) [best, bestD] = [i, d];
          }
        }
      }
      return best;
    },
  };
}
