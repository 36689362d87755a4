import type { Graph, Node } from "../ir/graph.js";
import { validate } from "../ir/validate.js";
import { searchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";
import { GraphEmitter } from "./emitter.js";
import { emitRegion } from "./region.js";

/** A region to chunk and the indices of its chunk dim per iteration. */
export interface ChunkChoice {
  readonly trace: RegionTrace;
  readonly chunkSize: number;
}

/** The chunked program and where each original node went. */
export interface ChunkedGraph {
  readonly graph: Graph;
  /** Per choice (in the order given): its chunk_loop node in `graph`. */
  readonly loops: readonly Node[];
  /**
   * Per original node id: its value in `graph`, or undefined for a node that only lives inside
   * a loop body.
   */
  readonly values: readonly (Node | undefined)[];
}

/**
 * Rewrites `graph` with each region turned into a chunk loop (codegen, autochunk.md §4) in the
 * same IR, so the same executor runs it; the result is validated. Regions must be disjoint;
 * loops are named chunk0, chunk1, … in program order.
 *
 * @example
 * const { graph: chunked } = chunkGraph(graph, [{ trace, chunkSize: 128 }]);
 * await execute(chunked, inputs);
 */
export function chunkGraph(graph: Graph, choices: readonly ChunkChoice[]): ChunkedGraph {
  const ctx = searchContext(graph);
  const order = choices
    .map((_, k) => k)
    .sort((a, b) => choices[a]!.trace.start - choices[b]!.trace.start);
  order.forEach((k, position) => {
    const { trace, chunkSize } = choices[k]!;
    const previous = position === 0 ? undefined : choices[order[position - 1]!]!.trace;
    if (previous !== undefined && previous.end >= trace.start) {
      throw new RangeError(
        `chunkGraph: regions [${previous.start}, ${previous.end}] and [${trace.start}, ${trace.end}] overlap; regions must be disjoint`,
      );
    }
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > trace.length) {
      throw new RangeError(
        `chunkGraph: chunkSize must be an integer in [1, ${trace.length}] for region [${trace.start}, ${trace.end}], got ${chunkSize}`,
      );
    }
  });
  const emit = new GraphEmitter();
  const values: (Node | undefined)[] = new Array(graph.nodes.length);
  const loops: Node[] = new Array(choices.length);
  let next = 0;
  for (let i = 0; i < graph.nodes.length;) {
    const k = order[next];
    const choice = k === undefined ? undefined : choices[k]!;
    if (choice !== undefined && choice.trace.start === i) {
      const emitted = emitRegion(
        emit,
        ctx,
        choice.trace,
        choice.chunkSize,
        (id) => values[id]!,
        `chunk${next}`,
      );
      for (const [id, node] of emitted.values) values[id] = node;
      loops[k!] = emitted.loop;
      i = choice.trace.end + 1;
      next++;
      continue;
    }
    const node = graph.nodes[i]!;
    values[i] = emit.copy(
      node,
      node.inputs.map((id) => values[id]!),
    );
    i++;
  }
  emit.output(...graph.outputs.map((id) => values[id]!));
  const chunked = emit.build(graph.inputs.map((id) => values[id]!.id));
  validate(chunked);
  return { graph: chunked, loops, values };
}
