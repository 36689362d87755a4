import { unpackMemoryEvents } from "./pack.js";
import type { MemoryEventColumns, MemoryTimelineV2Payload } from "./types-v2.js";

/**
 * A run prepared for drawing: its events replayed once into flat typed arrays, so a frame
 * only reads them (a million events replay in tens of milliseconds and take ~50 bytes each).
 *
 * A step is the state after one event; step `k` holds from `xs[k]` to `xs[k + 1]`.
 * Allocations are numbered by slot, in the order they are allocated, which is also their
 * stacking order (oldest at the bottom, as PyTorch's memory_viz stacks them).
 */
export interface RunModel {
  name: string;
  columns: MemoryEventColumns;
  /** Events in the run. */
  n: number;
  /** n + 1 values, non-decreasing: where each step starts on the shared x axis, then the end. */
  xs: Float64Array;
  /** Live bytes after each event. */
  live: Float64Array;
  /** The slot of each event's allocation. */
  slotOf: Int32Array;
  /** Allocations: the event position of the alloc and of the free (n if never freed). */
  slots: number;
  from: Int32Array;
  to: Int32Array;
  /** Per block of `BLOCK` steps, the largest `live` in it (range maxima for decimation). */
  blockMax: Float64Array;
  /** The step with the most live bytes (the first of equals), and those bytes; -1 without events. */
  peakStep: number;
  peakBytes: number;
  /** The predicted curve on the shared x axis (warped like the events when aligned). */
  predicted: { xs: Float64Array; bytes: Float64Array } | undefined;
}

export const BLOCK = 256;

/**
 * Replays each run of a (valid) payload into a RunModel on one shared x axis: event index,
 * time, or, when aligned by node, the first run's event positions with the later runs'
 * positions warped to meet them at the nodes they share.
 *
 * @example
 * const runs = buildRunModels(payload);
 * runs[0].live[runs[0].peakStep]; // the first run's measured peak
 */
export function buildRunModels(payload: MemoryTimelineV2Payload): RunModel[] {
  const columns = payload.runs.map((r) => unpackMemoryEvents(r.events));
  const xAxis = payload.xAxis ?? "index";
  const aligned = xAxis === "index" && payload.runs.length > 1 && payload.align !== "none";
  const warps = aligned ? alignByNode(columns) : undefined;
  return payload.runs.map((run, r) => {
    const c = columns[r]!;
    const xOf = warps
      ? (pos: number) => warps[r]!(pos)
      : xAxis === "time"
        ? (pos: number) => c.timeMs[pos]!
        : (pos: number) => c.index[pos]!;
    const xs = new Float64Array(c.count + 1);
    for (let k = 0; k < c.count; k++) xs[k] = xOf(k);
    if (c.count > 0) {
      // The last step is one event wide on an index axis; on a time axis, as wide as the
      // average step (a zero-width last step could not be hovered).
      const last = xs[c.count - 1]!;
      const span = last - xs[0]!;
      xs[c.count] = warps
        ? xOf(c.count)
        : xAxis === "index"
          ? last + 1
          : last + Math.max(span / c.count, 1e-3);
    }
    return {
      name: run.name,
      columns: c,
      xs,
      ...replay(c),
      predicted: predictedOn(run.predicted, c, warps?.[r], xAxis),
    };
  });
}

function replay(c: MemoryEventColumns) {
  const n = c.count;
  const live = new Float64Array(n);
  const slotOf = new Int32Array(n);
  // Allocation id → slot: an array when ids are dense (a tracker's are 0, 1, 2, …), else a Map.
  let maxId = 0;
  for (let k = 0; k < n; k++) if (c.allocation[k]! > maxId) maxId = c.allocation[k]!;
  const dense = maxId < 4 * n + 1024 ? new Int32Array(maxId + 1) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const from: number[] = [];
  const to: number[] = [];
  let total = 0;
  let peakStep = -1;
  let peakBytes = 0;
  for (let k = 0; k < n; k++) {
    const a = c.allocation[k]!;
    if (c.kind[k] === 0) {
      const slot = from.length;
      if (dense) dense[a] = slot;
      else sparse!.set(a, slot);
      from.push(k);
      to.push(n);
      slotOf[k] = slot;
      total += c.bytes[k]!;
    } else {
      const slot = dense ? dense[a]! : sparse!.get(a)!;
      to[slot] = k;
      slotOf[k] = slot;
      total -= c.bytes[k]!;
    }
    live[k] = total;
    if (peakStep < 0 || total > peakBytes) [peakStep, peakBytes] = [k, total];
  }
  const blockMax = new Float64Array(Math.ceil(n / BLOCK));
  for (let k = 0; k < n; k++) {
    const b = (k / BLOCK) | 0;
    if (live[k]! > blockMax[b]!) blockMax[b] = live[k]!;
  }
  return {
    n,
    live,
    slotOf,
    slots: from.length,
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    blockMax,
    peakStep,
    peakBytes,
  };
}

