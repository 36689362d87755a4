import dagre from "@dagrejs/dagre";
import type { Block } from "./blocks.js";
import type { ChunkPlan } from "./decode.js";

/** Node box size in px: labels are cut to fit, so the layout needs no text measurement (no DOM). */
const NODE_WIDTH = 168;
const NODE_HEIGHT = 24;
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
}

const MARGIN = 12;
/** Space inside a block's frame around its nodes. */
const PAD = 10;
const SPACING = { nodesep: 14, ranksep: 22 } as const;

/**
 * A unit of the top-level layout: one loose node, one collapsed block, or an expanded stretch
 * of the program (a block, or blocks that a region crosses) laid out on its own.
 */
type Unit =
  | { readonly kind: "node"; readonly node: number }
  | { readonly kind: "block"; readonly block: Block }
  | {
      readonly kind: "open";
      readonly start: number;
      readonly end: number;
      readonly blocks: readonly number[];
    };

/**
 * Inner layouts by unit shape, kept across calls: a budget slider's re-plans change a few
 * regions, so most blocks are laid out already. Bounded; the oldest shape goes first.
 */
const innerLayouts = new Map<string, Inner>();
const INNER_LAYOUTS_KEPT = 256;

/**
 * Forgets the kept inner layouts, so the next layout is computed from scratch (what a
 * benchmark's cold figure needs).
 *
 * @example
 * forgetLayouts(); chunkPlanLayout(plan, blocks, new Set()); // cold
 */
export function forgetLayouts(): void {
  innerLayouts.clear();
}

/** The layout of an expanded unit, relative to its top-left corner. */
interface Inner {
  readonly width: number;
  readonly height: number;
  /** Per member (index − unit start). */
  readonly boxes: readonly Box[];
  /** Regions and (for merged blocks) block frames, by their order of appearance in the unit. */
  readonly groups: readonly {
    readonly kind: "region" | "block";
    readonly order: number;
    readonly box: Box;
  }[];
  readonly edges: readonly {
    readonly from: number;
    readonly to: number;
    readonly points: readonly (readonly [number, number])[];
  }[];
}

