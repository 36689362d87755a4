import type { Node } from "../ir/graph.js";
import { loopOutputTypes } from "../ir/graph.js";
import type { ChunkLoopAttrs } from "../ir/op.js";
import type { SearchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";
import { buildBody } from "./body.js";
import type { GraphEmitter } from "./emitter.js";

/** What emitRegion wrote: the loop node and the new value of each hoisted node and output. */
export interface EmittedRegion {
  readonly loop: Node;
  /** Original node id → its value in the emitted graph (hoisted nodes and loop outputs). */
  readonly values: ReadonlyMap<number, Node>;
}

/**
 * Emits one region as autochunk.md §4 describes: the hoisted (preposed) nodes, then a chunk_loop
 * whose body runs on slices of `chunkSize` (a tail body for the last, shorter chunk) and writes
 * into preallocated full-size outputs, then a get_item per output when there are several. `valueOf` gives the
 * emitted value of an original node outside the region.
 *
 * @example
 * const { loop, values } = emitRegion(emit, ctx, trace, 128, (id) => map[id]!, "chunk0");
 */
export function emitRegion(
  emit: GraphEmitter,
  ctx: SearchContext,
  trace: RegionTrace,
  chunkSize: number,
  valueOf: (id: number) => Node,
  loopName: string,
): EmittedRegion {
  const { graph } = ctx;
  const values = new Map<number, Node>();
  const value = (id: number) => values.get(id) ?? valueOf(id);
  for (const id of trace.hoisted) {
    const node = graph.nodes[id]!;
    values.set(id, emit.copy(node, node.inputs.map(value)));
  }
  const rest = trace.length % chunkSize;
  const attrs: ChunkLoopAttrs = {
    body: buildBody(ctx, trace, chunkSize),
    tail: rest === 0 ? null : buildBody(ctx, trace, rest),
    inputDims: trace.inputs.map((i) => i.dim),
    outputDims: trace.outputs.map((o) => o.dim),
    length: trace.length,
    chunkSize,
  };
  const types = loopOutputTypes(attrs);
  const inputs = trace.inputs.map((i) => value(i.node));
  const first = types[0]!;
  const loop = emit.add("chunk_loop", inputs, attrs, loopName, first.shape, first.dtype);
  // Every output of a multi-output loop is read through its own get_item, output 0 included:
  // the executor drops a node's values when any one of its outputs is released.
  trace.outputs.forEach((o, k) => {
    const type = types[k]!;
    const name = graph.nodes[o.node]!.name;
    const out =
      types.length === 1
        ? loop
        : emit.add("get_item", [loop], { index: k }, name, type.shape, type.dtype);
    values.set(o.node, out);
  });
  return { loop, values };
}
