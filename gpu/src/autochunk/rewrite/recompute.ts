import type { Graph, Node } from "../ir/graph.js";
import { users } from "../ir/graph.js";
import type { Op } from "../ir/op.js";

/*
 * Recomputation of cheap producers (activation checkpointing at the scale of one node): a node
 * that several readers share is held whole from its first reader to its last, and no chunk dim
 * may serve all of its readers (the Evoformer's x = layer_norm(z) feeds projections sliced
 * along i, along j and whole). Giving each reader its own copy, computed just before it, lets
 * every region that reads it slice the producer's input along its own chunk dim. The price is
 * the producer's work once per extra reader, which the speed model charges like any other node.
 */

/** When a node may be recomputed per reader: its op is cheap next to what its readers do. */
const RECOMPUTE_RULES: Partial<Record<Op, (node: Node) => boolean>> = {
  // Linear in its input, a few passes over it; the readers are projections.
  layer_norm: () => true,
};

/** Whether `node` is cheap enough to compute once per reader (RECOMPUTE_RULES). */
export function isRecomputable(node: Node): boolean {
  return RECOMPUTE_RULES[node.op]?.(node) === true;
}

/**
 * `graph` with every cheap producer read by two or more nodes replaced by one copy per reader,
 * each placed just before its reader; the first copy keeps the producer's name, the others get
 * "#2", "#3", … Returns `graph` itself when no node qualifies. Graph outputs and producers whose
 * inputs are themselves recomputed are left alone, so the result's values are the same.
 *
 * @example
 * const g = recomputePerReader(evoformerBlock({ nRes: 256 }).graph);
 * g.nodes.filter((n) => n.op === "layer_norm").length; // more than before
 */
export function recomputePerReader(graph: Graph): Graph {
  const readers = users(graph);
  const outputs = new Set(graph.outputs);
  const recomputed = new Set<number>();
  for (const node of graph.nodes) {
    if (!isRecomputable(node) || outputs.has(node.id)) continue;
    if (readers[node.id]!.length < 2) continue;
    if (node.inputs.some((id) => recomputed.has(id))) continue;
    recomputed.add(node.id);
  }
  if (recomputed.size === 0) return graph;

  const names = new Set(graph.nodes.map((n) => n.name));
  const uniqueName = (base: string, copy: number): string => {
    if (copy === 1) return base;
    let suffix = copy;
    while (names.has(`${base}#${suffix}`)) suffix++;
    const name = `${base}#${suffix}`;
    names.add(name);
    return name;
  };
  const nodes: Node[] = [];
  const newId = graph.nodes.map(() => -1);
  const copies = new Map<number, number>();
  const emit = (node: Node, inputs: number[], name: string): number => {
    const id = nodes.length;
    nodes.push({ ...node, id, inputs, name } as Node);
    return id;
  };
  for (const node of graph.nodes) {
    if (recomputed.has(node.id)) continue;
    const local = new Map<number, number>();
    for (const id of node.inputs) {
      if (!recomputed.has(id) || local.has(id)) continue;
      const producer = graph.nodes[id]!;
      const copy = (copies.get(id) ?? 0) + 1;
      copies.set(id, copy);
      const inputs = producer.inputs.map((i) => newId[i]!);
      local.set(id, emit(producer, inputs, uniqueName(producer.name, copy)));
    }
    const inputs = node.inputs.map((id) => local.get(id) ?? newId[id]!);
    newId[node.id] = emit(node, inputs, node.name);
  }
  return {
    nodes,
    inputs: graph.inputs.map((id) => newId[id]!),
    outputs: graph.outputs.map((id) => newId[id]!),
  };
}
