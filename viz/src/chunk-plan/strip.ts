import { formatBytes } from "../common/bytes.js";
import { memoryColor } from "./colors.js";
import type { ChunkPlan } from "./decode.js";
import { svg } from "./dom.js";
import { itemBytes, stripRows, type ChunkPlanLayout } from "./layout.js";

/** Width of the strip's bars at the largest value, and the margin around them, in px. */
const STRIP_BARS = 170;
const GAP = 14;

/**
 * The memory strip: per drawn item, at its height in the graph, a grey bar for the bytes live
 * before chunking and a coloured one for after, with the budget as a dashed line. The widget
 * puts it in a pane left of the graph that scrolls vertically with it, so a wide graph never
 * hides it. `axis` px below the graph hold the budget's label and a caption.
 *
 * @example
 * pane.replaceChildren(memoryStrip(plan, layout, false));
 */
export function memoryStrip(
  plan: ChunkPlan,
  layout: ChunkPlanLayout,
  dark: boolean,
  axis = 32,
): SVGSVGElement {
  const width = STRIP_BARS + 2 * GAP;
  const canvas = svg("svg", {
    width,
    height: layout.height + axis,
    role: "img",
    "aria-label": "memory per node before and after chunking, and the budget",
  });
  const top = plan.peakBytes.before || 1;
  const most = Math.max(plan.peakBytes.before, plan.budgetBytes) * 1.05;
  const sx = (b: number) => GAP + (b / most) * STRIP_BARS;
  const strip = svg("g", { class: "tessera-chunk-plan-strip" }, canvas);
  strip.dataset.role = "strip";
  for (const row of stripRows(layout)) {
    const item = layout.items[row.item]!;
    const before = itemBytes(plan, item, plan.beforeBytes);
    const after = itemBytes(plan, item, plan.afterBytes);
    const h = Math.max(1, row.height - 2);
    const bar = svg("g", {}, strip);
    bar.dataset.item = String(row.item);
    const y = row.y + 1;
    svg(
      "rect",
      { x: GAP, y, width: sx(before) - GAP, height: h, class: "tessera-chunk-plan-before" },
      bar,
    );
    svg(
      "rect",
      { x: GAP, y, width: sx(after) - GAP, height: h, fill: memoryColor(after / top, dark) },
      bar,
    );
  }
  const b = sx(plan.budgetBytes);
  const line = { x1: b, x2: b, y1: 0, y2: layout.height, class: "tessera-chunk-plan-budget-line" };
  svg("line", line, strip);
  // The label stays inside the strip however close the line is to an edge.
  const x = Math.max(48, Math.min(b, width - 48));
  const label = svg(
    "text",
    { x, y: layout.height + 12, "text-anchor": "middle", class: "tessera-chunk-plan-budget-label" },
    strip,
  );
  label.textContent = `budget ${formatBytes(plan.budgetBytes)}`;
  const caption = svg(
    "text",
    { x: GAP, y: layout.height + 26, class: "tessera-chunk-plan-caption" },
    strip,
  );
  caption.textContent = "grey: before · colour: after";
  return canvas;
}
