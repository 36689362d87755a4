import type { ChunkChoice } from "../codegen/chunk-graph.js";
import type { MemoryEstimate } from "../estimate/estimate.js";
import type { SearchContext } from "../search/context.js";
import type { RegionTrace } from "../search/trace.js";
import { balancedChunkSize, largestChunkSize } from "./chunk-size.js";
import type { CostTable } from "./cost-table.js";
import type { RegionSeconds } from "./region-cost.js";
import { regionSeconds } from "./region-cost.js";
import type { RegionMemory } from "./region-memory.js";
import { regionMemory } from "./region-memory.js";

/** A legal region with its memory model. */
export interface Candidate {
  readonly trace: RegionTrace;
  readonly memory: RegionMemory;
  /** Its span peak at chunk size 1: the least it can reach. */
  readonly minPeakBytes: number;
}

/** A region chosen to chunk, its chunk size, and what that is predicted to cost. */
export interface RegionChoice extends ChunkChoice {
  readonly memory: RegionMemory;
  /** Predicted peak over its span at `chunkSize`. */
  readonly peakBytes: number;
  readonly seconds: RegionSeconds;
}

/**
 * Memory models of legal regions.
 *
 * @example
 * const candidates = withMemory(ctx, estimateMemory(graph), regionCandidates(ctx, peak, max));
 */
export function withMemory(
  ctx: SearchContext,
  base: MemoryEstimate,
  traces: readonly RegionTrace[],
): Candidate[] {
  return traces.map((trace) => {
    const memory = regionMemory(ctx, base, trace);
    return { trace, memory, minPeakBytes: memory.peakAt(1) };
  });
}

/**
 * The largest (then evened out) chunk size at which the region's span peak is within `budget`,
 * or 0 when none is.
 *
 * @example
 * chunkSizeFor(candidate, 64 << 20); // e.g. 256
 */
export function chunkSizeFor(
  candidate: Pick<Candidate, "trace" | "memory">,
  budget: number,
): number {
  const { length } = candidate.trace;
  const largest = largestChunkSize(length, (size) => candidate.memory.peakAt(size) <= budget);
  return largest === 0 ? 0 : balancedChunkSize(length, largest);
}

/**
 * A candidate as a choice at `chunkSize`, with its predicted peak and time.
 *
 * @example
 * const choice = choose(ctx, candidate, 128, table);
 * choice.seconds.chunked - choice.seconds.unchunked; // predicted slowdown in seconds
 */
export function choose(
  ctx: SearchContext,
  candidate: Pick<Candidate, "trace" | "memory">,
  chunkSize: number,
  table: CostTable,
): RegionChoice {
  return {
    trace: candidate.trace,
    chunkSize,
    memory: candidate.memory,
    peakBytes: candidate.memory.peakAt(chunkSize),
    seconds: regionSeconds(ctx, candidate.trace, chunkSize, table),
  };
}

/** Predicted seconds a choice adds to the program (negative when chunking is predicted faster). */
export const extraSeconds = (c: RegionChoice): number => c.seconds.chunked - c.seconds.unchunked;

/**
 * Every candidate that can fit `budget`, each at its largest fitting chunk size, cheapest first
 * by predicted extra time (ties: the shorter body). `made` caches choices per candidate, for a
 * search that ranks the same candidates again under the same budget.
 *
 * @example
 * const [cheapest, runnerUp] = fittingChoices(ctx, candidates, budget, table);
 */
export function fittingChoices(
  ctx: SearchContext,
  candidates: readonly Candidate[],
  budget: number,
  table: CostTable,
  made: Map<Candidate, RegionChoice> = new Map(),
): RegionChoice[] {
  const choices: RegionChoice[] = [];
  for (const candidate of candidates) {
    if (candidate.minPeakBytes > budget) continue;
    let choice = made.get(candidate);
    if (choice === undefined) {
      choice = choose(ctx, candidate, chunkSizeFor(candidate, budget), table);
      made.set(candidate, choice);
    }
    choices.push(choice);
  }
  return choices.sort(
    (a, b) => extraSeconds(a) - extraSeconds(b) || a.trace.body.length - b.trace.body.length,
  );
}

/**
 * Budget mode ("fit memory"): among the candidates that can fit `budget`, each at its largest
 * fitting chunk size, the one with the lowest predicted extra time (ties: the shorter body);
 * null when none fits. Unlike the reference, which takes the fewest nodes, the time is predicted
 * from the measured cost table.
 *
 * @example
 * const best = selectForBudget(ctx, candidates, budget, table);
 */
export function selectForBudget(
  ctx: SearchContext,
  candidates: readonly Candidate[],
  budget: number,
  table: CostTable,
): RegionChoice | null {
  return fittingChoices(ctx, candidates, budget, table)[0] ?? null;
}

/**
 * Minimum mode ("min memory"): the candidate whose span reaches the lowest peak (at chunk size
 * 1; ties: the shorter body), or null when there is none.
 *
 * @example
 * selectForMinimum(candidates)?.minPeakBytes;
 */
export function selectForMinimum(candidates: readonly Candidate[]): Candidate | null {
  let best: Candidate | null = null;
  for (const c of candidates) {
    if (
      best === null ||
      c.minPeakBytes < best.minPeakBytes ||
      (c.minPeakBytes === best.minPeakBytes && c.trace.body.length < best.trace.body.length)
    ) {
      best = c;
    }
  }
  return best;
}

/**
 * Minimum mode: `best` grown over the one-input node that alone reads its end (a permute, say),
 * and on over such nodes: the candidate that ends there, starts no later, and reaches the lowest
 * minimum peak, when that peak is at most one chunk index (its slope in the chunk size) above
 * the current one. Ending before such a node leaves its input and its output whole and live
 * together when it runs, and no region chosen later can slice that node on its own (its input
 * is whole); yet for the peak at hand regions often tie on their minimum, and the shorter body
 * would win. The Evoformer's triangle multiplication permutes each gated projection once made:
 * a region that ended at the projection held two pair tensors at the permute.
 *
 * @example
 * extendOverSoleReaders(ctx, candidates, selectForMinimum(candidates));
 */
export function extendOverSoleReaders(
  ctx: SearchContext,
  candidates: readonly Candidate[],
  best: Candidate | null,
): Candidate | null {
  const { graph, lastUse } = ctx;
  let current = best;
  while (current !== null) {
    const { start, end } = current.trace;
    const reader = lastUse[end]!;
    const node = graph.nodes[reader];
    if (node === undefined || node.inputs.length !== 1 || node.inputs[0] !== end) break;
    // The last reader is the only one when no earlier node reads the end.
    if (graph.nodes.some((n) => n.id < reader && n.inputs.includes(end))) break;
    const limit = current.minPeakBytes;
    let next: Candidate | null = null;
    for (const c of candidates) {
      if (c.trace.start > start || c.trace.end !== reader) continue;
      const perIndex = c.memory.peakAt(2) - c.memory.peakAt(1);
      if (c.minPeakBytes > limit + perIndex) continue;
      if (next === null || c.minPeakBytes < next.minPeakBytes) next = c;
    }
    if (next === null) break;
    current = next;
  }
  return current;
}
