import type { MemoryEvent } from "../../memory/tracker.js";
import { MemoryTracker } from "../../memory/tracker.js";
import type { StoragePlan } from "../estimate/storage.js";
import { planStorage } from "../estimate/storage.js";
import type { TensorType } from "../ir/dtype.js";
import { describeNode } from "../ir/format.js";
import type { Graph, Node, NodeOf } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import { validate } from "../ir/validate.js";
import type { ExecutorKind } from "../ops/rule.js";
import { aliasOf, workspaceBytesOf } from "../ops/registry.js";
import { feedsInOrder, runPeak, type Feeds } from "./feeds.js";
import type { ResidentGauge, ResidentPeak } from "./resident.js";
import { ResidentSampler } from "./resident.js";
import type { Tensor } from "./tensor.js";

/** Options of an executor run (execute, executeWebGpu, plan.run). */
export interface ExecuteOptions {
  /** Records the run's activation allocations; a fresh tracker when absent. */
  readonly memory?: MemoryTracker;
  /** Checked between nodes (and loop iterations); aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Sample the backend's own memory count for `resident` (default false: a CPU sample costs
   * about 25 µs, Node's process.memoryUsage, one per kernel, which would bias timings of
   * programs with many small kernels, such as chunked ones).
   */
  readonly measureResident?: boolean;
}

/** The outputs of a run and its memory record. */
export interface ExecuteResult {
  /** In `graph.outputs` order, on the host. */
  readonly outputs: readonly Tensor[];
  /** The tracker the run recorded into. */
  readonly memory: MemoryTracker;
  /** This run's alloc/free events (the outputs' frees last, as they are handed over). */
  readonly events: readonly MemoryEvent[];
  /** The most activation bytes this run held at once (above what was live when it started). */
  readonly peakBytes: number;
  /**
   * The peak by the backend's own count, independent of the storage plan (resident.ts); null
   * unless `measureResident` asked for it, or where the backend has no such count (the CPU
   * executor in a browser).
   */
  readonly resident: ResidentPeak | null;
}

/** What running a (sub)graph gives back: its outputs, held until `release()`. */
export interface SubgraphResult<T> {
  readonly outputs: readonly T[];
  /** Releases the outputs' storage (after the caller has copied them). */
  release(): void;
}

/** One node's kernel call: everything allocated, nothing to allocate. */
export interface NodeRun<T, W> {
  readonly graph: Graph;
  readonly node: Node;
  /** The label of the node's allocations (a loop body's nodes carry the loop's name first). */
  readonly label: string;
  readonly inputs: readonly T[];
  /** Allocated by `allocate`, in the node's output order. */
  readonly outputs: readonly T[];
  /** Exactly the registry's workspaceBytes for the node on this backend. */
  readonly workspace: W;
  /** Runs a subgraph (a chunk loop body) through the same walk: same tracker, signal, samples. */
  readonly run: (body: Graph, inputs: readonly T[]) => Promise<SubgraphResult<T>>;
}

/**
 * What an executor implements; the walk (walkGraph) does the rest. `T` is the backend's tensor
 * (where its bytes live is the backend's business: typed arrays, device buffers, a shared
 * WebAssembly.Memory); `W` its kernel workspace. The walk records every activation and
 * workspace in the MemoryTracker exactly as the storage plan and the registry say, so a backend
 * never touches the tracker; it allocates and releases when the walk tells it to.
 */
export interface ExecutorBackend<T, W> {
  /** Names the executor in error messages ("execute", "executeWebGpu"). */
  readonly name: string;
  /** Which registry workspace sizes its kernels use (ops/rule.ts). */
  readonly kind: ExecutorKind;
  /** The backend's copy of a checked graph input (not an activation: untracked). */
  feed(t: Tensor, node: Node): T;
  /** The value of a parameter (not an activation: untracked). */
  param(node: NodeOf<"param">): T;
  /**
   * `source` seen as `type` without a copy (reshape, get_item, a chunk loop's output written over
   * its input).
   */
  view(source: T, type: TensorType): T;
  /** Storage for one activation of `type` (tracked by the walk as `label`, `op`). */
  allocate(type: TensorType, label: string, op: string): T;
  /** Gives back what `allocate` returned; no later kernel reads it (it may be in flight). */
  release(t: T): void;
  /** Scratch of exactly `bytes` for one kernel call (0: none needed). */
  workspace(bytes: number, label: string, op: string): W;
  releaseWorkspace(w: W): void;
  /** Runs the node's kernel, filling `run.outputs` (or recording the work that will). */
  run(run: NodeRun<T, W>): void | Promise<void>;
  /** Between nodes, after the abort check: e.g. submit recorded work. */
  checkpoint?(): Promise<void>;
  /** Finishes all work and copies the graph's outputs to the host; the walk then releases them. */
  handOver(outputs: readonly T[]): Promise<Tensor[]>;
  /** The backend's own count of bytes held, sampled for the resident peak; null: none. */
  readonly gauge: ResidentGauge | null;
}

// Yield to the event loop this often, so an abort (a kernel interrupt) is delivered mid-run.
const YIELD_EVERY_MS = 20;

// A loop body runs once per iteration; plan it once.
const plans = new WeakMap<Graph, StoragePlan>();

function planOf(graph: Graph): StoragePlan {
  let plan = plans.get(graph);
  if (plan === undefined) plans.set(graph, (plan = planStorage(graph)));
  return plan;
}

/** The state one top-level run shares with the subgraphs it runs. */
interface Walk<T, W> {
  readonly backend: ExecutorBackend<T, W>;
  readonly memory: MemoryTracker;
  readonly signal: AbortSignal | undefined;
  readonly sampler: ResidentSampler | null;
  lastYield: number;
}

