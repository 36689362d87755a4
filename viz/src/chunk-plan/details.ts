import { formatBytes } from "../common/bytes.js";
import type { ChunkPlan } from "./decode.js";
import { regionLabel } from "./labels.js";

/**
 * What the widget shows for a clicked node: its name, op, type, the values it reads (with their
 * types: the input shapes), output bytes, live bytes
 * before and after chunking, its region, and why it is or is not chunked (the reason the
 * search recorded). Each value is text, in a `dd` marked with its field.
 *
 * @example
 * details.replaceChildren(nodeDetails(plan, 6)); // dd[data-field="why"]: "in chunk0: …"
 */
export function nodeDetails(plan: ChunkPlan, node: number): HTMLDListElement {
  const region = plan.region[node]!;
  const before = formatBytes(plan.beforeBytes[node]!);
  const after = formatBytes(plan.afterBytes[node]!);
  const rows: [string, string][] = [
    ["node", plan.name[node]!],
    ["op", plan.op[node]!],
    ["type", plan.type[node]!],
    ["reads", reads(plan, node)],
    ["output", formatBytes(plan.outputBytes[node]!)],
    ["live", `${before} before chunking, ${after} after`],
    ["region", region >= 0 ? regionLabel(plan.regions[region]!) : "none"],
    ["why", plan.reason[node]!],
  ];
  const list = document.createElement("dl");
  for (const [field, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = field;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.field = field;
    list.append(dt, dd);
  }
  return list;
}

/** "h0.attn.q f32[1,4,512,64], h0.attn.k f32[1,4,64,512]" (parameters are not in the plan). */
function reads(plan: ChunkPlan, node: number): string {
  const inputs = plan.inputs[node]!;
  return inputs.length === 0
    ? "no activations (a graph input, or parameters only)"
    : inputs.map((u) => `${plan.name[u]} ${plan.type[u]}`).join(", ");
}
