import { tensorBytes } from "../ir/dtype.js";
import type { Graph, Node, NodeOf } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import type { Op } from "../ir/op.js";
import { SOURCE_OPS } from "../ir/op.js";
import { isContiguousSlice, numel } from "../ir/shape.js";
import { chunkShape } from "../ops/control.js";
import { batchIsUnitStride, type EinsumPlan, planEinsum } from "../ops/einsum-spec.js";
import { aliasOf, flopsOf } from "../ops/registry.js";
import { convGeometry } from "../ops/spatial.js";

/** A measured throughput: `perSecond` units per second at a problem of `size`. */
export type RatePoint = readonly [size: number, perSecond: number];

/**
 * What one backend's time costs, measured (calibrate.ts) or given (tests): the speed model of
 * chunk selection. Times are predicted as fixed overheads plus work over a size-dependent rate,
 * so small chunks pay both more iterations and lower kernel efficiency.
 */
export interface CostTable {
  readonly backend: string;
  /** Seconds one chunk-loop iteration costs beyond its body's nodes and copies (running a body). */
  readonly iterationSeconds: number;
  /** Seconds each executed node costs beyond its arithmetic (scheduling, allocation, release). */
  readonly dispatchSeconds: number;
  /** FLOP/s of contractions (linear, matmul, einsum, conv2d) by GEMM rows per call. */
  readonly gemm: readonly RatePoint[];
  /** FLOP/s of the arithmetic ops `ops` does not list, by output elements. */
  readonly stream: readonly RatePoint[];
  /**
   * Bytes/s of copies by the bytes of each contiguous run they copy (a row of a slice, a chunk
   * written back into a loop's output): short runs pay a fixed cost each, so the rate falls
   * with them.
   */
  readonly copy: readonly RatePoint[];
  /** Per op, FLOP/s by output elements, measured on that op's own kernel (else `stream`). */
  readonly ops?: { readonly [O in Op]?: readonly RatePoint[] };
  /**
   * Elements/s of copies made one element at a time (a permute that moves the last dim, the
   * conv's im2col, upsampling); absent: `copy` at 4-byte runs.
   */
  readonly gatherPerSecond?: number;
  /**
   * Elements/s of the CPU einsum's batch gathers (batchGatherElements: 4 × 4 register
   * transposes in wasm); absent: `gatherPerSecond`.
   */
  readonly batchGatherPerSecond?: number;
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

/** Seconds to copy `bytes` in contiguous runs of `runBytes` each. */
function copySeconds(table: CostTable, bytes: number, runBytes: number): number {
  return bytes === 0 ? 0 : bytes / rateAt(table.copy, Math.max(runBytes, 1));
}

/** Seconds to copy `elements` one at a time (f32). */
function gatherSeconds(table: CostTable, elements: number): number {
  if (table.gatherPerSecond === undefined) return copySeconds(table, 4 * elements, 4);
  return elements / table.gatherPerSecond;
}

/** Seconds of a permute-like copy of `type` by `perm`: rows when the last dim stays, else elements. */
function permuteSeconds(table: CostTable, shape: readonly number[], perm: readonly number[]) {
  const last = shape.length - 1;
  const elements = numel(shape);
  if (last < 0 || perm[last] === last) {
    const inner = shape[last] ?? 1;
    return copySeconds(table, 4 * elements, 4 * inner);
  }
  return gatherSeconds(table, elements);
}

/** Contiguous runs of a tensor of `shape` cut along `dim`: one per index of the dims before. */
const runsAlong = (shape: readonly number[], dim: number) => numel(shape.slice(0, dim));

/** Rows of the GEMM each contraction runs per call: what its efficiency depends on. */
const GEMM_ROWS: { readonly [O in Op]?: (node: Node, graph: Graph) => number } = {
  linear: (node) => numel(node.shape) / node.shape[node.shape.length - 1]!,
  matmul: (node) => node.shape[node.shape.length - 2]!,
  einsum: (node, graph) => {
    const [a, b] = node.inputs.map((id) => graph.nodes[id]!.shape);
    return planEinsum((node.attrs as { spec: string }).spec, a!, b!).m;
  },
  // The CPU conv is weights [cout, cin·kh·kw] times im2col [cin·kh·kw, pixels]: cout rows.
  conv2d: (node) => node.shape[1]!,
};

/**
 * Columns of B per gathered block of the CPU's batch-blocked einsum: the kernel module's
 * GEMM_BATCH_COLUMNS, which a test checks (this module stays free of the WebAssembly runtime).
 */
export const BATCH_BLOCK_COLUMNS = 128;

/**
 * Elements an in-place einsum whose batch is every operand's unit-stride dim gathers: its CPU
 * kernel transposes blocks of batches into contiguous matrices, A once per block of
 * BATCH_BLOCK_COLUMNS output columns, B once, the product back once; 0 for other einsums.
 *
 * @example
 * batchGatherElements(planEinsum("ikc,jkc->ijc", [32, 256, 64], [256, 256, 64])); // 5,767,168
 */
export function batchGatherElements(plan: EinsumPlan): number {
  const { batch, m, n, k, inPlace } = plan;
  if (inPlace === null || !batchIsUnitStride(batch, inPlace)) return 0;
  const passes = Math.ceil(n / BATCH_BLOCK_COLUMNS);
  return batch * (m * k * passes + k * n + m * n);
}

/**
 * Seconds an einsum spends in its batch gathers (batchGatherElements) at the measured
 * `batchGatherPerSecond`, else at the rate of a transposing permute. In a chunk loop the
 * unsliced operand pays this every iteration.
 */
function batchGatherSeconds(table: CostTable, plan: EinsumPlan): number {
  const elements = batchGatherElements(plan);
  if (elements === 0) return 0;
  const rate = table.batchGatherPerSecond;
  return rate === undefined ? gatherSeconds(table, elements) : elements / rate;
}

/**
 * Seconds a CPU contraction spends outside its GEMM: an einsum whose letter groups are evenly
 * strided runs in place (no copy, but gathers when its batch is innermost); another permutes its
 * operands (and the product) into its workspace; a conv unfolds each image (im2col, one element
 * at a time) into its workspace, then adds bias. Workspaces are in the kernels' heap, so the
 * wasm GEMM reads them where they are.
 */
function contractionCopySeconds(graph: Graph, node: Node, table: CostTable): number {
  const inputs = node.inputs.map((id) => graph.nodes[id]!);
  if (node.op === "einsum") {
    const [a, b] = inputs;
    const plan = planEinsum(node.attrs.spec, a!.shape, b!.shape);
    if (plan.inPlace !== null) return batchGatherSeconds(table, plan);
    let seconds = 0;
    const permuted = (shape: readonly number[], perm: readonly number[] | null) => {
      if (perm !== null) seconds += permuteSeconds(table, shape, perm);
    };
    permuted(a!.shape, plan.permA);
    permuted(b!.shape, plan.permB);
    permuted(plan.productShape, plan.permOut);
    return seconds;
  }
  if (node.op === "conv2d") {
    const [x, w, bias] = inputs;
    const { stride, padding } = node.attrs;
    const g = convGeometry(x!.shape, w!.shape, stride, padding);
    const unfold = g.n * gatherSeconds(table, g.colElements);
    return unfold + (bias === undefined ? 0 : gatherSeconds(table, numel(node.shape)));
  }
  return 0;
}

/**
 * Seconds of a copying op with no arithmetic (slice, concat, permute, upsample, embedding), by
 * the contiguous runs its CPU kernel copies; other such ops as one contiguous copy.
 */
function layoutSeconds(graph: Graph, node: Node, table: CostTable): number {
  const bytes = outputBytes(node);
  const input = graph.nodes[node.inputs[0]!];
  switch (node.op) {
    case "slice":
      return copySeconds(table, bytes, bytes / runsAlong(input!.shape, node.attrs.dim));
    case "concat":
      return copySeconds(
        table,
        bytes,
        bytes / (node.inputs.length * runsAlong(node.shape, node.attrs.dim)),
      );
    case "permute":
      return permuteSeconds(table, input!.shape, node.attrs.perm);
    case "upsample":
      return gatherSeconds(table, numel(node.shape));
    case "embedding":
      return copySeconds(table, bytes, 4 * node.shape[node.shape.length - 1]!);
    default:
      return copySeconds(table, bytes, bytes);
  }
}

/**
 * Seconds a chunk loop spends outside its bodies, per the CPU kernel (executor/kernels/
 * chunk-loop.ts): each iteration slices its chunked inputs (a view when contiguous, else a copy
 * of one run per index before the chunk dim into its workspace, in the kernels' heap, where the
 * body's readers use it) and writes each body output into the loop's output the same way.
 */
function loopCopySeconds(graph: Graph, node: NodeOf<"chunk_loop">, table: CostTable): number {
  const { tail, length, chunkSize, inputDims, outputDims } = node.attrs;
  const full = Math.floor(length / chunkSize);
  const perIteration = (size: number) => {
    let seconds = 0;
    node.inputs.forEach((id, j) => {
      const dim = inputDims[j];
      const { shape } = graph.nodes[id]!;
      if (dim === null || dim === undefined || isContiguousSlice(shape, dim)) return;
      const bytes = 4 * numel(chunkShape(shape, dim, size));
      seconds += copySeconds(table, bytes, bytes / runsAlong(shape, dim));
    });
    nodeOutputs(node).forEach((t, k) => {
      const dim = outputDims[k]!;
      const bytes = tensorBytes({ shape: chunkShape(t.shape, dim, size), dtype: t.dtype });
      seconds += copySeconds(table, bytes, bytes / runsAlong(t.shape, dim));
    });
    return seconds;
  };
  return (
    full * perIteration(chunkSize) + (tail === null ? 0 : perIteration(length - full * chunkSize))
  );
}

/**
 * Predicted seconds of one node: nothing for sources, a dispatch for views, and dispatch plus
 * work over the measured rate otherwise (a contraction's GEMM and the copies around it, an
 * arithmetic op at its own kernel's rate, a copy by its contiguous runs); a chunk loop costs
 * its iterations, their bodies, the slices it copies and the results it writes back.
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
    return (
      table.dispatchSeconds +
      iterations * table.iterationSeconds +
      full * graphSeconds(body, table) +
      (tail === null ? 0 : graphSeconds(tail, table)) +
      loopCopySeconds(graph, node, table)
    );
  }
  const flops = flopsOf(graph, node);
  const rows = GEMM_ROWS[node.op];
  if (rows !== undefined) {
    return (
      table.dispatchSeconds +
      flops / rateAt(table.gemm, rows(node, graph)) +
      contractionCopySeconds(graph, node, table)
    );
  }
  if (flops > 0) {
    const rates = table.ops?.[node.op] ?? table.stream;
    return table.dispatchSeconds + flops / rateAt(rates, numel(node.shape));
  }
  return table.dispatchSeconds + layoutSeconds(graph, node, table);
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
