import { unpack } from "../common/packed.js";
import type { ChunkPlanPayload, ChunkPlanRegion } from "./types.js";

/** A validated payload with its packed arrays unpacked: what the layout and renderers read. */
export interface ChunkPlan {
  readonly title: string | undefined;
  readonly budgetBytes: number;
  readonly minimumBytes: number | undefined;
  readonly peakBytes: { readonly before: number; readonly after: number };
  readonly peakNode: { readonly before: number; readonly after: number };
  readonly name: readonly string[];
  readonly op: readonly string[];
  readonly type: readonly string[];
  readonly reason: readonly string[];
  readonly outputBytes: Float32Array;
  readonly beforeBytes: Float32Array;
  readonly afterBytes: Float32Array;
  /** Per node: its region's index, or -1. */
  readonly region: Int32Array;
  /** Per node: its pseudocode line (1-based), or 0. */
  readonly line: Uint32Array;
  /** Per node: the nodes it reads. */
  readonly inputs: readonly (readonly number[])[];
  readonly regions: readonly ChunkPlanRegion[];
  readonly pseudocode: readonly string[];
  readonly message: string | undefined;
}

/**
 * Unpacks a valid payload (`validateChunkPlan`); throws a RangeError naming the field when a
 * packed array's text is not base64 or an edge names a node out of range.
 *
 * @example
 * const plan = decodeChunkPlan(payload);
 * plan.afterBytes[plan.peakNode.after]; // the chunked program's peak
 */
export function decodeChunkPlan(payload: ChunkPlanPayload): ChunkPlan {
  const { nodes } = payload;
  const n = nodes.name.length;
  const regionPlus = unpack(nodes.region as typeof nodes.region & { dtype: "u16" }, "nodes.region");
  const region = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = regionPlus[i]! - 1;
    if (r >= payload.regions.length) {
      throw new RangeError(`nodes.region[${i}]: region ${r} does not exist`);
    }
    region[i] = r;
  }
  const edges = unpack(payload.edges as typeof payload.edges & { dtype: "u32" }, "edges");
  const inputs: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < edges.length; k += 2) {
    const [from, to] = [edges[k]!, edges[k + 1]!];
    if (from >= to || to >= n) {
      throw new RangeError(
        `edges[${k / 2}]: ${from} → ${to} is not an edge between two nodes in program order`,
      );
    }
    inputs[to]!.push(from);
  }
  const f32 = (key: "outputBytes" | "beforeBytes" | "afterBytes") =>
    unpack(nodes[key] as (typeof nodes)[typeof key] & { dtype: "f32" }, `nodes.${key}`);
  return {
    title: payload.title,
    budgetBytes: payload.budgetBytes,
    minimumBytes: payload.minimumBytes,
    peakBytes: payload.peakBytes,
    peakNode: payload.peakNode,
    name: nodes.name,
    op: nodes.op,
    type: nodes.type,
    reason: nodes.reason,
    outputBytes: f32("outputBytes"),
    beforeBytes: f32("beforeBytes"),
    afterBytes: f32("afterBytes"),
    region,
    line: unpack(nodes.line as typeof nodes.line & { dtype: "u32" }, "nodes.line"),
    inputs,
    regions: payload.regions,
    pseudocode: payload.pseudocode.split("\n"),
    message: payload.message,
  };
}
