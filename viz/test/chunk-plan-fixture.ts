/**
 * Synthetic chunk-plan payloads for viz's tests and the widget benchmark: a GPT-like program
 * of `layers` blocks (attention with a chunked region around the scores, an MLP, residual
 * adds), built as the kernel would send it but without gpu/ (viz depends on no package).
 */
import { pack } from "../src/common/packed.js";
import type { ChunkPlanPayload, ChunkPlanRegion } from "../src/chunk-plan/types.js";

const MIB = 2 ** 20;
/** Ops of one layer: [name, op, reads (relative: -k is k nodes back; "res" the layer's input)]. */
const LAYER: readonly [string, string, readonly (number | "res")[]][] = [
  ["ln_1.layer_norm", "layer_norm", ["res"]],
  ["attn.qkv.linear", "linear", [-1]],
  ["attn.q", "slice", [-1]],
  ["attn.k", "slice", [-2]],
  ["attn.v", "slice", [-3]],
  ["attn.matmul", "matmul", [-3, -2]],
  ["attn.scale", "scale", [-1]],
  ["attn.softmax", "softmax", [-1]],
  ["attn.matmul_1", "matmul", [-1, -4]],
  ["attn.proj.linear", "linear", [-1]],
  ["add", "add", ["res", -1]],
  ["mlp.fc1.linear", "linear", [-1]],
  ["mlp.gelu", "gelu", [-1]],
  ["mlp.fc2.linear", "linear", [-1]],
  ["add_1", "add", [-4, -1]],
];
/** Where the region sits in a layer: matmul … matmul_1. */
const REGION = [5, 8] as const;

/**
 * A plan of 1 input node + `layers` × 15 nodes, the attention scores chunked in every layer.
 * `label` replaces the first layer's first name (to test hostile names).
 *
 * @example
 * chunkPlanFixture({ layers: 2 }).nodes.name.length; // 31
 */
export function chunkPlanFixture(options: { layers: number; label?: string }): ChunkPlanPayload {
  const { layers } = options;
  const name = ["input_ids"];
  const op = ["input"];
  const type = ["i32[1,512]"];
  const edges: number[] = [];
  const before = [0];
  const after = [0];
  const output = [0];
  const region = [0];
  const regions: ChunkPlanRegion[] = [];
  let res = 0;
  for (let l = 0; l < layers; l++) {
    const base = name.length;
    LAYER.forEach(([n, o, reads], k) => {
      const id = name.length;
      name.push(`h${l}.${n}`);
      op.push(o);
      const scores = k >= REGION[0] && k < REGION[1];
      type.push(scores ? "f32[1,4,512,512]" : "f32[1,512,256]");
      output.push(scores ? 4 * MIB : 0.5 * MIB);
      const b = (scores ? 12 : 3) * MIB + (l % 3) * 0.25 * MIB;
      before.push(b);
      const inRegion = k >= REGION[0] && k <= REGION[1];
      after.push(inRegion ? Math.min(b, 4 * MIB) : b);
      region.push(inRegion ? regions.length + 1 : 0);
      for (const r of reads) edges.push(r === "res" ? res : id + r, id);
    });
    regions.push({
      loop: `chunk${l}`,
      start: base + REGION[0],
      end: base + REGION[1],
      dim: 2,
      length: 512,
      chunkSize: 128,
      iterations: 4,
      bodyNodes: REGION[1] - REGION[0] + 1,
      hoistedNodes: 0,
      peakBytes: { before: 12 * MIB, after: 4 * MIB },
      seconds: { before: 0.01, after: 0.011 },
    });
    res = name.length - 1;
  }
  if (options.label !== undefined) name[1] = options.label;
  const lines = ["def chunked(input_ids: i32[1,512]):"];
  const line = name.map((n, i) => {
    if (i === 0) return 1;
    const r = region[i]! - 1;
    if (r >= 0 && regions[r]!.start === i)
      lines.push(`  # ${regions[r]!.loop}: 512 in chunks of 128`, `  for i in range(0, 512, 128):`);
    lines.push(`${r >= 0 ? "    " : "  "}${n} = ${op[i]}(…)  # ${type[i]}`);
    return lines.length;
  });
  lines.push(`  return ${name[name.length - 1]}`);
  const peak = (xs: number[]) => xs.indexOf(Math.max(...xs));
  return {
    version: 1,
    title: `fixture, ${layers} layers`,
    budgetBytes: 5 * MIB,
    minimumBytes: 3.5 * MIB,
    peakBytes: { before: Math.max(...before), after: Math.max(...after) },
    peakNode: { before: peak(before), after: peak(after) },
    nodes: {
      name,
      op,
      type,
      reason: name.map((_, i) =>
        region[i]! > 0
          ? `in chunk${region[i]! - 1}: sliced along dim 2`
          : "not chunked: within the budget",
      ),
      outputBytes: pack("f32", Float32Array.from(output)),
      beforeBytes: pack("f32", Float32Array.from(before)),
      afterBytes: pack("f32", Float32Array.from(after)),
      region: pack("u16", Uint16Array.from(region)),
      line: pack("u32", Uint32Array.from(line)),
    },
    edges: pack("u32", Uint32Array.from(edges)),
    regions,
    pseudocode: lines.join("\n"),
  };
}
