import { argmaxLive, type RunModel } from "./model-v2.js";

/** A panel's pixels (RGBA as little-endian 32-bit words, as ImageData holds them) and which slot each shows. */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint32Array;
  /** The allocation slot drawn at each pixel, -1 where none. */
  pick: Int32Array;
  /** The step each column shows, -1 where the run has none. */
  steps: Int32Array;
}

export interface PaintOptions {
  /** The x window drawn across the width. */
  x0: number;
  x1: number;
  /** Bytes at the top row. */
  yMax: number;
  /** Fill of each slot is `palette[slot % palette.length]`. */
  palette: Uint32Array;
  /** The same palette faded, for slots outside `highlight`. */
  faded: Uint32Array;
  background: number;
  /** When given, slots with 0 here are drawn faded. */
  highlight?: Uint8Array | undefined;
  /** A slot drawn in `hoverColour`, or -1. */
  hovered: number;
  hoverColour: number;
}

export function createRaster(width: number, height: number): Raster {
  return {
    width,
    height,
    pixels: new Uint32Array(width * height),
    pick: new Int32Array(width * height),
    steps: new Int32Array(width),
  };
}

/**
 * Draws one run's stack into `raster`, one pixel column at a time: each column shows the
 * step with the most live bytes among those it covers (so a peak is never lost between
 * pixels), with that step's live allocations stacked bottom up in allocation order. Work per
 * frame is the events before the window's end plus width × height, whatever the zoom, and
 * every allocation at least a pixel tall in some column is drawn and pickable.
 *
 * @example
 * const raster = createRaster(800, 300);
 * paintRun(run, raster, { x0: 0, x1: run.xs[run.n], yMax: run.peakBytes, ... });
 * raster.pick[y * 800 + x]; // the slot under a pixel
 */
export function paintRun(run: RunModel, raster: Raster, o: PaintOptions): void {
  const { width: W, height: H, pixels, pick, steps } = raster;
  pixels.fill(o.background);
  pick.fill(-1);
  steps.fill(-1);
  const { n, xs, columns, slotOf } = run;
  if (n === 0 || !(o.x1 > o.x0) || !(o.yMax > 0)) return;
  const bytes = columns.bytes;
  // The live allocations, a doubly linked list in slot order; new slots append at the top.
  const next = new Int32Array(run.slots).fill(-1);
  const prev = new Int32Array(run.slots).fill(-1);
  let head = -1;
  let tail = -1;
  let applied = -1; // events applied: 0..applied
  const apply = (k: number): void => {
    const s = slotOf[k]!;
    if (columns.kind[k] === 0) {
      prev[s] = tail;
      next[s] = -1;
      if (tail >= 0) next[tail] = s;
      else head = s;
      tail = s;
    } else {
      const p = prev[s]!;
      const q = next[s]!;
      if (p >= 0) next[p] = q;
      else head = q;
      if (q >= 0) prev[q] = p;
      else tail = p;
    }
  };
  const dx = (o.x1 - o.x0) / W;
  const scale = H / o.yMax;
  const palette = o.palette;
  const faded = o.faded;
  const nColours = palette.length;
  const end = xs[n]!;
  let s1 = -1;
  for (let c = 0; c < W; c++) {
    const xa = o.x0 + c * dx;
    const xb = xa + dx;
    if (xb <= xs[0]! || xa >= end) continue;
    // Steps overlapping [xa, xb): from the one holding at xa to the last starting before xb.
    let s0 = s1 >= 0 ? s1 : 0;
    while (s0 + 1 < n && xs[s0 + 1]! <= xa) s0++;
    s1 = s0;
    while (s1 + 1 < n && xs[s1 + 1]! < xb) s1++;
    const step = argmaxLive(run, s0, s1);
    steps[c] = step;
    while (applied < step) apply(++applied);
    let below = 0;
    for (let s = head; s >= 0; s = next[s]!) {
      const b = bytes[run.from[s]!]!;
      const bottom = Math.round(H - below * scale);
      below += b;
      const top = Math.max(0, Math.round(H - below * scale));
      if (bottom <= 0) break;
      if (top >= bottom) continue;
      const colour =
        s === o.hovered
          ? o.hoverColour
          : o.highlight && o.highlight[s] === 0
            ? faded[s % nColours]!
            : palette[s % nColours]!;
      for (let y = Math.min(bottom, H) - 1; y >= top; y--) {
        pixels[y * W + c] = colour;
        pick[y * W + c] = s;
      }
    }
  }
}
