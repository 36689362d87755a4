/**
 * Node colours for the explorer and its static SVG: pure functions from the decoded data
 * to RGBA bytes per node, so the WebGL layer uploads one buffer and a test can check
 * colours without a browser.
 */
import type { ExplorerData } from "./decode.js";

/** What the colour of a node shows. */
export type ColourMode = "in-degree" | "out-degree" | "component" | "class" | "visit-order";

export type Rgb = readonly [number, number, number];

/** Sequential ramp (viridis' stops): low → high. Readable on light and dark backgrounds. */
const RAMP: readonly Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Categorical palette (Tableau 10). */
export const PALETTE: readonly Rgb[] = [
  [78, 121, 167],
  [242, 142, 43],
  [225, 87, 89],
  [118, 183, 178],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [255, 157, 167],
  [156, 117, 95],
  [186, 176, 172],
];

/** The ramp's colour at t ∈ [0, 1]. */
export function ramp(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as unknown as Rgb;
}

/** `#rrggbb` of a colour. */
export function hex([r, g, b]: Rgb): string {
  return "#" + [r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** What a colour mode needs besides the data: which graph and trace, and the muted colour. */
export interface ColourContext {
  graph: number;
  trace: number;
  /** Colour of nodes a mode says nothing about (unvisited, no class). */
  muted: Rgb;
  /** Visit order: nodes first reached after this trace step count as unvisited. */
  step?: number;
  /** Highlighted nodes that the mode leaves muted take this colour, so a selection shows in every mode. */
  emphasis?: Rgb;
}

/** Whether `mode` can colour `data` (class needs classes, visit order a trace). */
export function modeAvailable(data: ExplorerData, mode: ColourMode): boolean {
  if (mode === "class") return data.classes !== undefined;
  if (mode === "visit-order") return data.traces.length > 0;
  return true;
}

/**
 * RGBA bytes [nodes · 4] for `mode`. Nodes outside `highlight` (when given) keep their
 * colour at a quarter of the opacity, so a selection stands out and the rest stays in view.
 *
 * @example
 * const rgba = nodeColours(data, "in-degree", { graph: 0, trace: 0, muted: [128, 128, 128] });
 */
export function nodeColours(
  data: ExplorerData,
  mode: ColourMode,
  context: ColourContext,
  highlight?: Uint8Array,
  out = new Uint8Array(data.nodes * 4),
): Uint8Array {
  const g = data.graphs[context.graph] ?? data.graphs[0]!;
  const colourOf = colourFunction(data, mode, context, g);
  const emphasis = context.emphasis ?? context.muted;
  for (let i = 0; i < data.nodes; i++) {
    const lit = highlight !== undefined && highlight[i] === 1;
    let c = colourOf(i);
    if (lit && c === context.muted) c = emphasis;
    const o = i * 4;
    out[o] = c[0];
    out[o + 1] = c[1];
    out[o + 2] = c[2];
    out[o + 3] = highlight && !lit ? 40 : 230;
  }
  return out;
}

function colourFunction(
  data: ExplorerData,
  mode: ColourMode,
  context: ColourContext,
  g: ExplorerData["graphs"][number],
): (i: number) => Rgb {
  switch (mode) {
    case "in-degree":
    case "out-degree": {
      const values = mode === "in-degree" ? g.inDegree : g.outDegree;
      const max = Math.max(1, percentile(values, 0.99));
      const table = Array.from({ length: 256 }, (_, k) => ramp(k / 255));
      return (i) => table[Math.min(255, Math.round((values[i]! / max) * 255))]!;
    }
    case "component":
      // Component 0 is the largest; the many singletons of a kNN graph share the last colour.
      return (i) => PALETTE[Math.min(g.component[i]!, PALETTE.length - 1)]!;
    case "class": {
      const of = data.classes?.of;
      return (i) => (of ? PALETTE[of[i]! % PALETTE.length]! : context.muted);
    }
    case "visit-order": {
      const trace = data.traces[context.trace];
      if (!trace) return () => context.muted;
      const steps = Math.max(1, trace.steps.length);
      const upTo = context.step ?? Infinity;
      return (i) => {
        const v = trace.visitOrder[i]!;
        return v < 0 || v > upTo ? context.muted : ramp(v / steps);
      };
    }
  }
}

/** The value below which a fraction `q` of `values` lie (by counting; values are small integers). */
function percentile(values: Uint32Array, q: number): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (max > 1 << 20) return max;
  const counts = new Uint32Array(max + 1);
  for (const v of values) counts[v]!++;
  const target = q * values.length;
  let seen = 0;
  for (let v = 0; v <= max; v++) {
    seen += counts[v]!;
    if (seen >= target) return v;
  }
  return max;
}