/**
 * Lays the plan's program out top to bottom with dagre (Sugiyama-style layered layout:
 * ranks by network simplex, crossings reduced by barycentres, Brandes–Köpf coordinates), in
 * two levels. Each expanded block is laid out on its own, with its chunked regions as dagre
 * clusters, and blocks of the same shape (a model's repeated layers) share one layout; then
 * the blocks, collapsed blocks and loose nodes are laid out as boxes. Blocks that a region
 * crosses are laid out together. One dagre run over 2,000 nodes with clusters takes tens of
 * seconds; this takes a fraction of one. Pure: the static SVG (in the kernel) and the widget
 * draw from the same layout.
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
  const units = planUnits(plan, blocks, collapsed);
  const unitOf = new Int32Array(n);
  units.forEach((u, k) => {
    if (u.kind === "node") unitOf[u.node] = k;
    else if (u.kind === "block") unitOf.fill(k, u.block.start, u.block.end + 1);
    else unitOf.fill(k, u.start, u.end + 1);
  });
  const inner = units.map((u) => (u.kind === "open" ? innerLayout(plan, blocks, u) : undefined));

  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", ...SPACING, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  units.forEach((u, k) => {
    const size =
      u.kind === "open"
        ? { width: inner[k]!.width, height: inner[k]!.height }
        : { width: NODE_WIDTH, height: u.kind === "block" ? BLOCK_HEIGHT : NODE_HEIGHT };
    g.setNode(`u${k}`, size);
  });
  const crossing: [number, number][] = [];
  for (let to = 0; to < n; to++) {
    for (const from of plan.inputs[to]!) {
      const [a, b] = [unitOf[from]!, unitOf[to]!];
      if (a === b) continue;
      crossing.push([from, to]);
      g.setEdge(`u${a}`, `u${b}`);
    }
  }
  dagre.layout(g);
  const corner = (k: number) => {
    const { x = 0, y = 0, width = 0, height = 0 } = g.node(`u${k}`);
    return { x: x - width / 2, y: y - height / 2, width, height };
  };

  const items: LayoutItem[] = [];
  const itemOf = new Int32Array(n);
  const groups: LayoutGroup[] = [];
  const edges: { from: number; to: number; points: (readonly [number, number])[] }[] = [];
  units.forEach((u, k) => {
    const box = corner(k);
    if (u.kind === "node") {
      itemOf[u.node] = items.push({ kind: "node", node: u.node, box }) - 1;
      return;
    }
    if (u.kind === "block") {
      itemOf.fill(
        items.push({ kind: "block", block: u.block, box }) - 1,
        u.block.start,
        u.block.end + 1,
      );
      return;
    }
    const layout = inner[k]!;
    const first = items.length;
    layout.boxes.forEach((b, r) => {
      itemOf[u.start + r] = items.push({ kind: "node", node: u.start + r, box: shift(b, box) }) - 1;
    });
    if (u.blocks.length === 1) groups.push({ kind: "block", index: u.blocks[0]!, box });
    const regions = regionOrder(plan, u.start, u.end);
    for (const group of layout.groups) {
      const index = group.kind === "region" ? regions[group.order]! : u.blocks[group.order]!;
      groups.push({ kind: group.kind, index, box: shift(group.box, box) });
    }
    for (const e of layout.edges) {
      edges.push({
        from: first + e.from,
        to: first + e.to,
        points: e.points.map(([x, y]) => [x + box.x, y + box.y] as const),
      });
    }
  });
  const seen = new Set<string>();
  for (const [from, to] of crossing) {
    const [a, b] = [itemOf[from]!, itemOf[to]!];
    const key = `${a}>${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const route = (g.edge(`u${unitOf[from]}`, `u${unitOf[to]}`).points ?? []).map(
      (p: { x: number; y: number }) => [p.x, p.y] as const,
    );
    // Into and out of an expanded block, an edge runs along the frame's left margin rather
    // than across the block's nodes.
    const [s, t] = [items[a]!.box, items[b]!.box];
    const [us, ut] = [units[unitOf[from]!]!, units[unitOf[to]!]!];
    const [fs, ft] = [corner(unitOf[from]!), corner(unitOf[to]!)];
    const out: (readonly [number, number])[] =
      us.kind === "open"
        ? [
            [s.x, s.y + s.height / 2],
            [fs.x + PAD / 2, s.y + s.height / 2],
            [fs.x + PAD / 2, fs.y + fs.height],
          ]
        : [[s.x + s.width / 2, s.y + s.height]];
    const into: (readonly [number, number])[] =
      ut.kind === "open"
        ? [
            [ft.x + PAD / 2, ft.y],
            [ft.x + PAD / 2, t.y + t.height / 2],
            [t.x, t.y + t.height / 2],
          ]
        : [[t.x + t.width / 2, t.y]];
    // dagre's bends lead to and from the units' centres: kept only between boxes.
    const bends = us.kind === "open" || ut.kind === "open" ? [] : route.slice(1, -1);
    edges.push({ from: a, to: b, points: [...out, ...bends, ...into] });
  }
  const { width = 0, height = 0 } = g.graph();
  return { width, height, items, itemOf, edges, groups };
}

function shift(b: Box, by: { x: number; y: number }): Box {
  return { x: b.x + by.x, y: b.y + by.y, width: b.width, height: b.height };
}

/** The units in program order: expanded blocks (merged where a region crosses), collapsed blocks, loose nodes. */
function planUnits(
  plan: ChunkPlan,
  blocks: readonly Block[],
  collapsed: ReadonlySet<string>,
): Unit[] {
  const n = plan.name.length;
  const blockOf = new Int32Array(n).fill(-1);
  blocks.forEach((b, k) => blockOf.fill(k, b.start, b.end + 1));
  const units: Unit[] = [];
  for (let i = 0; i < n;) {
    const k = blockOf[i]!;
    if (k < 0) {
      units.push({ kind: "node", node: i++ });
      continue;
    }
    const block = blocks[k]!;
    if (collapsed.has(block.key)) {
      units.push({ kind: "block", block });
      i = block.end + 1;
      continue;
    }
    // Grow over regions that run past the block's end (into a loose node or the next block).
    let end = block.end;
    const members = [k];
    for (let j = block.start; j <= end; j++) {
      const r = plan.region[j]!;
      if (r < 0 || plan.regions[r]!.end <= end) continue;
      end = plan.regions[r]!.end;
      const last = blockOf[end]!;
      if (last >= 0 && !members.includes(last)) {
        for (let m = members.at(-1)! + 1; m <= last; m++) members.push(m);
        end = Math.max(end, blocks[last]!.end);
      }
    }
    units.push({ kind: "open", start: block.start, end, blocks: members });
    i = end + 1;
  }
  return units;
}

