/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../../../device/backend.js";
import type { TrackedBuffer } from "../../../device/webgpu/buffers.js";
import { pipelineFor } from "../../../device/webgpu/pipelines.js";
import { describeNode } from "../../ir/format.js";
import type { Graph, Node } from "../../ir/graph.js";
import type { Feeds } from "../feeds.js";
import type { KernelOp } from "../kernels/table.js";
import type { ExecuteOptions, ExecuteResult, ExecutorBackend, NodeRun } from "../walk.js";
import { walkGraph } from "../walk.js";
import type { GpuKernel, GpuKernelContext } from "./kernel.js";
import type { Runtime } from "./runtime.js";
import {
  allocate,
  checkFor,
  checkpoint,
  closeRuntime,
  download,
  flush,
  free,
  openRuntime,
  param,
  raiseFailedChecks,
  upload,
} from "./runtime.js";
import { webgpuKernels } from "./table.js";
import type { GpuTensor } from "./tensor.js";
import { viewOf } from "./tensor.js";

/** A kernel's workspace: `bytes` in all, handed out in parts by `scratch`. */
interface GpuWorkspace {
  readonly bytes: number;
  readonly label: string;
  readonly op: string;
  readonly parts: TrackedBuffer[];
}

/**
 * Runs `graph` on a WebGPU device through the executors' shared walk (executor/walk.ts), with
 * the CPU executor's contract: every activation (node output, kernel workspace, copied loop
 * slice) is a device buffer recorded in `options.memory` as the storage plan says, so the
 * measured peak equals `estimateMemory(graph, "webgpu")`'s. Views (reshape, get_item,
 * contiguous loop slices) are element offsets into their source's buffer. Kernels are recorded
 * many nodes per command buffer; the signal is checked between nodes. Outputs are read back and
 * then released. `resident` is the peak of the device buffers the run held by the run's own
 * ledger (inputs, parameters and uniform blocks included; a released buffer counts until it is
 * destroyed after its last submit).
 *
 * @example
 * const { outputs, peakBytes, events } = await executeWebGpu(gpu, graph, { x: tensor([1, 4], data) });
 * peakBytes === estimateMemory(graph, "webgpu").peakBytes; // true
 */
export async function executeWebGpu(
  backend: WebGpuBackend,
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const rt = openRuntime(backend);
  try {
    return await walkGraph(webgpuExecutor(rt), graph, inputs, options);
  } finally {
    closeRuntime(rt);
  }
}

/** The WebGPU backend of the walk, for one run. */
function webgpuExecutor(rt: Runtime): ExecutorBackend<GpuTensor, GpuWorkspace> {
  return {
    name: "executeWebGpu",
    kind: "webgpu",
    feed: (t, node) => upload(rt, t, node, "input"),
    param: (node) => param(rt, node),
    view: (source, type) => viewOf(source, 0, type.shape, type.dtype),
    allocate: (type, label, op) => allocate(rt, type, label, op),
    release: (t) => free(rt, t.buffer),
    workspace: (bytes, label, op) => ({ bytes, label, op, parts: [] }),
    releaseWorkspace: (w) => w.parts.forEach((b) => free(rt, b)),
    async run(r) {
      const kernel = webgpuKernels[r.node.op as KernelOp] as GpuKernel<Node["op"]>;
      await kernel(context(rt, r));
      const used = r.workspace.parts.reduce((sum, b) => sum + b.bytes, 0);
      if (used !== r.workspace.bytes) {
        throw new Error(
          `executeWebGpu: the ${r.node.op} kernel used ${used} bytes of workspace, the registry ` +
            `says ${r.workspace.bytes}; the estimate would be wrong (fix the kernel or the rule)`,
        );
      }
    },
    checkpoint: () => checkpoint(rt),
    async handOver(outputs) {
      await flush(rt);
      await rt.inFlight;
      await raiseFailedChecks(rt);
      return Promise.all(outputs.map((t) => download(rt.backend, t)));
    },
    // The ledger's own high-water mark, so a buffer alive between two samples is not missed.
    gauge: { source: "device buffers", read: () => rt.device.memory.peakBytes },
  };
}

function context(
  rt: Runtime,
  { graph, node, label, inputs, outputs, workspace, run }: NodeRun<GpuTensor, GpuWorkspace>,
): GpuKernelContext<Node["op"]> {
  return {
    node,
    attrs: node.attrs,
    inputs,
    outputs,
    maxWorkgroups: rt.backend.limits.maxComputeWorkgroupsPerDimension,
    scratch(shape, dtype = "f32") {
      const t = allocate(rt, { shape, dtype }, workspace.label, workspace.op);
      workspace.parts.push(t.buffer);
      return t;
    },
    async dispatch(source, tensors, workgroups, extras = []) {
      const pipeline = await pipelineFor(rt.backend, source);
      const buffers = tensors.map((t) => t.buffer.buffer);
      const params = [...tensors.map((t) => t.offset), ...extras];
      rt.batch.dispatch(pipeline, buffers, params, workgroups, label);
    },
    copy(src, dst, count) {
      rt.batch.copy(
        src.buffer.buffer,
        src.offset * 4,
        dst.buffer.buffer,
        dst.offset * 4,
        count * 4,
      );
    },
    check: (describe) =>
      checkFor(
        rt,
        node,
        (v, p) => `executeWebGpu: ${describeNode(node, graph)}: ${describe(v, p)}`,
      ),
    run,
  };
}
