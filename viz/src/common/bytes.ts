import { niceTicks } from "./ticks.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** The largest binary unit (a power of 1024) that `bytes` reaches, as [index, size]. */
function unitFor(bytes: number): [number, number] {
  let k = 0;
  while (k < UNITS.length - 1 && Math.abs(bytes) >= 1024 ** (k + 1)) k++;
  return [k, 1024 ** k];
}

/**
 * A byte count for people: binary units, three significant digits.
 *
 * @example
 * formatBytes(512); // "512 B"
 * formatBytes(1536); // "1.50 KiB"
 * formatBytes(3 * 2 ** 30); // "3.00 GiB"
 */
export function formatBytes(bytes: number): string {
  const [k, size] = unitFor(bytes);
  if (k === 0) return `${bytes} B`;
  const v = bytes / size;
  const decimals = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(decimals)} ${UNITS[k]}`;
}

/** Axis ticks for a byte range from 0, all labelled in one unit. */
export interface ByteTicks {
  /** Tick positions in bytes, ascending, starting at 0. */
  values: number[];
  /** One label per value, e.g. "256 MiB". */
  labels: string[];
  /** The last tick: the axis ends here, so the top gridline is labelled. */
  top: number;
}

/**
 * About `count` round ticks from 0 to at least `max` bytes, in the unit `max` reaches,
 * so an axis reads 0, 200 MiB, 400 MiB rather than raw byte counts.
 *
 * @example
 * byteTicks(1000 * 2 ** 20, 5).labels; // ["0", "200 MiB", "400 MiB", "600 MiB", "800 MiB", "1000 MiB"]
 */
export function byteTicks(max: number, count: number): ByteTicks {
  const [k, size] = unitFor(max);
  const span = max > 0 ? max / size : 1;
  const nice = niceTicks(0, span, count);
  // Bytes come whole: below 1 KiB no step is smaller than one byte.
  const { step, decimals } = k === 0 && nice.step < 1 ? { step: 1, decimals: 0 } : nice;
  // Extend to the first tick at or above the maximum, so the data never overflows the axis.
  const lastK = Math.max(1, Math.ceil(span / step - 1e-9));
  const scaled = Array.from({ length: lastK + 1 }, (_, i) => Number((i * step).toFixed(decimals)));
  const values = scaled.map((v) => v * size);
  const labels = scaled.map((v) => (v === 0 ? "0" : `${v.toFixed(decimals)} ${UNITS[k]}`));
  return { values, labels, top: values[values.length - 1] ?? size };
}