/**
 * Runs `graph` on `backend`: the one walk both executors share, so "estimate = measured" holds
 * in one place. Every activation (node output, kernel workspace, copied loop slice) is recorded
 * in `options.memory` labelled with the node's name and op, allocated just before its node and
 * released right after its last reader by the storage plan the estimator replays
 * (estimate/storage.ts); views share their source's storage; inputs and parameters are not
 * activations. The signal is checked between nodes (and so between loop iterations), with a
 * yield to the event loop every 20 ms; on abort or error everything held is released. The
 * outputs are handed over to the host, then released (the last events of the run).
 *
 * @example
 * const result = await walkGraph(cpuExecutor, graph, { x: tensor([1, 4], data) });
 */
export async function walkGraph<T, W>(
  backend: ExecutorBackend<T, W>,
  graph: Graph,
  inputs: Feeds,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  validate(graph);
  const tensors = feedsInOrder(graph, inputs, backend.name);
  options.signal?.throwIfAborted();
  const memory = options.memory ?? new MemoryTracker();
  const first = memory.events.length;
  const measure = options.measureResident ?? false;
  const sampler = backend.gauge === null || !measure ? null : new ResidentSampler(backend.gauge);
  const walk: Walk<T, W> = {
    backend,
    memory,
    signal: options.signal,
    sampler,
    lastYield: performance.now(),
  };
  let outputs: Tensor[];
  try {
    const feeds = tensors.map((t, i) => backend.feed(t, graph.nodes[graph.inputs[i]!]!));
    const result = await runGraph(walk, graph, feeds, "");
    try {
      outputs = await backend.handOver(result.outputs);
    } finally {
      result.release();
    }
  } catch (e) {
    sampler?.stop(0);
    throw e;
  }
  const events = memory.events.slice(first);
  const peakBytes = runPeak(events);
  return { outputs, memory, events, peakBytes, resident: sampler?.stop(peakBytes) ?? null };
}

async function checkpoint<T, W>(walk: Walk<T, W>): Promise<void> {
  walk.signal?.throwIfAborted();
  await walk.backend.checkpoint?.();
  if (performance.now() - walk.lastYield < YIELD_EVERY_MS) return;
  await new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
  walk.lastYield = performance.now();
  walk.signal?.throwIfAborted();
}

/** Runs `graph`; allocations are labelled `prefix` + node name (a loop body's get "loop/"). */
async function runGraph<T, W>(
  walk: Walk<T, W>,
  graph: Graph,
  feeds: readonly T[],
  prefix: string,
): Promise<SubgraphResult<T>> {
  const { backend, memory } = walk;
  const plan = planOf(graph);
  const values: ((T | undefined)[] | undefined)[] = [];
  const held = new Map<number, { readonly value: T; readonly allocation: number }>();
  // Who reads each storage: (node, output) pairs; a release drops just those outputs.
  const holders = plan.storages.map(() => [] as [number, number][]);
  plan.storageOf.forEach((ids, node) =>
    ids.forEach((s, output) => holders[s]!.push([node, output])),
  );
  const release = (s: number) => {
    const h = held.get(s);
    if (h === undefined) return;
    held.delete(s);
    backend.release(h.value);
    memory.free(h.allocation);
    for (const [node, output] of holders[s]!) {
      const v = values[node];
      if (v) v[output] = undefined;
    }
  };
  const read = (id: number, output = 0) => values[id]![output]!;
  try {
    for (const node of graph.nodes) {
      await checkpoint(walk);
      values[node.id] = await runNode(node);
      for (const s of plan.releasedAfter[node.id]!) release(s);
    }
  } catch (e) {
    for (const s of [...held.keys()]) release(s);
    throw e;
  }
  const outputs = graph.outputs.map((id) => read(id));
  const kept = graph.outputs.map((id) => plan.storageOf[id]![0]!);
  return { outputs, release: () => kept.forEach(release) };

  async function runNode(node: Node): Promise<T[]> {
    if (node.op === "input") return [feeds[graph.inputs.indexOf(node.id)]!];
    if (node.op === "param") return [backend.param(node)];
    const alias = aliasOf(node);
    if (alias !== null) return [backend.view(read(node.inputs[alias.input]!, alias.output), node)];
    const label = prefix + node.name;
    const fresh = new Set(plan.allocatedAt[node.id]);
    const outputs = nodeOutputs(node).map((type, output) => {
      const s = plan.storageOf[node.id]![output]!;
      if (!fresh.has(s)) {
        // Written in place over an input the node reads for the last time (estimate/storage.ts).
        const over = node.inputs.find((id) => plan.storageOf[id]![0] === s)!;
        return backend.view(read(over), type);
      }
      const value = backend.allocate(type, label, node.op);
      held.set(s, { value, allocation: memory.alloc(plan.storages[s]!.bytes, label, node.op) });
      return value;
    });
    const bytes = workspaceBytesOf(graph, node, backend.kind);
    const workspace = backend.workspace(bytes, `${label}:workspace`, node.op);
    const scratch = bytes > 0 ? memory.alloc(bytes, `${label}:workspace`, node.op) : null;
    walk.sampler?.sample();
    try {
      await backend.run({
        graph,
        node,
        label,
        inputs: node.inputs.map((id) => read(id)),
        outputs,
        workspace,
        run: (body, xs) => runGraph(walk, body, xs, `${label}/`),
      });
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) {
        throw new (e.constructor as RangeErrorConstructor)(
          `${backend.name}: ${describeNode(node, graph)}: ${e.message}`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      backend.releaseWorkspace(workspace);
      if (scratch !== null) memory.free(scratch);
    }
    return outputs;
  }
}
