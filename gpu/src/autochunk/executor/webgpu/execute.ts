/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../../../device/backend.js";
import type { TrackedBuffer } from "../../../device/webgpu/buffers.js";
import { pipelineFor } from "../../../device/webgpu/pipelines.js";
import { MemoryTracker } from "../../../memory/tracker.js";
import type { StoragePlan } from "../../estimate/storage.js";
import { planStorage } from "../../estimate/storage.js";
import { describeNode } from "../../ir/format.js";
import type { Graph, Node } from "../../ir/graph.js";
import { validate } from "../../ir/validate.js";
import { aliasOf, workspaceBytesOf } from "../../ops/registry.js";
import type { ExecuteOptions, ExecuteResult, Feeds } from "../execute.js";
import type { KernelOp } from "../kernels/table.js";
import { feedsInOrder, runPeak } from "../feeds.js";
import type { GpuKernel, GpuKernelContext, GpuSubgraphResult } from "./kernel.js";
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

/**
 * Runs `graph` on a WebGPU device with the CPU executor's contract (executor/execute.ts): every
 * activation (node output, kernel workspace, copied loop slice) is a device buffer allocated
 * through the tracked allocator into `options.memory`, labelled with the node's name and op, and
 * released right after its last reader by the shared storage plan, so the measured peak equals
 * estimateMemory's. Views (reshape, get_item, contiguous loop slices) are element offsets into
 * their source's buffer. Kernels are recorded many nodes per command buffer; the signal is
 * checked between nodes and batches. Inputs, parameters, uniform blocks and readback buffers
 * are device buffers too, recorded in `backend.memory` (they are not activations). Outputs are
 * read back and released from the tracker as they are handed over.
 *
 * @example
 * const { outputs, peakBytes, events } = await executeWebGpu(gpu, graph, { x: tensor([1, 4], data) });
 * peakBytes === estimateMemory(graph).peakBytes; // true
 */
export async function executeWebGpu(
  backend: WebGpuBackend,
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  validate(graph);
  const feeds = feedsInOrder(graph, inputs, "executeWebGpu");
  options.signal?.throwIfAborted();
  const memory = options.memory ?? new MemoryTracker();
  const first = memory.events.length;
  const rt = openRuntime(backend, memory, options.signal);
  try {
    const fed = feeds.map((t, i) => upload(rt, t, graph.nodes[graph.inputs[i]!]!, "input"));
    const result = await runGraph(graph, fed, rt, "");
    try {
      await flush(rt);
      await rt.inFlight;
      await raiseFailedChecks(rt);
      const outputs = await Promise.all(result.outputs.map((t) => download(backend, t)));
      result.release();
      const events = memory.events.slice(first);
      return { outputs, memory, events, peakBytes: runPeak(events) };
    } catch (e) {
      result.release();
      throw e;
    }
  } finally {
    closeRuntime(rt);
  }
}

// A loop body runs once per iteration; plan it once.
const plans = new WeakMap<Graph, StoragePlan>();

/** Runs `graph`; allocations are labelled `prefix` + node name (a loop body's get "loop/"). */
async function runGraph(
  graph: Graph,
  feeds: readonly GpuTensor[],
  rt: Runtime,
  prefix: string,
): Promise<GpuSubgraphResult> {
  const plan = plans.get(graph) ?? planStorage(graph);
  plans.set(graph, plan);
  const values: ((GpuTensor | undefined)[] | undefined)[] = [];
  const allocation = new Map<number, TrackedBuffer>();
  // Who reads each storage: (node, output) pairs; a release drops just those outputs.
  const holders = plan.storages.map(() => [] as [number, number][]);
  plan.storageOf.forEach((ids, node) =>
    ids.forEach((s, output) => holders[s]!.push([node, output])),
  );
  const release = (s: number) => {
    const buffer = allocation.get(s);
    if (buffer === undefined) return;
    free(rt, buffer);
    allocation.delete(s);
    for (const [node, output] of holders[s]!) {
      const v = values[node];
      if (v) v[output] = undefined;
    }
  };
  const read = (id: number, output = 0) => values[id]![output]!;
  try {
    for (const node of graph.nodes) {
      await checkpoint(rt);
      values[node.id] = await runNode(node);
      for (const s of plan.releasedAfter[node.id]!) release(s);
    }
  } catch (e) {
    for (const s of [...allocation.keys()]) release(s);
    throw e;
  }
  const outputs = graph.outputs.map((id) => read(id));
  const kept = graph.outputs.map((id) => plan.storageOf[id]![0]!);
  return { outputs, release: () => kept.forEach(release) };

  async function runNode(node: Node): Promise<GpuTensor[]> {
    if (node.op === "input") return [feeds[graph.inputs.indexOf(node.id)]!];
    if (node.op === "param") return [param(rt, node)];
    const alias = aliasOf(node);
    if (alias !== null) {
      const source = read(node.inputs[alias.input]!, alias.output);
      return [viewOf(source, 0, node.shape, node.dtype)];
    }
    const label = prefix + node.name;
    const outputs = plan.allocatedAt[node.id]!.map((s) => {
      const t = allocate(rt, plan.storages[s]!.type, label, node.op);
      allocation.set(s, t.buffer);
      return t;
    });
    const scratch: TrackedBuffer[] = [];
    try {
      const kernel = webgpuKernels[node.op as KernelOp] as GpuKernel<Node["op"]>;
      await kernel(context(node, label, outputs, scratch));
      const used = scratch.reduce((sum, b) => sum + b.bytes, 0);
      const want = workspaceBytesOf(graph, node);
      if (used !== want) {
        throw new Error(
          `executeWebGpu: the ${node.op} kernel used ${used} bytes of workspace, the registry ` +
            `says ${want}; the estimate would be wrong (fix the kernel or the rule)`,
        );
      }
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) {
        throw new (e.constructor as RangeErrorConstructor)(
          `executeWebGpu: ${describeNode(node, graph)}: ${e.message}`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      for (const b of scratch) free(rt, b);
    }
    return outputs;
  }

  function context(
    node: Node,
    label: string,
    outputs: readonly GpuTensor[],
    scratch: TrackedBuffer[],
  ): GpuKernelContext<Node["op"]> {
    return {
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((id) => read(id)),
      outputs,
      maxWorkgroups: rt.backend.limits.maxComputeWorkgroupsPerDimension,
      scratch(shape, dtype = "f32") {
        const t = allocate(rt, { shape, dtype }, `${label}:workspace`, node.op);
        scratch.push(t.buffer);
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
      run: (body, xs) => runGraph(body, xs, rt, `${label}/`),
    };
  }
}
