/** A repeated block of the program (a layer): a run of nodes under one top-level scope. */
export interface Block {
  /** Unique key: the scope, with "#k" appended when the scope recurs later. */
  readonly key: string;
  /** The scope as named ("h0", "blocks3", "msa_att_row"). */
  readonly label: string;
  /** First and last node, inclusive. */
  readonly start: number;
  readonly end: number;
}

/** Blocks shorter than this stay expanded: collapsing two nodes into one hides more than it saves. */
const MIN_BLOCK_NODES = 3;

/**
 * The program's blocks: maximal runs of consecutive nodes whose names share their first
 * dotted segment ("h0.attn.matmul" and "h0.mlp.gelu" are in block "h0"). Model builders name
 * nodes by scope (gpu's `GraphBuilder.scope`), so a block is a layer, an attention or a
 * residual unit; unscoped nodes ("add") belong to none.
 *
 * @example
 * planBlocks(["x", "h0.ln", "h0.attn.mm", "h0.add", "h1.ln", "h1.attn.mm", "h1.add"]);
 * // [{ key: "h0", label: "h0", start: 1, end: 3 }, { key: "h1", label: "h1", start: 4, end: 6 }]
 */
export function planBlocks(names: readonly string[]): Block[] {
  const blocks: Block[] = [];
  const seen = new Map<string, number>();
  let start = 0;
  for (let i = 1; i <= names.length; i++) {
    const scope = scopeOf(names[start]!);
    if (i < names.length && scope !== undefined && scopeOf(names[i]!) === scope) continue;
    if (scope !== undefined && i - start >= MIN_BLOCK_NODES) {
      const k = seen.get(scope) ?? 0;
      seen.set(scope, k + 1);
      blocks.push({ key: k === 0 ? scope : `${scope}#${k}`, label: scope, start, end: i - 1 });
    }
    start = i;
  }
  return blocks;
}

function scopeOf(name: string): string | undefined {
  const dot = name.indexOf(".");
  return dot > 0 ? name.slice(0, dot) : undefined;
}

/**
 * The blocks to draw collapsed at first: none when the graph has at most `maxVisible` nodes;
 * otherwise every block but those holding a node in `keep` (the peaks), so a 2,000-node
 * program opens as a readable chain of layers with the interesting one expanded.
 *
 * @example
 * defaultCollapsed(blocks, 2000, [peakNode]); // Set { "h0", "h1", … } without the peak's block
 */
export function defaultCollapsed(
  blocks: readonly Block[],
  nodes: number,
  keep: readonly number[],
  maxVisible = 300,
): Set<string> {
  if (nodes <= maxVisible) return new Set();
  const held = (b: Block) => keep.some((i) => i >= b.start && i <= b.end);
  return new Set(blocks.filter((b) => !held(b)).map((b) => b.key));
}

/**
 * The blocks collapsed when a plan opens: `defaultCollapsed` keeping the blocks of the chunked
 * program's peak and of the peak before chunking (the widget and the static SVG open alike).
 *
 * @example
 * chunkPlanLayout(plan, blocks, collapsedAtOpen(plan, blocks));
 */
export function collapsedAtOpen(
  plan: { readonly name: readonly string[]; readonly peakNode: { before: number; after: number } },
  blocks: readonly Block[],
): Set<string> {
  return defaultCollapsed(blocks, plan.name.length, [plan.peakNode.after, plan.peakNode.before]);
}
