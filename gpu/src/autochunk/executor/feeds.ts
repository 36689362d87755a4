import type { MemoryEvent } from "../../memory/tracker.js";
import { formatType } from "../ir/format.js";
import type { Graph } from "../ir/graph.js";
import { numel, sameShape } from "../ir/shape.js";
import type { Tensor } from "./tensor.js";

/** A graph's inputs, by position (graph.inputs order) or by input name. */
export type Feeds = readonly Tensor[] | Readonly<Record<string, Tensor>>;

/**
 * The graph's inputs in graph.inputs order, checked against their declared types; `caller`
 * names the executor in messages.
 */
export function feedsInOrder(graph: Graph, inputs: Feeds, caller: string): Tensor[] {
  const byName = !Array.isArray(inputs);
  const count = byName ? Object.keys(inputs).length : (inputs as readonly Tensor[]).length;
  if (count !== graph.inputs.length) {
    const names = graph.inputs.map((id) => `"${graph.nodes[id]!.name}"`).join(", ");
    throw new RangeError(
      `${caller}: the graph takes ${graph.inputs.length} inputs (${names}), got ${count}`,
    );
  }
  return graph.inputs.map((id, position) => {
    const node = graph.nodes[id]!;
    const t = byName
      ? (inputs as Readonly<Record<string, Tensor>>)[node.name]
      : (inputs as readonly Tensor[])[position];
    if (t === undefined) throw new RangeError(`${caller}: no value for input "${node.name}"`);
    if (
      !sameShape(t.shape, node.shape) ||
      t.dtype !== node.dtype ||
      t.data.length !== numel(node.shape)
    ) {
      throw new RangeError(
        `${caller}: input "${node.name}" must be ${formatType(node)}, got ${formatType(t)}`,
      );
    }
    return t;
  });
}

/** Peak of live bytes over a run's events, relative to the start. */
export function runPeak(events: readonly MemoryEvent[]): number {
  let live = 0;
  let peak = 0;
  for (const e of events) {
    live += e.kind === "alloc" ? e.bytes : -e.bytes;
    peak = Math.max(peak, live);
  }
  return peak;
}
