import type { DType, TensorType } from "./dtype.js";
import type { ChunkLoopAttrs, Op, OpAttrs } from "./op.js";
import type { Shape } from "./shape.js";

/**
 * A node of op `O`: the one node type of the IR. Its value is a tensor of `shape` and `dtype`
 * (a chunk_loop's first output; the others are read through get_item).
 */
export interface NodeOf<O extends Op> {
  /** Position in `graph.nodes`; nodes are in topological program order. */
  readonly id: number;
  readonly op: O;
  /** Ids of the nodes whose values this node reads, all smaller than `id`. */
  readonly inputs: readonly number[];
  readonly attrs: OpAttrs[O];
  readonly shape: Shape;
  readonly dtype: DType;
  /** Unique within its graph; labels allocations in memory timelines ("h0.attn.softmax"). */
  readonly name: string;
}

/** Any node; narrow on `node.op` to get its attributes typed. */
export type Node = { [O in Op]: NodeOf<O> }[Op];

/**
 * A tensor program with static shapes: nodes in program order, the graph inputs (placeholders,
 * fed by name or position), and the outputs it returns. Parameters are `param` nodes.
 */
export interface Graph {
  readonly nodes: readonly Node[];
  /** Ids of the `input` nodes, in feeding order. */
  readonly inputs: readonly number[];
  /** Ids of the nodes whose values the program returns, in order. */
  readonly outputs: readonly number[];
}

/**
 * The full-size outputs of a chunk loop: each body output with its chunk dim widened to `length`.
 *
 * @example
 * // body output [1, 128, 768] written along dim 1 of a loop of length 1024 → [1, 1024, 768]
 */
export function loopOutputTypes(attrs: ChunkLoopAttrs): TensorType[] {
  return attrs.body.outputs.map((id, k) => {
    const out = attrs.body.nodes[id]!;
    const shape = [...out.shape];
    shape[attrs.outputDims[k]!] = attrs.length;
    return { shape, dtype: out.dtype };
  });
}

/**
 * Every value a node produces: one for all ops but chunk_loop.
 *
 * @example
 * nodeOutputs(g.nodes[3]!); // [{ shape: [1, 512, 768], dtype: "f32" }]
 */
export function nodeOutputs(node: Node): TensorType[] {
  return node.op === "chunk_loop"
    ? loopOutputTypes(node.attrs)
    : [{ shape: node.shape, dtype: node.dtype }];
}

/**
 * For each node id, the ids of the nodes that read it, ascending (a node reading a value twice
 * is listed once).
 *
 * @example
 * users(graph)[0]; // e.g. [2, 5]
 */
export function users(graph: Graph): number[][] {
  const result = graph.nodes.map(() => [] as number[]);
  for (const node of graph.nodes) {
    for (const id of new Set(node.inputs)) result[id]?.push(node.id);
  }
  return result;
}
