import { typedArray } from "../ir/dtype.js";
import type { Graph, Node } from "../ir/graph.js";
import { materializeParam } from "../ir/param-init.js";
import { numel } from "../ir/shape.js";
import type { Feeds } from "./feeds.js";
import type { Kernel } from "./kernels/kernel.js";
import type { KernelOp } from "./kernels/table.js";
import { cpuKernels } from "./kernels/table.js";
import type { ResidentGauge } from "./resident.js";
import type { Tensor } from "./tensor.js";
import type { ExecuteOptions, ExecuteResult, ExecutorBackend } from "./walk.js";
import { walkGraph } from "./walk.js";

export type { Feeds } from "./feeds.js";
export type { ExecuteOptions, ExecuteResult } from "./walk.js";

// Node counts every ArrayBuffer's backing store here, garbage not yet collected included; a
// browser has no such count.
const memoryUsage = (
  globalThis as { process?: { memoryUsage?: () => { readonly arrayBuffers: number } } }
).process?.memoryUsage;
const arrayBuffers: ResidentGauge | null =
  memoryUsage === undefined
    ? null
    : { source: "process.memoryUsage().arrayBuffers", read: () => memoryUsage().arrayBuffers };

/** The CPU backend of the walk: zeroed typed arrays, the kernels of `cpuKernels`. */
export const cpuExecutor: ExecutorBackend<Tensor, ArrayBuffer> = {
  name: "execute",
  kind: "cpu",
  feed: (t) => t,
  param: (node) => ({
    data: materializeParam(node.attrs.init, node.shape, node.dtype),
    shape: node.shape,
    dtype: node.dtype,
  }),
  view: (source, node) => ({ data: source.data, shape: node.shape, dtype: node.dtype }),
  allocate: (type) => ({
    data: typedArray(type.dtype, numel(type.shape)),
    shape: type.shape,
    dtype: type.dtype,
  }),
  // The garbage collector reclaims the array once the walk drops its last reference.
  release: () => undefined,
  workspace: (bytes) => new ArrayBuffer(bytes),
  releaseWorkspace: () => undefined,
  run: ({ node, inputs, outputs, workspace, run }) => {
    const kernel = cpuKernels[node.op as KernelOp] as Kernel<Node["op"]>;
    return kernel({ node, attrs: node.attrs, inputs, outputs, workspace, run });
  },
  handOver: (outputs) => Promise.resolve([...outputs]),
  gauge: arrayBuffers,
};

/**
 * Runs `graph` on the CPU through the executors' shared walk (walk.ts): every activation (node
 * output, kernel workspace, copied loop slice) is a zeroed typed array recorded in
 * `options.memory`, labelled with the node's name and op, and released right after its last
 * reader, so the measured `peakBytes` equals `estimateMemory(graph).peakBytes`. `resident` is
 * the peak of Node's own ArrayBuffer count over the run, for comparison (resident.ts).
 *
 * @example
 * const { outputs, peakBytes, events } = await execute(graph, { x: tensor([1, 4], data) });
 */
export function execute(
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  return walkGraph(cpuExecutor, graph, inputs, options);
}
