import type { TensorType } from "../ir/dtype.js";
import { tensorBytes } from "../ir/dtype.js";
import type { Graph } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import { SOURCE_OPS } from "../ir/op.js";
import { aliasOf } from "../ops/registry.js";

/** One buffer of a run: a node's output, shared by the views of it. */
export interface Storage {
  readonly id: number;
  /** The node that produces it, and which of that node's outputs it is. */
  readonly node: number;
  readonly output: number;
  readonly type: TensorType;
  readonly bytes: number;
  /**
   * Activations are allocated and counted; input and param values are not (as in the
   * reference, which measures activation memory only).
   */
  readonly activation: boolean;
  /** The node after which it is released (its last reader, through any view); null: a graph output, kept. */
  readonly releaseAfter: number | null;
}

/**
 * Buffers and their lifetimes for one run of a graph: the single liveness and aliasing model
 * that the executor follows and the estimator replays, so predicted and measured peaks agree.
 */
export interface StoragePlan {
  readonly storages: readonly Storage[];
  /** storageOf[nodeId][output]: the storage holding that value (views share their source's). */
  readonly storageOf: readonly (readonly number[])[];
  /** Activation storages allocated when each node runs (before its kernel). */
  readonly allocatedAt: readonly (readonly number[])[];
  /** Activation storages released after each node runs. */
  readonly releasedAfter: readonly (readonly number[])[];
}

/**
 * Plans the buffers of `graph`: each non-view output gets a storage, a view shares its source's,
 * and a storage is released right after the last node that reads it or any view of it (at once
 * when nothing reads it); graph outputs are kept.
 *
 * @example
 * const plan = planStorage(graph);
 * plan.releasedAfter[7]; // storages freed once node 7 has run
 */
export function planStorage(graph: Graph): StoragePlan {
  const storages: { node: number; output: number; type: TensorType; activation: boolean }[] = [];
  const lastUse: number[] = [];
  const storageOf: number[][] = [];
  const allocatedAt: number[][] = [];
  for (const node of graph.nodes) {
    const alias = aliasOf(node);
    const touched = node.inputs.map((id, slot) =>
      alias !== null && alias.input === slot ? storageOf[id]![alias.output]! : storageOf[id]![0]!,
    );
    for (const s of touched) lastUse[s] = node.id;
    if (alias !== null) {
      storageOf.push([touched[alias.input]!]);
      allocatedAt.push([]);
      continue;
    }
    const ids = nodeOutputs(node).map((type, output) => {
      storages.push({ node: node.id, output, type, activation: !SOURCE_OPS.has(node.op) });
      lastUse.push(node.id);
      return storages.length - 1;
    });
    storageOf.push(ids);
    allocatedAt.push(ids.filter((s) => storages[s]!.activation));
  }
  const kept = new Set(graph.outputs.map((id) => storageOf[id]![0]!));
  const releasedAfter: number[][] = graph.nodes.map(() => []);
  const planned = storages.map((s, id): Storage => {
    const releaseAfter = kept.has(id) ? null : lastUse[id]!;
    if (s.activation && releaseAfter !== null) releasedAfter[releaseAfter]!.push(id);
    return { id, ...s, bytes: tensorBytes(s.type), releaseAfter };
  });
  return { storages: planned, storageOf, allocatedAt, releasedAfter };
}
