import { parseColor } from "../widget/theme.js";

/** Stops of the memory colour scale, low to high, for light and dark backgrounds. */
const STOPS = {
  light: ["#e8eef7", "#9ecae1", "#fdd49e", "#fc8d59", "#d7301f"],
  dark: ["#26303d", "#2c5f86", "#8c6d2c", "#c4622d", "#e5484d"],
} as const;

/**
 * The fill for a node holding `fraction` (0…1) of the scale's top: cool for little memory,
 * hot near the peak; `dark` picks stops that read on a dark background. Pure, so the static
 * SVG and the widget colour alike.
 *
 * @example
 * memoryColor(1, false); // "#d7301f"
 */
export function memoryColor(fraction: number, dark: boolean): string {
  const stops = dark ? STOPS.dark : STOPS.light;
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(f));
  return mix(stops[k]!, stops[k + 1]!, f - k);
}

/** Ink that reads on `fill`: near-black on light fills, near-white on dark ones. */
export function inkOn(fill: string): string {
  const [r, g, b] = rgb(fill);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#1a1a1a" : "#f5f5f5";
}

/** The stops and the fills made from them are all #rrggbb. */
function rgb(hex: string): [number, number, number] {
  return parseColor(hex) ?? [0, 0, 0];
}

function mix(a: string, b: string, t: number): string {
  const [x, y] = [rgb(a), rgb(b)];
  const c = x.map((v, i) => Math.round(v + (y[i]! - v) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}