/** The plan's regions in [start, end], by first appearance. */
function regionOrder(plan: ChunkPlan, start: number, end: number): number[] {
  const order: number[] = [];
  for (let i = start; i <= end; i++) {
    const r = plan.region[i]!;
    if (r >= 0 && !order.includes(r)) order.push(r);
  }
  return order;
}

/**
 * An expanded unit's layout: its nodes with regions (and the frames of merged blocks) as
 * clusters. Units with the same structure (edges, regions, blocks, relative to the unit) share
 * one layout (`innerLayouts`): a model's repeated layers are laid out once.
 */
function innerLayout(
  plan: ChunkPlan,
  blocks: readonly Block[],
  unit: Extract<Unit, { kind: "open" }>,
): Inner {
  const { start, end } = unit;
  const regions = regionOrder(plan, start, end);
  const merged = unit.blocks.length > 1;
  const blockIn = (i: number) =>
    unit.blocks.findIndex((k) => blocks[k]!.start <= i && i <= blocks[k]!.end);
  const shape: string[] = [];
  for (let i = start; i <= end; i++) {
    const reads = plan.inputs[i]!.filter((u) => u >= start).map((u) => u - start);
    shape.push(`${reads.join(",")}|${regions.indexOf(plan.region[i]!)}|${merged ? blockIn(i) : 0}`);
  }
  const key = shape.join(";");
  const hit = innerLayouts.get(key);
  if (hit) return hit;

  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "TB", ...SPACING, marginx: PAD, marginy: PAD + 6 });
  g.setDefaultEdgeLabel(() => ({}));
  if (merged) unit.blocks.forEach((_, b) => g.setNode(`b${b}`, {}));
  regions.forEach((r, o) => {
    g.setNode(`r${o}`, {});
    const region = plan.regions[r]!;
    const [b0, b1] = [blockIn(region.start), blockIn(region.end)];
    if (merged && b0 >= 0 && b0 === b1) g.setParent(`r${o}`, `b${b0}`);
  });
  for (let i = start; i <= end; i++) {
    const id = `n${i - start}`;
    g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    const o = regions.indexOf(plan.region[i]!);
    if (o >= 0) g.setParent(id, `r${o}`);
    else if (merged && blockIn(i) >= 0) g.setParent(id, `b${blockIn(i)}`);
  }
  const pairs = new Set<string>();
  for (let i = start; i <= end; i++) {
    for (const u of plan.inputs[i]!) {
      if (u < start || pairs.has(`${u}>${i}`)) continue;
      pairs.add(`${u}>${i}`);
      g.setEdge(`n${u - start}`, `n${i - start}`);
    }
  }
  dagre.layout(g);
  const boxOf = (id: string): Box => {
    const { x = 0, y = 0, width = 0, height = 0 } = g.node(id);
    return { x: x - width / 2, y: y - height / 2, width, height };
  };
  const groups: Inner["groups"][number][] = [];
  if (merged)
    unit.blocks.forEach((_, b) => groups.push({ kind: "block", order: b, box: boxOf(`b${b}`) }));
  regions.forEach((_, o) => groups.push({ kind: "region", order: o, box: boxOf(`r${o}`) }));
  const { width = 0, height = 0 } = g.graph();
  const result: Inner = {
    width,
    height,
    boxes: Array.from({ length: end - start + 1 }, (_, r) => boxOf(`n${r}`)),
    groups,
    edges: [...pairs].map((pair) => {
      const [u, i] = pair.split(">").map(Number) as [number, number];
      const points = (g.edge(`n${u - start}`, `n${i - start}`).points ?? []).map(
        (p: { x: number; y: number }) => [p.x, p.y] as const,
      );
      return { from: u - start, to: i - start, points };
    }),
  };
  if (innerLayouts.size >= INNER_LAYOUTS_KEPT) {
    innerLayouts.delete(innerLayouts.keys().next().value!);
  }
  innerLayouts.set(key, result);
  return result;
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