/** The step of [lo, hi] (inclusive) with the most live bytes, the first of equals. */
export function argmaxLive(
  run: Pick<RunModel, "live" | "blockMax">,
  lo: number,
  hi: number,
): number {
  const { live, blockMax } = run;
  let best = lo;
  let k = lo;
  while (k <= hi) {
    const b = (k / BLOCK) | 0;
    const blockEnd = (b + 1) * BLOCK - 1;
    if (k === b * BLOCK && blockEnd <= hi) {
      // A whole block: look inside only when it can beat the best so far.
      if (blockMax[b]! > live[best]!) {
        for (let j = k; j <= blockEnd; j++) if (live[j]! > live[best]!) best = j;
      }
      k = blockEnd + 1;
    } else {
      if (live[k]! > live[best]!) best = k;
      k++;
    }
  }
  return best;
}

/** The last position `k` in non-decreasing `xs[0..n)` with `xs[k] <= x`, or -1. */
export function stepAt(xs: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Monotone warps that put each run's events on the first run's positions: runs are matched
 * at the first event of each node they share, in order (a node out of order is skipped, so
 * the warp never goes backwards); between matches positions are interpolated linearly, and
 * outside them shifted. The first run's warp is the identity.
 */
export function alignByNode(runs: readonly MemoryEventColumns[]): ((pos: number) => number)[] {
  const first = runs[0]!;
  const firstAt = new Map<string, number>();
  for (let k = 0; k < first.count; k++) {
    const node = first.strings[first.node[k]!]!;
    if (!firstAt.has(node)) firstAt.set(node, k);
  }
  return runs.map((run, r) => {
    if (r === 0) return (pos: number) => pos;
    const at: number[] = [];
    const to: number[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < run.count; k++) {
      const node = run.strings[run.node[k]!]!;
      if (seen.has(node)) continue;
      seen.add(node);
      const q = firstAt.get(node);
      if (q !== undefined && (to.length === 0 || q > to[to.length - 1]!)) {
        at.push(k);
        to.push(q);
      }
    }
    return piecewiseLinear(at, to);
  });
}

/** The function through the points (at[i], to[i]), both strictly increasing; slope 1 outside. */
export function piecewiseLinear(
  at: readonly number[],
  to: readonly number[],
): (pos: number) => number {
  const m = at.length;
  if (m === 0) return (pos) => pos;
  return (pos) => {
    if (pos <= at[0]!) return to[0]! + (pos - at[0]!);
    if (pos >= at[m - 1]!) return to[m - 1]! + (pos - at[m - 1]!);
    let lo = 0;
    let hi = m - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (at[mid]! <= pos) lo = mid;
      else hi = mid;
    }
    const t = (pos - at[lo]!) / (at[hi]! - at[lo]!);
    return to[lo]! + t * (to[hi]! - to[lo]!);
  };
}

function predictedOn(
  points: readonly { x: number; bytes: number }[] | undefined,
  c: MemoryEventColumns,
  warp: ((pos: number) => number) | undefined,
  xAxis: "index" | "time",
): RunModel["predicted"] {
  if (!points || points.length === 0) return undefined;
  const xs = new Float64Array(points.length);
  const bytes = new Float64Array(points.length);
  points.forEach((p, i) => {
    // Aligned runs are drawn over event positions: a point at an event index goes where
    // that event went.
    xs[i] = warp && xAxis === "index" ? warp(positionOfIndex(c, p.x)) : p.x;
    bytes[i] = p.bytes;
  });
  return { xs, bytes };
}

/** The (fractional) event position of an event index. */
function positionOfIndex(c: MemoryEventColumns, index: number): number {
  const k = stepAt(c.index, c.count, index);
  if (k < 0) return index - (c.index[0] ?? 0);
  const next = k + 1 < c.count ? c.index[k + 1]! : c.index[k]! + 1;
  return k + (index - c.index[k]!) / (next - c.index[k]!);
}
