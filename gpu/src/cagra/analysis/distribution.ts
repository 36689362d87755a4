/**
 * Counts of integer values in equal-width bins from `start`: bin i holds the values in
 * [start + i·binWidth, start + (i + 1)·binWidth).
 */
export interface Histogram {
  readonly start: number;
  readonly binWidth: number;
  readonly counts: number[];
}

/** A distribution of non-negative integers per node, summarised for display. */
export interface Distribution {
  /** How many values were summarised (nodes, or sampled nodes). */
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly histogram: Histogram;
}

/**
 * Summarises non-negative integer `values`: min, max, mean and a histogram over [0, max] with
 * at most `maxBins` bins of equal integer width (width 1, one bin per value, when they fit).
 * An empty input gives zeros and no bins.
 *
 * @example
 * distribution([1, 2, 2, 4]);
 * // { n: 4, min: 1, max: 4, mean: 2.25, histogram: { start: 0, binWidth: 1, counts: [0, 1, 2, 0, 1] } }
 */
export function distribution(values: ArrayLike<number>, maxBins = Infinity): Distribution {
  const n = values.length;
  if (n === 0)
    return { n, min: 0, max: 0, mean: 0, histogram: { start: 0, binWidth: 1, counts: [] } };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const binWidth = Math.max(1, Math.ceil((max + 1) / maxBins));
  const counts = new Array<number>(Math.floor(max / binWidth) + 1).fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(values[i]! / binWidth)]!++;
  return { n, min, max, mean: sum / n, histogram: { start: 0, binWidth, counts } };
}
