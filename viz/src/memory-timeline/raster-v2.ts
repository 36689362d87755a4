import { argmaxLive, stepAt, type RunModel } from "./model-v2.js";

/** A panel's pixels (RGBA as little-endian 32-bit words, as ImageData holds them) and which slot each shows. */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint32Array<ArrayBuffer>;
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
 * pixels), with that step's live allocations stacked bottom up in allocation order. A pixel
 * shows the allocation at its centre's height, found by a search in a Fenwick tree of live
 * bytes by slot, so a column costs (allocations visible in it) × log(allocations), however
 * many sub-pixel ones lie between them; the tree is kept between frames and moved to the new
 * window event by event (a pan replays only what it passes). Every allocation at least a
 * pixel tall in some column is drawn and pickable.
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
  const { n, xs, columns } = run;
  if (n === 0 || !(o.x1 > o.x0) || !(o.yMax > 0)) return;
  const live = liveTree(run);
  const bytes = columns.bytes;
  const dx = (o.x1 - o.x0) / W;
  const scale = H / o.yMax;
  const palette = o.palette;
  const faded = o.faded;
  const nColours = palette.length;
  const end = xs[n]!;
  let s1 = -1;
  let first = true;
  for (let c = 0; c < W; c++) {
    const xa = o.x0 + c * dx;
    const xb = xa + dx;
    if (xb <= xs[0]! || xa >= end) continue;
    // Steps overlapping [xa, xb): from the one holding at xa to the last starting before xb.
    let s0 = s1 >= 0 ? s1 : Math.max(0, stepAt(xs, n, xa));
    while (s0 + 1 < n && xs[s0 + 1]! <= xa) s0++;
    s1 = s0;
    while (s1 + 1 < n && xs[s1 + 1]! < xb) s1++;
    const step = argmaxLive(run, s0, s1);
    steps[c] = step;
    if (first) live.start(step);
    else live.moveTo(step);
    const total = run.live[step]!;
    let y = H - 1;
    // Below the lowest allocation that changed since the last column, the stack is the same:
    // copy those rows (a LIFO program changes only the top).
    if (!first && steps[c - 1]! >= 0) {
      const same = live.unchangedBelow();
      const yCopy = Math.max(0, Math.floor(H - 0.5 - Math.min(same, total) * scale) + 1);
      for (; y >= yCopy; y--) {
        pixels[y * W + c] = pixels[y * W + c - 1]!;
        pick[y * W + c] = pick[y * W + c - 1]!;
      }
    }
    first = false;
    // Upwards: the slot at each row's centre height, and the rows it fills. The next live
    // slot usually holds the next row; a search skips runs of sub-pixel slots.
    if (y < 0) continue;
    let h = (H - y - 0.5) / scale;
    if (h >= total) continue;
    let { slot, below } = live.find(h);
    for (;;) {
      const top = below + bytes[run.from[slot]!]!;
      const yTop = Math.max(0, Math.floor(H - 0.5 - top * scale) + 1);
      const colour =
        slot === o.hovered
          ? o.hoverColour
          : o.highlight && o.highlight[slot] === 0
            ? faded[slot % nColours]!
            : palette[slot % nColours]!;
      for (; y >= yTop; y--) {
        pixels[y * W + c] = colour;
        pick[y * W + c] = slot;
      }
      if (y < 0) break;
      h = (H - y - 0.5) / scale;
      if (h >= total) break;
      const next = live.next(slot);
      if (next >= 0 && top + bytes[run.from[next]!]! > h) {
        slot = next;
        below = top;
      } else ({ slot, below } = live.find(h));
    }
  }
}

/** Live bytes by slot after some event, in a Fenwick tree that moves to any event. */
interface LiveTree {
  /** Moves to the state after event `step` for a frame's first column (from the last frame's start when nearer). */
  start(step: number): void;
  /** Applies or undoes events until the tree holds the state after event `step`. */
  moveTo(step: number): void;
  /** Live bytes below the lowest slot changed since the last move (Infinity: none changed). */
  unchangedBelow(): number;
  /** The first slot whose top is above `h` bytes, and the live bytes below it. */
  find(h: number): { slot: number; below: number };
  /** The live slot stacked right above `slot` (-1: none). */
  next(slot: number): number;
}

const trees = new WeakMap<RunModel, LiveTree>();

function liveTree(run: RunModel): LiveTree {
  let tree = trees.get(run);
  if (!tree) {
    tree = fenwick(run);
    trees.set(run, tree);
  }
  return tree;
}

