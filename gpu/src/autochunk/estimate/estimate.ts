import type { Graph } from "../ir/graph.js";
import { workspaceBytesOf } from "../ops/registry.js";
import type { ExecutorKind } from "../ops/rule.js";
import type { StorageOptions, StoragePlan } from "./storage.js";
import { planStorage } from "./storage.js";

/** Predicted activation memory around one node, in bytes. */
export interface NodeMemory {
  readonly node: number;
  /** Live before the node runs. */
  readonly beforeBytes: number;
  /** Allocated for its outputs (0 for views and sources). */
  readonly outputBytes: number;
  /** Scratch while it runs: its kernel workspace, plus a chunk loop's body peak. */
  readonly workspaceBytes: number;
  /** before + output + workspace: the most held while the node runs. */
  readonly peakBytes: number;
  /** Live once the node has run and the values it read for the last time are released. */
  readonly afterBytes: number;
  /**
   * Storages (ids into `plan.storages`; `.node` is the producer) live after the node: the
   * activations that cross the cut between this node and the next.
   */
  readonly liveAfter: readonly number[];
  /** For a chunk loop: the estimates of its body and tail (one iteration each). */
  readonly loop?: { readonly body: MemoryEstimate; readonly tail: MemoryEstimate | null };
}

/** The estimate of a whole graph. */
export interface MemoryEstimate {
  readonly nodes: readonly NodeMemory[];
  /** The largest `peakBytes`. */
  readonly peakBytes: number;
  /** The first node reaching it (-1 for a graph without nodes). */
  readonly peakNode: number;
  /** The buffers and lifetimes the estimate replays. */
  readonly plan: StoragePlan;
  /** Whose kernel workspaces it counts. */
  readonly executor: ExecutorKind;
}

/**
 * Predicts activation memory node by node by replaying the executor's storage plan: outputs
 * allocated before a node runs, its workspace held while it runs, values released after their
 * last reader; views allocate nothing; inputs and parameters are not counted; graph outputs
 * stay live; workspaces are those of `executor`'s kernels; `storage` as planStorage's options
 * (inputs that may be overwritten in place). The executor that runs the graph
 * measures the same peak (both follow executor/walk.ts).
 *
 * @example
 * const est = estimateMemory(graph);
 * est.peakBytes; est.nodes[est.peakNode]!.liveAfter.length;
 */
export function estimateMemory(
  graph: Graph,
  executor: ExecutorKind = "cpu",
  storage: StorageOptions = {},
): MemoryEstimate {
  const plan = planStorage(graph, storage);
  const bytes = (ids: readonly number[]) =>
    ids.reduce((sum, s) => sum + plan.storages[s]!.bytes, 0);
  const live = new Set<number>();
  let liveBytes = 0;
  let peakBytes = 0;
  let peakNode = -1;
  const nodes = graph.nodes.map((node): NodeMemory => {
    const beforeBytes = liveBytes;
    const allocated = plan.allocatedAt[node.id]!;
    const outputBytes = bytes(allocated);
    for (const s of allocated) live.add(s);
    let workspaceBytes = workspaceBytesOf(graph, node, executor);
    let loop: NodeMemory["loop"];
    if (node.op === "chunk_loop") {
      const body = estimateMemory(node.attrs.body, executor);
      const tail = node.attrs.tail === null ? null : estimateMemory(node.attrs.tail, executor);
      workspaceBytes += Math.max(body.peakBytes, tail?.peakBytes ?? 0);
      loop = { body, tail };
    }
    const peak = beforeBytes + outputBytes + workspaceBytes;
    if (peak > peakBytes || peakNode < 0) {
      peakBytes = peak;
      peakNode = node.id;
    }
    const released = plan.releasedAfter[node.id]!;
    for (const s of released) live.delete(s);
    liveBytes = beforeBytes + outputBytes - bytes(released);
    const memory = {
      node: node.id,
      beforeBytes,
      outputBytes,
      workspaceBytes,
      peakBytes: peak,
      afterBytes: liveBytes,
      liveAfter: [...live].sort((a, b) => a - b),
    };
    return loop === undefined ? memory : { ...memory, loop };
  });
  return { nodes, peakBytes, peakNode, plan, executor };
}
