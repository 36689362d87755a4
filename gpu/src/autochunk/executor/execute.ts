import type { Graph, Node } from "../ir/graph.js";
import { materializeParam } from "../ir/param-init.js";
import type { Feeds } from "./feeds.js";
import type { Kernel } from "./kernels/kernel.js";
import type { KernelOp } from "./kernels/table.js";
import { cpuKernels, overwritesOutputs } from "./kernels/table.js";
import type { Tensor } from "./tensor.js";
import {
  allocateHeapBytes,
  allocateHeapTensor,
  copyOutOfHeap,
  heapGauge,
  releaseHeapBytes,
  releaseHeapTensor,
} from "./wasm/heap-tensors.js";
import { markParam } from "./wasm/resident-params.js";
import type { ExecuteOptions, ExecuteResult, ExecutorBackend } from "./walk.js";
import { walkGraph } from "./walk.js";

export type { Feeds } from "./feeds.js";
export type { ExecuteOptions, ExecuteResult } from "./walk.js";

/**
 * The CPU backend of the walk: activations in the wasm kernels' shared memory
 * (wasm/heap-tensors.ts), the kernels of `cpuKernels`.
 */
export const cpuExecutor: ExecutorBackend<Tensor, Uint8Array> = {
  name: "execute",
  kind: "cpu",
  feed: (t) => t,
  param: (node) => {
    const data = materializeParam(node.attrs.init, node.shape, node.dtype);
    // Generated values never change; a caller's own array (kind "data") may, so it is not kept.
    if (node.attrs.init.kind !== "data") markParam(data);
    return { data, shape: node.shape, dtype: node.dtype };
  },
  view: (source, type) => ({ data: source.data, shape: type.shape, dtype: type.dtype }),
  allocate: (type, _label, op) => allocateHeapTensor(type, !overwritesOutputs.has(op as KernelOp)),
  release: releaseHeapTensor,
  workspace: allocateHeapBytes,
  releaseWorkspace: releaseHeapBytes,
  run: ({ node, inputs, outputs, workspace, run }) => {
    const kernel = cpuKernels[node.op as KernelOp] as Kernel<Node["op"]>;
    return kernel({ node, attrs: node.attrs, inputs, outputs, workspace, run });
  },
  handOver: (outputs) => Promise.resolve(copyOutOfHeap(outputs)),
  gauge: heapGauge,
};

/**
 * Runs `graph` on the CPU through the executors' shared walk (walk.ts): every activation (node
 * output, kernel workspace, copied loop slice) is zeroed where its kernel does not write it whole
 * (kernels/table.ts, overwritesOutputs), recorded in
 * `options.memory`, labelled with the node's name and op, and released right after its last
 * reader, so the measured `peakBytes` equals `estimateMemory(graph).peakBytes`. `resident` is
 * the peak of Node's own ArrayBuffer count plus the wasm heap's blocks in use over the run, for
 * comparison (resident.ts, wasm/heap-tensors.ts).
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
