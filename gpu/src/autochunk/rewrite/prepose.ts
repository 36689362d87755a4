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

/**
 * `graph` in as-late-as-possible order: each node moved to just before its first reader (a node
 * nothing reads, such as a graph output, stays right after the nodes before it). A value is then computed
 * when it is needed, so the operand of a contraction that a region slices comes last, after
 * everything it can be computed without, which is the order `prepose` would reach region by
 * region.
 *
 * @example
 * const late = sinkToReaders(recomputePerReader(graph));
 */
export function sinkToReaders(graph: Graph): Graph {
  const readers = graph.nodes.map(() => [] as number[]);
  for (const node of graph.nodes) for (const id of new Set(node.inputs)) readers[id]!.push(node.id);
  const order: number[] = [];
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const first = Math.min(...readers[id]!.map((r) => order.indexOf(r)), order.length);
    order.splice(readers[id]!.length === 0 ? 0 : first, 0, id);
  }
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
