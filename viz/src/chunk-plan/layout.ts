import dagre from "@dagrejs/dagre";
import type { Block } from "./blocks.js";
import type { ChunkPlan } from "./decode.js";

/** Node box size in px: labels are cut to fit, so the layout needs no text measurement (no DOM). */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 24;
const BLOCK_HEIGHT = 34;

/** Something drawn as one box: a node, or a collapsed block standing for its nodes. */
export type LayoutItem =
  | { readonly kind: "node"; readonly node: number; readonly box: Box }
  | { readonly kind: "block"; readonly block: Block; readonly box: Box };

/** A cluster drawn around items: a chunked region, or an expanded block. */
export interface LayoutGroup {
  readonly kind: "region" | "block";
  /** Index into `plan.regions`, or the block's index into the blocks given. */
  readonly index: number;
  readonly box: Box;
}

export interface Box {
  /** Top-left corner and size, in px. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ChunkPlanLayout {
  readonly width: number;
  readonly height: number;
  readonly items: readonly LayoutItem[];
  /** Per node: the index of the item that shows it. */
  readonly itemOf: Int32Array;
  /** Edges between items, each a polyline from the reader's input to the reader. */
  readonly edges: readonly {
    readonly from: number;
    readonly to: number;
    readonly points: readonly (readonly [number, number])[];
  }[];
  readonly groups: readonly LayoutGroup[];
  /** Milliseconds dagre took: what a 2,000-node plan costs to lay out. */
  readonly layoutMs: number;
}

const MARGIN = 12;

/**
 * Lays the plan's program out top to bottom with dagre (Sugiyama-style layered layout:
 * ranks by network simplex, crossings reduced by barycentres, Brandes–Köpf coordinates).
 * Blocks in `collapsed` are one box each; chunked regions and expanded blocks are clusters
 * (a region inside a block is nested in it; one that crosses blocks takes its nodes out of
 * them). Pure: the static SVG (in the kernel) and the widget draw from the same layout.
 *
 * @example
 * const blocks = planBlocks(plan.name);
 * const layout = chunkPlanLayout(plan, blocks, new Set(["h1"]));
 * layout.items[layout.itemOf[plan.peakNode.after]!]!.box; // where the peak is drawn
 */
