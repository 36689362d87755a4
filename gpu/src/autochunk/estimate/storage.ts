import type { TensorType } from "../ir/dtype.js";
import { tensorBytes } from "../ir/dtype.js";
import type { Graph } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import { SOURCE_OPS } from "../ir/op.js";
import { aliasOf, inPlaceOf } from "../ops/registry.js";

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

/** Options of planStorage. */
export interface StorageOptions {
  /**
   * Graph inputs that stand for activations of an enclosing program, which an output may take
   * over in place once nothing reads them (a region's span estimated on its own,
   * select/region-memory.ts); other inputs and parameters are never overwritten.
   */
  readonly reusable?: ReadonlySet<number>;
}

/**
 * Plans the buffers of `graph`: each non-view output gets a storage, a view shares its source's,
 * and a storage is released right after the last node that reads it or any view of it (at once
 * when nothing reads it); graph outputs are kept. An output the op may write in place
 * (inPlaceOf: a chunk loop's output over an input chunked along the same dim) takes that input's
 * storage instead when this node is the input's last reader, through every view of it, and
 * reads it through no other input slot.
 *
 * @example
 * const plan = planStorage(graph);
 * plan.releasedAfter[7]; // storages freed once node 7 has run
 */
export function planStorage(graph: Graph, options: StorageOptions = {}): StoragePlan {
  const reusable = options.reusable ?? new Set<number>();
  const storages: { node: number; output: number; type: TensorType; activation: boolean }[] = [];
  const lastUse: number[] = [];
  const storageOf: number[][] = [];
  const allocatedAt: number[][] = [];
  // The last reader of each node's values (Infinity: returned), and so far of each storage
  // through the values mapped to it: what an in-place write must not outlive.
  const lastReader = graph.nodes.map(() => -1);
  for (const node of graph.nodes) for (const id of node.inputs) lastReader[id] = node.id;
  for (const id of graph.outputs) lastReader[id] = Infinity;
  const readUntil: number[] = [];
  const map = (node: number, ids: number[]) => {
    storageOf.push(ids);
    for (const s of ids) readUntil[s] = Math.max(readUntil[s] ?? -1, lastReader[node]!);
  };
  for (const node of graph.nodes) {
    const alias = aliasOf(node);
    const touched = node.inputs.map((id, slot) =>
      alias !== null && alias.input === slot ? storageOf[id]![alias.output]! : storageOf[id]![0]!,
    );
    for (const s of touched) lastUse[s] = node.id;
    if (alias !== null) {
      map(node.id, [touched[alias.input]!]);
      allocatedAt.push([]);
      continue;
    }
    const overwritable = (slot: number): boolean => {
      const s = touched[slot]!;
      const owner = storages[s]!;
      return (
        (owner.activation || reusable.has(owner.node)) &&
        readUntil[s] === node.id &&
        touched.every((t, other) => other === slot || t !== s)
      );
    };
    const reused = new Map<number, number>();
    for (const { output, input } of inPlaceOf(graph, node)) {
      const s = touched[input]!;
      if (reused.has(output) || [...reused.values()].includes(s)) continue;
      if (overwritable(input)) reused.set(output, s);
    }
    const fresh: number[] = [];
    const ids = nodeOutputs(node).map((type, output) => {
      const s = reused.get(output);
      if (s !== undefined) return s;
      storages.push({ node: node.id, output, type, activation: !SOURCE_OPS.has(node.op) });
      lastUse.push(node.id);
      fresh.push(storages.length - 1);
      return storages.length - 1;
    });
    map(node.id, ids);
    allocatedAt.push(fresh.filter((s) => storages[s]!.activation));
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
