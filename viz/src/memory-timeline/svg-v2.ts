import { escapeXml } from "../common/xml.js";
import { memoryEventsOf } from "./pack.js";
import { memoryTimelineSvg, type MemoryTimelineSvgOptions } from "./svg.js";
import type { MemoryTimelinePayload } from "./types.js";
import type { MemoryTimelineV2Payload } from "./types-v2.js";

/**
 * The static picture of a v2 timeline (the `image/svg+xml` fallback): v1's drawing of each
 * run, one above the other in one document, each titled with the run's name. Pure, so the
 * kernel writes it without a browser. `height` is per run.
 *
 * @example
 * const svg = memoryTimelineV2Svg(payload, { width: 900 });
 */
export function memoryTimelineV2Svg(
  payload: MemoryTimelineV2Payload,
  options: MemoryTimelineSvgOptions = {},
): string {
  const width = options.width ?? 900;
  const height = options.height ?? (payload.runs.length > 1 ? 320 : 420);
  const parts = payload.runs.map((run, i) => {
    const v1: MemoryTimelinePayload = {
      version: 1,
      title:
        payload.runs.length > 1
          ? `${payload.title ?? "Memory timeline"}: ${run.name}`
          : (payload.title ?? run.name),
      events: memoryEventsOf(run.events).map(({ node: _n, detail: _d, ...e }) => e),
      ...(payload.xAxis ? { xAxis: payload.xAxis } : {}),
      ...(run.predicted ? { predicted: run.predicted } : {}),
      ...(payload.budgetBytes !== undefined ? { budgetBytes: payload.budgetBytes } : {}),
    };
    const svg = memoryTimelineSvg(v1, { ...options, width, height });
    // Nested <svg> documents placed one below the other; the XML prolog-free output nests as is.
    return svg.replace(/^<svg /, `<svg y="${i * height}" `);
  });
  if (parts.length === 1) return parts[0]!;
  const total = height * parts.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" role="img">`,
    `<title>${escapeXml(payload.title ?? "Memory timeline")}: ${escapeXml(payload.runs.map((r) => r.name).join(" vs "))}</title>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}
