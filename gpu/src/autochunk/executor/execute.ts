import type { MemoryEvent } from "../../memory/tracker.js";
import { MemoryTracker } from "../../memory/tracker.js";
import type { StoragePlan } from "../estimate/storage.js";
import { planStorage } from "../estimate/storage.js";
import { describeNode } from "../ir/format.js";
import type { Graph, Node } from "../ir/graph.js";
import { materializeParam } from "../ir/param-init.js";
import { validate } from "../ir/validate.js";
import { aliasOf, workspaceBytesOf } from "../ops/registry.js";
import { TensorAllocator } from "./allocator.js";
import type { Kernel, SubgraphResult } from "./kernels/kernel.js";
import type { KernelOp } from "./kernels/table.js";
import { cpuKernels } from "./kernels/table.js";
import type { Tensor } from "./tensor.js";
import { feedsInOrder, runPeak, type Feeds } from "./feeds.js";

/** Options of execute(). */
export interface ExecuteOptions {
  /** Records the run's activation allocations; a fresh tracker when absent. */
  readonly memory?: MemoryTracker;
  /** Checked between nodes (and loop iterations); aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The outputs of a run and its memory record. */
export interface ExecuteResult {
  /** In `graph.outputs` order. */
  readonly outputs: readonly Tensor[];
  /** The tracker the run recorded into. */
  readonly memory: MemoryTracker;
  /** This run's alloc/free events (the outputs' frees last, as they are handed over). */
  readonly events: readonly MemoryEvent[];
  /** The most activation bytes this run held at once (above what was live when it started). */
  readonly peakBytes: number;
}

export type { Feeds } from "./feeds.js";

interface Runtime {
  readonly allocator: TensorAllocator;
  readonly signal: AbortSignal | undefined;
  lastYield: number;
}

// Yield to the event loop this often, so an abort (a kernel interrupt) is delivered mid-run.
const YIELD_EVERY_MS = 20;

/**
 * Runs `graph` on the CPU. Every activation (node output, kernel workspace, copied loop slice)
 * is allocated through a TensorAllocator over `options.memory`, labelled with the node's name
 * and op, and released right after its last reader (estimate/storage.ts, the plan the estimator
 * replays). Views (reshape, get_item) share their source's buffer. Inputs and parameters are
 * not activations and are not recorded. Outputs are released from the tracker when the run
 * returns them.
 *
 * @example
 * const { outputs, peakBytes, events } = await execute(graph, { x: tensor([1, 4], data) });
 */
export async function execute(
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  validate(graph);
  const memory = options.memory ?? new MemoryTracker();
  const first = memory.events.length;
  const runtime: Runtime = {
    allocator: new TensorAllocator(memory),
    signal: options.signal,
    lastYield: performance.now(),
  };
  const result = await runGraph(graph, feedsInOrder(graph, inputs, "execute"), runtime, "");
  result.release();
  const events = memory.events.slice(first);
  return { outputs: result.outputs, memory, events, peakBytes: runPeak(events) };
}

async function checkpoint(runtime: Runtime): Promise<void> {
  runtime.signal?.throwIfAborted();
  if (performance.now() - runtime.lastYield < YIELD_EVERY_MS) return;
  await new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
  runtime.lastYield = performance.now();
  runtime.signal?.throwIfAborted();
}

// A loop body runs once per iteration; plan it once.
const plans = new WeakMap<Graph, StoragePlan>();

/** Runs `graph`; allocations are labelled `prefix` + node name (a loop body's get "loop/"). */
async function runGraph(
  graph: Graph,
  feeds: readonly Tensor[],
  runtime: Runtime,
  prefix: string,
): Promise<SubgraphResult> {
  const plan = plans.get(graph) ?? planStorage(graph);
  plans.set(graph, plan);
  const { allocator } = runtime;
  const values: ((Tensor | undefined)[] | undefined)[] = [];
  const allocation = new Map<number, number>();
  // Who reads each storage: (node, output) pairs; a release drops just those outputs.
  const holders = plan.storages.map(() => [] as [number, number][]);
  plan.storageOf.forEach((ids, node) =>
    ids.forEach((s, output) => holders[s]!.push([node, output])),
  );
  const release = (s: number) => {
    const a = allocation.get(s);
    if (a === undefined) return;
    allocator.free(a);
    allocation.delete(s);
    for (const [node, output] of holders[s]!) {
      const v = values[node];
      if (v) v[output] = undefined;
    }
  };
  const read = (id: number, output = 0) => values[id]![output]!;
  try {
    for (const node of graph.nodes) {
      await checkpoint(runtime);
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

  async function runNode(node: Node): Promise<Tensor[]> {
    if (node.op === "input") return [feeds[graph.inputs.indexOf(node.id)]!];
    if (node.op === "param") {
      const data = materializeParam(node.attrs.init, node.shape, node.dtype);
      return [{ data, shape: node.shape, dtype: node.dtype }];
    }
    const alias = aliasOf(node);
    if (alias !== null) {
      const source = read(node.inputs[alias.input]!, alias.output);
      return [{ data: source.data, shape: node.shape, dtype: node.dtype }];
    }
    const label = prefix + node.name;
    const outputs = plan.allocatedAt[node.id]!.map((s) => {
      const t = allocator.tensor(plan.storages[s]!.type, label, node.op);
      allocation.set(s, t.allocation);
      return t.value;
    });
    const bytes = workspaceBytesOf(graph, node);
    const workspace = bytes > 0 ? allocator.bytes(bytes, `${label}:workspace`, node.op) : null;
    try {
      const kernel = cpuKernels[node.op as KernelOp] as Kernel<Node["op"]>;
      await kernel({
        node,
        attrs: node.attrs,
        inputs: node.inputs.map((id) => read(id)),
        outputs,
        workspace: workspace?.value ?? new ArrayBuffer(0),
        run: (body, xs) => runGraph(body, xs, runtime, `${label}/`),
      });
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) {
        throw new (e.constructor as RangeErrorConstructor)(
          `execute: ${describeNode(node, graph)}: ${e.message}`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      if (workspace !== null) allocator.free(workspace.allocation);
    }
    return outputs;
  }
}
