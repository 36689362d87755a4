import { byteTicks, formatBytes } from "../common/bytes.js";
import { BUDGET, FONT, GRID, INK, MUTED } from "../common/svg-style.js";
import { escapeXml } from "../common/xml.js";
import { memoryTimelineV2Svg } from "../memory-timeline/svg-v2.js";
import { collapsedAtOpen, planBlocks, type Block } from "./blocks.js";
import { inkOn, memoryColor } from "./colors.js";
import { decodeChunkPlan, type ChunkPlan } from "./decode.js";
import { blockLabel, nodeLabel, planSummary, regionLabel } from "./labels.js";
import { chunkPlanLayout, itemBytes, stripRows, type ChunkPlanLayout } from "./layout.js";
import type { ChunkPlanPayload } from "./types.js";

/** Width of the memory strip beside the graph, in px. */
const STRIP_WIDTH = 180;
const HEADER = 48;
const GAP = 16;
const REGION = "#6a51a3";

/**
 * The plan as a standalone SVG document (no DOM, no script): the layered graph from
 * `chunkPlanLayout` (blocks collapsed as the widget opens them), nodes coloured by predicted
 * memory after chunking with the peak marked, regions boxed with their chunk dim, size and
 * iterations, and the memory strip beside it (before and after chunking, and the budget).
 * With measured runs (`timelines`), their static timelines follow below. The kernel sends it
 * as the `image/svg+xml` fallback (GitHub, nbconvert). All text is escaped.
 *
 * @example
 * const svg = chunkPlanSvg(payload); // "<svg xmlns=…"
 */
export function chunkPlanSvg(payload: ChunkPlanPayload): string {
  const plan = decodeChunkPlan(payload);
  const blocks = planBlocks(plan.name);
  const collapsed = collapsedAtOpen(plan, blocks);
  const layout = chunkPlanLayout(plan, blocks, collapsed);
  const width = Math.ceil(layout.width + GAP + STRIP_WIDTH + GAP);
  const planHeight = Math.ceil(HEADER + layout.height + 28);
  // Measured runs go below the plan, as the timeline's own static picture (nested <svg>).
  const runs = payload.timelines?.runs.length ?? 0;
  const runHeight = runs > 1 ? 320 : 420;
  const timelines = payload.timelines
    ? memoryTimelineV2Svg(payload.timelines, { width: Math.max(width, 640), height: runHeight })
    : "";
  const height = planHeight + runs * runHeight;
  const fullWidth = runs > 0 ? Math.max(width, 640) : width;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fullWidth}" height="${height}" viewBox="0 0 ${fullWidth} ${height}" font-family="${FONT}" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(8, 18, plan.title ?? "AutoChunk plan", { size: 14, weight: "600" }),
    text(8, 36, planSummary(plan), { fill: MUTED }),
    `<g transform="translate(0 ${HEADER})">`,
    ...graph(plan, layout, blocks),
    `</g>`,
    `<g transform="translate(${Math.ceil(layout.width + GAP)} ${HEADER})">`,
    ...strip(plan, layout),
    `</g>`,
    timelines.replace(/^<svg /, `<svg y="${planHeight}" `),
    `</svg>`,
  ];
  return out.join("\n");
}

function text(
  x: number,
  y: number,
  s: string,
  o: { fill?: string; size?: number; weight?: string; anchor?: string } = {},
): string {
  const attrs = [
    `x="${r(x)}"`,
    `y="${r(y)}"`,
    `fill="${o.fill ?? INK}"`,
    o.size ? `font-size="${o.size}"` : "",
    o.weight ? `font-weight="${o.weight}"` : "",
    o.anchor ? `text-anchor="${o.anchor}"` : "",
  ];
  return `<text ${attrs.filter(Boolean).join(" ")}>${escapeXml(s)}</text>`;
}

const r = (v: number) => Math.round(v * 10) / 10;

