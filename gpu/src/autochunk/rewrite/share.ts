import type { ChunkChoice } from "../codegen/chunk-graph.js";
import type { Graph, Node } from "../ir/graph.js";
import { searchContext } from "../search/context.js";
import { traceRegion } from "../search/trace.js";
import { isRecomputable } from "./recompute.js";

/*
 * The inverse of recompute.ts, once a plan is known. recomputePerReader gives every reader of a
 * shared layer norm its own copy so that the search may chunk the readers along different dims;
 * most plans then chunk several readers alike (the five projections of a triangle
 * multiplication, all along i in one loop), where one copy per chunk would do. Each extra copy
 * costs a layer norm over its input (an Evoformer block at r = 256 ran 23 of them, +0.21 s of
 * 6.9 s): sharing a copy again where the plan does not need it apart takes that back.
 */

/** The program with copies shared again, the plan's regions traced on it, and the id map. */
export interface SharedCopies {
  readonly graph: Graph;
  readonly choices: readonly ChunkChoice[];
  /** Copies removed (each one's readers now read an equal copy). */
  readonly shared: number;
  /** Per node id of the input graph: its id in `graph` (a removed copy: the copy kept). */
  readonly newId: readonly number[];
}

/** Copies that compute the same value: the first is kept, the others read it instead. */
interface Merge {
  readonly keep: number;
  readonly drop: readonly number[];
}

/**
 * `graph` with equal recomputable copies shared where the plan places them alike, each sharing
 * kept only when `fits` accepts the program and regions that result (the caller checks the
 * budget: a shared copy lives from its first reader to its last). Copies sit alike when they
 * are in the same region with the same chunk dim, both emitted whole before the same loop, or
 * both outside every region. All shares are tried together first, then one by one.
 *
 * @example
 * const { graph: g2, choices: c2 } = shareCopies(program, choices, (g, c) =>
 *   estimateMemory(chunkGraph(g, c).graph).peakBytes <= budget);
 */
export function shareCopies(
  graph: Graph,
  choices: readonly ChunkChoice[],
  fits: (graph: Graph, choices: readonly ChunkChoice[]) => boolean,
): SharedCopies {
  const merges = candidateMerges(graph, choices);
  const unchanged: SharedCopies = {
    graph,
    choices,
    shared: 0,
    newId: graph.nodes.map((n) => n.id),
  };
  const attempt = (chosen: readonly Merge[]): SharedCopies | null => {
    const result = applyMerges(graph, choices, chosen);
    return result !== null && fits(result.graph, result.choices) ? result : null;
  };
  if (merges.length === 0) return unchanged;
  const all = attempt(merges);
  if (all !== null) return all;
  let best = unchanged;
  const accepted: Merge[] = [];
  for (const merge of merges) {
    const next = attempt([...accepted, merge]);
    if (next === null) continue;
    accepted.push(merge);
    best = next;
  }
  return best;
}

/** Where a node sits in the plan: "outside", or a region and its dim ("h": whole before it). */
function sites(graph: Graph, choices: readonly ChunkChoice[]): string[] {
  const site = graph.nodes.map(() => "outside");
  choices.forEach(({ trace }, k) => {
    const hoisted = new Set(trace.hoisted);
    for (let id = trace.start; id <= trace.end; id++) {
      site[id] = hoisted.has(id) ? `${k}:h` : `${k}:${trace.dims[id - trace.start]}`;
    }
  });
  return site;
}

/** Equal recomputable nodes grouped by site, in program order. */
function candidateMerges(graph: Graph, choices: readonly ChunkChoice[]): Merge[] {
  const site = sites(graph, choices);
  const groups = new Map<string, number[]>();
  for (const node of graph.nodes) {
    if (!isRecomputable(node)) continue;
    const key = `${valueKey(node)}@${site[node.id]}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [node.id]);
    else group.push(node.id);
  }
  return [...groups.values()]
    .filter((ids) => ids.length > 1)
    .map(([keep, ...drop]) => ({ keep: keep!, drop }));
}

/** What a node computes, apart from its id and name: equal keys, equal values. */
function valueKey(node: Node): string {
  return JSON.stringify([node.op, node.inputs, node.attrs, node.shape, node.dtype]);
}

/** The program with `merges` applied and each region traced again on it; null if one is not legal. */
function applyMerges(
  graph: Graph,
  choices: readonly ChunkChoice[],
  merges: readonly Merge[],
): SharedCopies | null {
  const keptAs = new Map<number, number>();
  for (const { keep, drop } of merges) for (const id of drop) keptAs.set(id, keep);
  const newId = graph.nodes.map(() => -1);
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const kept = keptAs.get(node.id);
    if (kept !== undefined) {
      newId[node.id] = newId[kept]!;
      continue;
    }
    newId[node.id] = nodes.length;
    nodes.push({
      ...node,
      id: nodes.length,
      inputs: node.inputs.map((i) => newId[i]!),
    } as Node);
  }
  const shared: Graph = {
    nodes,
    inputs: graph.inputs.map((id) => newId[id]!),
    outputs: graph.outputs.map((id) => newId[id]!),
  };
  const ctx = searchContext(shared);
  // A removed node's successor: the first kept node at or after it.
  const firstKept = (id: number): number => {
    let at = id;
    while (keptAs.has(at)) at++;
    return newId[at]!;
  };
  const traced: ChunkChoice[] = [];
  for (const { trace, chunkSize } of choices) {
    if (keptAs.has(trace.end)) return null;
    const result = traceRegion(ctx, firstKept(trace.start), newId[trace.end]!, trace.endDim);
    if (!result.ok) return null;
    traced.push({ trace: result.trace, chunkSize });
  }
  return { graph: shared, choices: traced, shared: keptAs.size, newId };
}