function fenwick(run: RunModel): LiveTree {
  const size = run.slots;
  const sums = new Float64Array(size + 1);
  const { kind, bytes } = run.columns;
  let highBit = 1;
  while (highBit * 2 <= size) highBit *= 2;
  let applied = -1; // the state after event `applied`
  let lowest = Infinity; // the lowest slot changed since the last move
  // Live slots with bytes, in stacking order: a doubly linked list beside the tree.
  const after = new Int32Array(size).fill(-1);
  const before = new Int32Array(size).fill(-1);
  const listed = new Uint8Array(size);
  let head = -1;
  let tail = -1;
  const unlink = (slot: number): void => {
    const p = before[slot]!;
    const q = after[slot]!;
    if (p >= 0) after[p] = q;
    else head = q;
    if (q >= 0) before[q] = p;
    else tail = p;
    listed[slot] = 0;
  };
  const link = (slot: number, p: number): void => {
    const q = p >= 0 ? after[p]! : head;
    before[slot] = p;
    after[slot] = q;
    if (p >= 0) after[p] = slot;
    else head = slot;
    if (q >= 0) before[q] = slot;
    else tail = slot;
    listed[slot] = 1;
  };
  // The state at the last frame's first column (tree and list): a pan's next frame starts near it.
  const saved = {
    step: -1,
    sums: new Float64Array(size + 1),
    after: new Int32Array(size).fill(-1),
    before: new Int32Array(size).fill(-1),
    listed: new Uint8Array(size),
    head: -1,
    tail: -1,
  };
  const change = (k: number, sign: number): void => {
    const slot = run.slotOf[k]!;
    if (slot < lowest) lowest = slot;
    const b = bytes[k]!;
    const inserting = (kind[k] === 0) === sign > 0;
    if (!inserting && listed[slot]) unlink(slot);
    for (let i = slot + 1; i <= size; i += i & -i) sums[i] = sums[i]! + (inserting ? b : -b);
    if (inserting && b > 0) {
      // Forward, an alloc is the newest slot: the top. Backward, an undone free goes back
      // above the live slot just below it, found by its bytes below.
      if (sign > 0) link(slot, tail);
      else {
        const below = prefix(slot);
        link(slot, below > 0 ? locate(below - 0.5) : -1);
      }
    }
  };
  const prefix = (slot: number): number => {
    let sum = 0;
    for (let i = slot; i > 0; i -= i & -i) sum += sums[i]!;
    return sum;
  };
  const { from, to, slotOf } = run;
  // An allocation made and freed between the two states changes nothing: both of its events
  // are skipped, so a move costs a read per event and tree work only for allocations that
  // outlive it (a pan over a million events mostly skips).
  const moveTo = (step: number): void => {
    lowest = Infinity;
    const a = applied;
    if (step > a) {
      for (let k = a + 1; k <= step; k++) {
        const slot = slotOf[k]!;
        if (kind[k] === 0 ? to[slot]! > step : from[slot]! <= a) change(k, 1);
      }
    } else {
      for (let k = a; k > step; k--) {
        const slot = slotOf[k]!;
        if (kind[k] === 0 ? to[slot]! > a : from[slot]! <= step) change(k, -1);
      }
    }
    applied = step;
  };
  /** The slot holding height `h`: the first whose top is above it (a descent of the tree); its bytes below go to `located`. */
  let located = 0;
  const locate = (h: number): number => {
    let pos = 0;
    let below = 0;
    for (let bit = highBit; bit > 0; bit >>= 1) {
      const next = pos + bit;
      if (next <= size && below + sums[next]! <= h) {
        pos = next;
        below += sums[next]!;
      }
    }
    located = below;
    return Math.min(pos, size - 1);
  };
  const found = { slot: 0, below: 0 };
  return {
    next: (slot) => after[slot]!,
    start(step) {
      if (Math.abs(step - saved.step) < Math.abs(step - applied)) {
        sums.set(saved.sums);
        after.set(saved.after);
        before.set(saved.before);
        listed.set(saved.listed);
        [head, tail, applied] = [saved.head, saved.tail, saved.step];
      }
      moveTo(step);
      saved.sums.set(sums);
      saved.after.set(after);
      saved.before.set(before);
      saved.listed.set(listed);
      [saved.head, saved.tail, saved.step] = [head, tail, step];
    },
    moveTo,
    unchangedBelow: () => (lowest === Infinity ? Infinity : prefix(lowest)),
    find(h) {
      found.slot = locate(h);
      found.below = located;
      return found;
    },
  };
}

/**
 * Repaints only the pixels of `slots` (e.g. the allocation hovered before and the one hovered
 * now) with the colours `o` gives them, from the pick buffer of the last `paintRun`: a hover
 * costs one pass over the pixels, not a new stack.
 */
export function recolourSlots(raster: Raster, slots: readonly number[], o: PaintOptions): void {
  const { pixels, pick } = raster;
  const nColours = o.palette.length;
  const colourOf = (slot: number): number =>
    slot === o.hovered
      ? o.hoverColour
      : o.highlight && o.highlight[slot] === 0
        ? o.faded[slot % nColours]!
        : o.palette[slot % nColours]!;
  const wanted = slots.filter((s) => s >= 0);
  if (wanted.length === 0) return;
  const colours = wanted.map(colourOf);
  for (let i = 0; i < pick.length; i++) {
    const slot = pick[i]!;
    if (slot < 0) continue;
    const at = wanted.indexOf(slot);
    if (at >= 0) pixels[i] = colours[at]!;
  }
}