function graph(plan: ChunkPlan, layout: ChunkPlanLayout, blocks: readonly Block[]): string[] {
  const out: string[] = [];
  const top = plan.peakBytes.before || 1;
  for (const g of layout.groups) {
    const { x, y, width, height } = g.box;
    if (g.kind === "block") {
      out.push(
        `<rect x="${r(x)}" y="${r(y)}" width="${r(width)}" height="${r(height)}" rx="6" fill="#f6f7f9" stroke="${GRID}"/>`,
        text(x + 4, y - 3, blocks[g.index]?.label ?? "", { fill: MUTED, size: 10, weight: "600" }),
      );
    } else {
      const region = plan.regions[g.index]!;
      out.push(
        `<rect x="${r(x)}" y="${r(y)}" width="${r(width)}" height="${r(height)}" rx="6" fill="none" stroke="${REGION}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
        text(x + 4, y - 3, regionLabel(region), { fill: REGION, size: 10, weight: "600" }),
      );
    }
  }
  for (const e of layout.edges) {
    const d = e.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${r(x)} ${r(y)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="#9aa3ad" stroke-width="1"/>`);
  }
  layout.items.forEach((item) => {
    const { x, y, width, height } = item.box;
    const bytes = itemBytes(plan, item, plan.afterBytes);
    const fill = memoryColor(bytes / top, false);
    const holds = (node: number) =>
      item.kind === "node"
        ? item.node === node
        : item.block.start <= node && node <= item.block.end;
    const peak = holds(plan.peakNode.after);
    // Where the peak was before chunking, when elsewhere: a dashed outline.
    const before = !peak && holds(plan.peakNode.before);
    const label = item.kind === "node" ? nodeLabel(plan, item.node) : blockLabel(item.block);
    const tip =
      item.kind === "node"
        ? `${plan.name[item.node]} = ${plan.op[item.node]}: ${plan.type[item.node]}, ${formatBytes(bytes)} live`
        : `${item.block.label}: ${item.block.end - item.block.start + 1} nodes, up to ${formatBytes(bytes)} live`;
    out.push(
      `<g><title>${escapeXml(tip)}</title>`,
      `<rect x="${r(x)}" y="${r(y)}" width="${r(width)}" height="${r(height)}" rx="${item.kind === "block" ? 8 : 3}" fill="${fill}" stroke="${peak || before ? BUDGET : "#7b8794"}" stroke-width="${peak ? 2.5 : before ? 1.5 : 0.8}"${before ? ' stroke-dasharray="4 2"' : ""}/>`,
      text(x + 6, y + height / 2 + 4, label, { fill: inkOn(fill) }),
      peak
        ? text(x + width + 3, y + height / 2 + 4, "▲ peak", {
            fill: BUDGET,
            size: 10,
            weight: "600",
          })
        : before
          ? text(x + width + 3, y + height / 2 + 4, "△ peak before chunking", {
              fill: BUDGET,
              size: 10,
            })
          : "",
      `</g>`,
    );
  });
  return out;
}

function strip(plan: ChunkPlan, layout: ChunkPlanLayout): string[] {
  const ticks = byteTicks(Math.max(plan.peakBytes.before, plan.budgetBytes), 3);
  const sx = (bytes: number) => (bytes / ticks.top) * STRIP_WIDTH;
  const out: string[] = [];
  ticks.values.forEach((v, i) => {
    out.push(
      `<line x1="${r(sx(v))}" x2="${r(sx(v))}" y1="0" y2="${r(layout.height)}" stroke="${GRID}"/>`,
      text(sx(v), layout.height + 12, ticks.labels[i]!, {
        fill: MUTED,
        size: 9,
        anchor: i === 0 ? "start" : "middle",
      }),
    );
  });
  for (const row of stripRows(layout)) {
    const item = layout.items[row.item]!;
    const before = itemBytes(plan, item, plan.beforeBytes);
    const after = itemBytes(plan, item, plan.afterBytes);
    const h = Math.max(1, row.height - 2);
    out.push(
      `<rect x="0" y="${r(row.y + 1)}" width="${r(sx(before))}" height="${r(h)}" fill="#d5d9de"/>`,
      `<rect x="0" y="${r(row.y + 1)}" width="${r(sx(after))}" height="${r(h)}" fill="${memoryColor(after / (plan.peakBytes.before || 1), false)}" stroke="#7b8794" stroke-width="0.4"/>`,
    );
  }
  const b = sx(plan.budgetBytes);
  out.push(
    `<line x1="${r(b)}" x2="${r(b)}" y1="-6" y2="${r(layout.height)}" stroke="${BUDGET}" stroke-width="1.5" stroke-dasharray="4 2"/>`,
    text(b, -8, `budget ${formatBytes(plan.budgetBytes)}`, {
      fill: BUDGET,
      size: 10,
      anchor: "middle",
    }),
    text(0, layout.height + 24, "grey: before chunking · colour: after", { fill: MUTED, size: 9 }),
  );
  return out;
}
