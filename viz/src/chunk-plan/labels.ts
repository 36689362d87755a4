import { formatBytes } from "../common/bytes.js";
import type { Block } from "./blocks.js";
import type { ChunkPlan } from "./decode.js";
import type { ChunkPlanRegion } from "./types.js";

/** Characters that fit a node box at the widget's 11 px font. */
const LABEL_CHARS = 25;

/** `text` cut to `max` characters with an ellipsis. */
function fit(text: string, max = LABEL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A node's label: its name without the block's scope (the block's cluster shows it), and its op. */
export function nodeLabel(plan: ChunkPlan, node: number): string {
  const name = plan.name[node]!;
  const dot = name.indexOf(".");
  const short = dot > 0 ? name.slice(dot + 1) : name;
  return fit(
    short === plan.op[node] || short.endsWith(`.${plan.op[node]}`)
      ? short
      : `${short} ${plan.op[node]}`,
  );
}

/** A collapsed block's label: "h3 ▸ 27 nodes". */
export function blockLabel(block: Block): string {
  return fit(`${block.label} ▸ ${block.end - block.start + 1} nodes`);
}

/** A region's caption: "chunk0 · dim 2 · 128 × 4 iterations". */
export function regionLabel(region: ChunkPlanRegion): string {
  return `${region.loop} · dim ${region.dim} · ${region.chunkSize} × ${region.iterations}`;
}

/** The plan in one line: "peak 102 MiB → 27.0 MiB (budget 30.6 MiB), 2 regions". */
export function planSummary(
  plan: Pick<ChunkPlan, "peakBytes" | "budgetBytes" | "regions">,
): string {
  const n = plan.regions.length;
  return (
    `peak ${formatBytes(plan.peakBytes.before)} → ${formatBytes(plan.peakBytes.after)} ` +
    `(budget ${formatBytes(plan.budgetBytes)}), ${n} region${n === 1 ? "" : "s"}`
  );
}
