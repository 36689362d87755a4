import type { Graph, Node } from "../ir/graph.js";
import type { Op, OpAttrs } from "../ir/op.js";
import { chunkShape } from "../ops/control.js";
import type { SearchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";
import { GraphEmitter } from "./emitter.js";

/**
 * Attribute rewrites for running an op on a chunk (autochunk.md §4: a view's target shape at the
 * chunk dim becomes the chunk size). Ops not listed keep their attributes: none of them names an
 * extent of a dim that can be chunked (a sliced, concatenated or reduced dim is never the chunk
 * dim, since it is computed).
 */
const CHUNK_ATTRS: {
  readonly [O in Op]?: (attrs: OpAttrs[O], dim: number, size: number) => OpAttrs[O];
} = {
  reshape: ({ shape }, dim, size) => ({ shape: chunkShape(shape, dim, size) }),
};

function chunkAttrs<O extends Op>(op: O, attrs: OpAttrs[O], dim: number, size: number): OpAttrs[O] {
  const rewrite = CHUNK_ATTRS[op] as
    ((attrs: OpAttrs[O], dim: number, size: number) => OpAttrs[O]) | undefined;
  return rewrite === undefined ? attrs : rewrite(attrs, dim, size);
}

/**
 * The loop body of a traced region for chunks of `size`: one input per loop input (sliced to
 * `size` along its dim, or whole), the region's chunked nodes with their chunk dims at `size`,
 * and the loop's outputs. Names are the original nodes' names.
 *
 * @example
 * const body = buildBody(searchContext(graph), trace, 128);
 * formatGraph(body);
 */
export function buildBody(ctx: SearchContext, trace: RegionTrace, size: number): Graph {
  const { graph, flows } = ctx;
  const emit = new GraphEmitter();
  const sliced = new Map<string, Node>();
  for (const { node, dim } of trace.inputs) {
    const outer = graph.nodes[node]!;
    sliced.set(
      `${node}:${dim}`,
      emit.input(outer.name, chunkShape(outer.shape, dim, size), outer.dtype),
    );
  }
  const made = new Map<number, Node>();
  for (const id of trace.body) {
    const node = graph.nodes[id]!;
    const dim = trace.dims[id - trace.start]!;
    const flow = flows[id]![dim]!;
    const inputs = node.inputs.map(
      (u, slot) => made.get(u) ?? sliced.get(`${u}:${flow.from[slot]}`)!,
    );
    const attrs = chunkAttrs(node.op, node.attrs, dim, size);
    const shape = chunkShape(node.shape, dim, size);
    made.set(id, emit.add(node.op, inputs, attrs, node.name, shape, node.dtype));
  }
  emit.output(...trace.outputs.map((o) => made.get(o.node)!));
  return emit.build();
}
