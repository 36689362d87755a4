import type { Graph, Node } from "../ir/graph.js";

/**
 * `graph` with the nodes `moved` (ids, each reading only nodes before `at` or other moved
 * nodes) placed just before node `at`, in their program order; every other node keeps its
 * order. Values are unchanged: only when each one is computed moves.
 *
 * This is the reference's "prepose" of a region's chunk-free nodes: a region emits the nodes it
 * cannot slice (an einsum operand it needs whole) before its loop, at full size. Moved before
 * the region, they become nodes another region can chunk.
 *
 * @example
 * const g2 = prepose(graph, trace.hoisted, trace.start);
 */
export function prepose(graph: Graph, moved: readonly number[], at: number): Graph {
  const moving = new Set(moved);
  for (const id of moving) {
    const node = graph.nodes[id];
    if (node === undefined || id < at) {
      throw new RangeError(`prepose: node ${id} is not a node at or after ${at}`);
    }
    const late = node.inputs.find((i) => i >= at && !moving.has(i));
    if (late !== undefined) {
      throw new RangeError(
        `prepose: "${node.name}" reads "${graph.nodes[late]!.name}", which stays after the insertion point`,
      );
    }
  }
  const order = [
    ...graph.nodes.slice(0, at).map((n) => n.id),
    ...[...moving].sort((a, b) => a - b),
    ...graph.nodes.slice(at).flatMap((n) => (moving.has(n.id) ? [] : [n.id])),
  ];
  return reorder(graph, order);
}

/** `graph` with its nodes in `order` (old ids, a topological order), ids and inputs renumbered. */
function reorder(graph: Graph, order: readonly number[]): Graph {
  const newId = graph.nodes.map(() => -1);
  order.forEach((old, position) => (newId[old] = position));
  const nodes = order.map(
    (old, position): Node =>
      ({
        ...graph.nodes[old]!,
        id: position,
        inputs: graph.nodes[old]!.inputs.map((i) => newId[i]!),
      }) as Node,
  );
  return {
    nodes,
    inputs: graph.inputs.map((id) => newId[id]!),
    outputs: graph.outputs.map((id) => newId[id]!),
  };
}