export function chunkPlanLayout(
  plan: ChunkPlan,
  blocks: readonly Block[],
  collapsed: ReadonlySet<string>,
): ChunkPlanLayout {
  const n = plan.name.length;
  const blockOf = new Int32Array(n).fill(-1);
  blocks.forEach((b, k) => blockOf.fill(k, b.start, b.end + 1));
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 14, ranksep: 22, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));

  const items: { kind: "node"; node: number }[] | { kind: "block"; block: Block }[] = [];
  const list = items as ({ kind: "node"; node: number } | { kind: "block"; block: Block })[];
  const itemOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = blockOf[i]!;
    const block = k >= 0 ? blocks[k]! : undefined;
    if (block && collapsed.has(block.key)) {
      if (i === block.start) {
        list.push({ kind: "block", block });
        g.setNode(`i${list.length - 1}`, { width: NODE_WIDTH, height: BLOCK_HEIGHT });
      }
      itemOf[i] = list.length - 1;
      continue;
    }
    list.push({ kind: "node", node: i });
    itemOf[i] = list.length - 1;
    g.setNode(`i${list.length - 1}`, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }

  // Clusters: expanded blocks, then regions (nested in their block when inside one).
  const regionCluster = (r: number) => `r${r}`;
  const blockCluster = (b: number) => `b${b}`;
  blocks.forEach((b, k) => {
    if (!collapsed.has(b.key)) g.setNode(blockCluster(k), {});
  });
  plan.regions.forEach((region, r) => {
    const kStart = blockOf[region.start]!;
    const inOne = kStart >= 0 && kStart === blockOf[region.end]!;
    const shown = kStart < 0 || !collapsed.has(blocks[kStart]!.key);
    if (!shown && inOne) return; // inside a collapsed block: the block stands for it
    g.setNode(regionCluster(r), {});
    if (inOne) g.setParent(regionCluster(r), blockCluster(kStart));
  });
  list.forEach((item, index) => {
    if (item.kind !== "node") return;
    const r = plan.region[item.node]!;
    const k = blockOf[item.node]!;
    const parent =
      r >= 0 && g.hasNode(regionCluster(r))
        ? regionCluster(r)
        : k >= 0 && g.hasNode(blockCluster(k))
          ? blockCluster(k)
          : undefined;
    if (parent !== undefined) g.setParent(`i${index}`, parent);
  });
  // A region crossing blocks took nodes out of them; a block left empty is not drawn.
  blocks.forEach((_, k) => {
    const id = blockCluster(k);
    if (g.hasNode(id) && (g.children(id) ?? []).length === 0) g.removeNode(id);
  });

  const seen = new Set<string>();
  for (let to = 0; to < n; to++) {
    for (const from of plan.inputs[to]!) {
      const [a, b] = [itemOf[from]!, itemOf[to]!];
      const key = `${a}>${b}`;
      if (a === b || seen.has(key)) continue;
      seen.add(key);
      g.setEdge(`i${a}`, `i${b}`);
    }
  }

  const start = performance.now();
  dagre.layout(g);
  const layoutMs = performance.now() - start;

  const boxOf = (id: string): Box => {
    const { x = 0, y = 0, width = 0, height = 0 } = g.node(id);
    return { x: x - width / 2, y: y - height / 2, width, height };
  };
  const laid: LayoutItem[] = list.map((item, index) => ({ ...item, box: boxOf(`i${index}`) }));
  const groups: LayoutGroup[] = [];
  blocks.forEach((_, k) => {
    if (g.hasNode(blockCluster(k)))
      groups.push({ kind: "block", index: k, box: boxOf(blockCluster(k)) });
  });
  plan.regions.forEach((_, r) => {
    if (g.hasNode(regionCluster(r)))
      groups.push({ kind: "region", index: r, box: boxOf(regionCluster(r)) });
  });
  const edges = [...seen].map((key) => {
    const [from, to] = key.split(">").map(Number) as [number, number];
    const points = (g.edge(`i${from}`, `i${to}`).points ?? []).map(
      (p: { x: number; y: number }) => [p.x, p.y] as const,
    );
    return { from, to, points };
  });
  const { width = 0, height = 0 } = g.graph();
  return { width, height, items: laid, itemOf, edges, groups, layoutMs };
}

/** One row of the memory strip: an item's band, at the item's height in the graph. */
export interface StripRow {
  readonly item: number;
  /** Top and height of the row, in the layout's px. */
  readonly y: number;
  readonly height: number;
}

/**
 * The memory strip's rows, aligned with the graph: one per item at its box's height. Items side
 * by side on one rank share the rank's height, split left to right.
 *
 * @example
 * stripRows(layout).find((r) => r.item === layout.itemOf[peak]); // the peak's row
 */
export function stripRows(layout: ChunkPlanLayout): StripRow[] {
  const ranks = new Map<number, number[]>();
  layout.items.forEach((item, i) => {
    const mid = Math.round(item.box.y + item.box.height / 2);
    const rank = ranks.get(mid);
    if (rank) rank.push(i);
    else ranks.set(mid, [i]);
  });
  const rows: StripRow[] = [];
  for (const members of ranks.values()) {
    members.sort((a, b) => layout.items[a]!.box.x - layout.items[b]!.box.x);
    const first = layout.items[members[0]!]!.box;
    const height = first.height / members.length;
    members.forEach((item, k) => rows.push({ item, y: first.y + k * height, height }));
  }
  return rows.sort((a, b) => a.y - b.y);
}

/**
 * Bytes an item shows: its node's, or the most of any node a collapsed block stands for.
 *
 * @example
 * itemBytes(plan, layout.items[3]!, plan.afterBytes);
 */
export function itemBytes(plan: ChunkPlan, item: LayoutItem, bytes: ArrayLike<number>): number {
  if (item.kind === "node") return bytes[item.node]!;
  let most = 0;
  for (let i = item.block.start; i <= item.block.end; i++) most = Math.max(most, bytes[i]!);
  return most;
}
