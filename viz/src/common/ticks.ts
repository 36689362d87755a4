/** Evenly spaced round values covering a range, as an axis shows them. */
export interface Ticks {
  /** Distance between neighbouring ticks: 1, 2 or 5 times a power of ten. */
  step: number;
  /** The multiples of `step` within the range, ascending. */
  values: number[];
  /** Decimal places that print every value exactly. */
  decimals: number;
}

/**
 * Round tick values for the range [lo, hi], about `count` of them (d3's 1-2-5 rule).
 * Values are computed as integers over a power of ten, so 0.3 prints as 0.3.
 *
 * @example
 * niceTicks(0, 1, 5).values; // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(lo: number, hi: number, count: number): Ticks {
  const span = hi > lo ? hi - lo : Math.abs(lo) || 1;
  const raw = span / Math.max(1, count);
  const power = Math.floor(Math.log10(raw));
  const fraction = raw / 10 ** power;
  // Thresholds are the geometric means of 1, 2, 5 and 10, as in d3-array's tickStep.
  const factor =
    fraction >= Math.sqrt(50)
      ? 10
      : fraction >= Math.sqrt(10)
        ? 5
        : fraction >= Math.sqrt(2)
          ? 2
          : 1;
  const decimals = Math.max(0, -power - (factor === 10 ? 1 : 0));
  const scale = 10 ** decimals;
  const stepScaled = Math.round(factor * 10 ** power * scale);
  const first = Math.ceil((lo * scale) / stepScaled);
  const last = Math.floor((hi * scale) / stepScaled);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push((k * stepScaled) / scale);
  return { step: stepScaled / scale, values, decimals };
}
