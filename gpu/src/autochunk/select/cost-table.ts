import { tensorBytes } from "../ir/dtype.js";
import type { Graph, Node } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import type { Op } from "../ir/op.js";
import { SOURCE_OPS } from "../ir/op.js";
import { numel } from "../ir/shape.js";
import { planEinsum } from "../ops/einsum-spec.js";
import { aliasOf, flopsOf, workspaceBytesOf } from "../ops/registry.js";

/** A measured throughput: `perSecond` units per second at a problem of `size`. */
export type RatePoint = readonly [size: number, perSecond: number];

/**
 * What one backend's time costs, measured (calibrate.ts) or given (tests): the speed model of
 * chunk selection. Times are predicted as fixed overheads plus work over a size-dependent rate,
 * so small chunks pay both more iterations and lower kernel efficiency.
 */
export interface CostTable {
  readonly backend: string;
  /** Seconds one chunk-loop iteration costs beyond its body's nodes (slicing, running a body). */
  readonly iterationSeconds: number;
  /** Seconds each executed node costs beyond its arithmetic (scheduling, allocation, release). */
  readonly dispatchSeconds: number;
  /** FLOP/s of contractions (linear, matmul, einsum, conv2d) by GEMM rows per call. */
  readonly gemm: readonly RatePoint[];
  /** FLOP/s of the other arithmetic ops (elementwise, norms, reductions) by output elements. */
  readonly stream: readonly RatePoint[];
  /** Bytes/s of copies (layout ops, non-contiguous slices, writing chunks back) by bytes. */
  readonly copy: readonly RatePoint[];
}

/**
 * The rate at `size`, interpolated linearly in log(size) between measured points and clamped to
 * the first and last.
 *
 * @example
 * rateAt([[1, 1e9], [100, 3e9]], 10); // 2e9
 */
export function rateAt(points: readonly RatePoint[], size: number): number {
  const first = points[0];
  if (first === undefined) throw new RangeError("rateAt: a rate table needs at least one point");
  if (size <= first[0]) return first[1];
  for (let i = 1; i < points.length; i++) {
    const [s1, r1] = points[i]!;
    if (size > s1) continue;
    const [s0, r0] = points[i - 1]!;
    const t = Math.log(size / s0) / Math.log(s1 / s0);
    return r0 + t * (r1 - r0);
  }
  return points[points.length - 1]![1];
}

/** Rows of the GEMM each contraction runs per call: what its efficiency depends on. */
const GEMM_ROWS: { readonly [O in Op]?: (node: Node, graph: Graph) => number } = {
  linear: (node) => numel(node.shape) / node.shape[node.shape.length - 1]!,
  matmul: (node) => node.shape[node.shape.length - 2]!,
  einsum: (node, graph) => {
    const [a, b] = node.inputs.map((id) => graph.nodes[id]!.shape);
    return planEinsum((node.attrs as { spec: string }).spec, a!, b!).m;
  },
  conv2d: (node) => node.shape[2]! * node.shape[3]!,
};

/**
 * Predicted seconds of one node: nothing for sources, a dispatch for views, and dispatch plus
 * work over the measured rate otherwise; a chunk loop costs its iterations, their bodies, the
 * slices it copies and the results it writes back.
 *
 * @example
 * nodeSeconds(graph, graph.nodes[13]!, table); // e.g. 2.1e-4
 */
export function nodeSeconds(graph: Graph, node: Node, table: CostTable): number {
  if (SOURCE_OPS.has(node.op)) return 0;
  if (aliasOf(node) !== null) return table.dispatchSeconds;
  if (node.op === "chunk_loop") {
    const { body, tail, length, chunkSize } = node.attrs;
    const full = Math.floor(length / chunkSize);
    const iterations = Math.ceil(length / chunkSize);
    const copied = iterations * workspaceBytesOf(graph, node) + outputBytes(node);
    return (
      table.dispatchSeconds +
      iterations * table.iterationSeconds +
      full * graphSeconds(body, table) +
      (tail === null ? 0 : graphSeconds(tail, table)) +
      copied / rateAt(table.copy, copied / iterations)
    );
  }
  const flops = flopsOf(graph, node);
  const rows = GEMM_ROWS[node.op];
  if (rows !== undefined)
    return table.dispatchSeconds + flops / rateAt(table.gemm, rows(node, graph));
  if (flops > 0) return table.dispatchSeconds + flops / rateAt(table.stream, numel(node.shape));
  const bytes = outputBytes(node);
  return table.dispatchSeconds + bytes / rateAt(table.copy, bytes);
}

function outputBytes(node: Node): number {
  return nodeOutputs(node).reduce((sum, t) => sum + tensorBytes(t), 0);
}

/**
 * Predicted seconds of a whole graph (the sum over its nodes).
 *
 * @example
 * graphSeconds(chunked, table) / graphSeconds(graph, table); // predicted slowdown
 */
export function graphSeconds(graph: Graph, table: CostTable): number {
  let seconds = 0;
  for (const node of graph.nodes) seconds += nodeSeconds(graph, node, table);
  return seconds;
}
