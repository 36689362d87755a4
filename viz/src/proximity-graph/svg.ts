import { escapeXml } from "../common/xml.js";
import { hex, ramp } from "./colours.js";
import { decodeProximityGraph, type ExplorerData } from "./decode.js";
import type { ProximityGraphPayload } from "./types.js";

/** Options of proximityGraphSvg. */
export interface ProximityGraphSvgOptions {
  width?: number;
  height?: number;
  /** Most nodes drawn (an even sample of the rest): an SVG of a million circles helps nobody. */
  maxNodes?: number;
}

/**
 * A static SVG of the payload for front ends without the extension (GitHub, nbconvert): a
 * sample of the nodes at their positions coloured by in-degree, the search traces' queries
 * and results, and a line of statistics per graph. Every text it writes is escaped.
 *
 * @example
 * const svg = proximityGraphSvg(payload); // "<svg xmlns=…"
 */
export function proximityGraphSvg(
  payload: ProximityGraphPayload,
  options: ProximityGraphSvgOptions = {},
): string {
  const { width = 640, height = 480, maxNodes = 5000 } = options;
  const data = decodeProximityGraph(payload);
  const top = payload.title ? 28 : 8;
  const statsLines = data.graphs.length;
  const plot = { x: 8, y: top, w: width - 16, h: height - top - 8 - 16 * statsLines };
  const [x0, y0, x1, y1] = data.extent;
  const scale = Math.min(plot.w / (x1 - x0), plot.h / (y1 - y0));
  const ox = plot.x + (plot.w - scale * (x1 - x0)) / 2;
  const oy = plot.y + (plot.h - scale * (y1 - y0)) / 2;
  const sx = (x: number): string => (ox + (x - x0) * scale).toFixed(1);
  const sy = (y: number): string => (oy + (y1 - y) * scale).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  if (payload.title) {
    parts.push(`<text x="8" y="18" font-weight="bold">${escapeXml(payload.title)}</text>`);
  }
  parts.push(...nodeCircles(data, maxNodes, sx, sy));
  for (const t of data.traces) {
    for (let i = 0; i < t.results.length; i++) {
      const id = t.results[i]!;
      if (id >= data.nodes) continue;
      const colour = t.hits[i] ? "#2e7d32" : "#c62828";
      parts.push(
        `<circle cx="${sx(data.positions[2 * id]!)}" cy="${sy(data.positions[2 * id + 1]!)}" r="4" fill="none" stroke="${colour}" stroke-width="1.5"/>`,
      );
    }
    const [qx, qy] = [sx(t.position[0]), sy(t.position[1])];
    parts.push(
      `<path d="M${qx} ${qy}m-6 0h12m-6 -6v12" stroke="#000" stroke-width="2"><title>${escapeXml(`query ${t.label}`)}</title></path>`,
    );
  }
  data.graphs.forEach((g, i) => {
    const y = height - 8 - 16 * (statsLines - 1 - i);
    parts.push(
      `<text x="8" y="${y}" fill="#333" font-size="11">${escapeXml(shortSummary(data, i))}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** The static image's line about graph `i`, short enough for its width. */
function shortSummary(data: ExplorerData, i: number): string {
  const g = data.graphs[i]!;
  const { min, max, zero } = inDegreeRange(g.inDegree);
  const reach = g.twoHopMean === undefined ? "" : `, 2-hop reach ${g.twoHopMean.toFixed(0)}`;
  return `${g.name}: in-degree ${min}–${max} (${zero} none), ${g.componentCount.toLocaleString("en-US")} SCCs, largest ${(g.componentSizes[0] ?? 0).toLocaleString("en-US")}${reach}`;
}

function inDegreeRange(inDegree: Uint32Array): { min: number; max: number; zero: number } {
  let min = inDegree.length ? Infinity : 0;
  let max = 0;
  let zero = 0;
  for (const v of inDegree) {
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zero++;
  }
  return { min, max, zero };
}

/** One line about graph `i`: nodes, degree, in-degree range, components, 2-hop reach. */
export function graphSummary(data: ExplorerData, i: number): string {
  const g = data.graphs[i]!;
  const { min, max, zero } = inDegreeRange(g.inDegree);
  const reach = g.twoHopMean === undefined ? "" : `, mean 2-hop reach ${g.twoHopMean.toFixed(0)}`;
  return `${g.name}: ${data.nodes.toLocaleString("en-US")} nodes, in-degree ${min}–${max} (${zero} with none), ${g.componentCount.toLocaleString("en-US")} strongly connected components, largest ${(g.componentSizes[0] ?? 0).toLocaleString("en-US")}${reach}`;
}

function nodeCircles(
  data: ExplorerData,
  maxNodes: number,
  sx: (x: number) => string,
  sy: (y: number) => string,
): string[] {
  const g = data.graphs[0]!;
  let max = 1;
  for (const v of g.inDegree) if (v > max) max = v;
  const stride = Math.max(1, Math.ceil(data.nodes / maxNodes));
  const out: string[] = [];
  for (let i = 0; i < data.nodes; i += stride) {
    const colour = hex(ramp(g.inDegree[i]! / max));
    out.push(
      `<circle cx="${sx(data.positions[2 * i]!)}" cy="${sy(data.positions[2 * i + 1]!)}" r="1.6" fill="${colour}"/>`,
    );
  }
  return out;
}
