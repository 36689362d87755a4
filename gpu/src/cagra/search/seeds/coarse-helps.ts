import { matrix, type Matrix } from "../../../common/matrix.js";
import { searchCpu, type CpuSearchResult } from "../cpu.js";
import type { SearchIndex } from "../validate.js";
import type { CoarseLevel } from "./coarse-level.js";
import { coarseSearchParams, coarseSeeds } from "./coarse-seeds.js";

/** Index rows searched as probes by coarseHelps (fewer when the index has fewer rows). */
export const PROBE_ROWS = 200;

const K = 10;
/** Iterations of the probes' main search from the coarse seeds (itopk 32). */
const PROBE_ITERATIONS = 8;

/**
 * Whether `level`'s seeds (`count` per query) are worth their search on this index, by the
 * work they cost: PROBE_ROWS evenly spaced rows of the index are searched from the coarse
 * seeds (itopk 32, PROBE_ITERATIONS iterations) and from cuVS's random entry points with as
 * many more iterations as the coarse search expanded children, divided by the index's degree
 * (SIFT-5k's G32: 8 against 21; synthetic-100k's G64: 8 against 15). The seeds help when their
 * search finds more of the 10 nearest rows either search found. Each probe is its own nearest
 * row, which a search finds only if it reaches the row's neighbourhood: where random entries
 * fail on clustered data. Deterministic for an index and level.
 *
 * @example
 * const level = await buildCoarseLevel(index);
 * coarseHelps(index, level, 16); // false on SIFT-5k, true on Gaussian mixtures
 */
export function coarseHelps(index: SearchIndex, level: CoarseLevel, count: number): boolean {
  const { dataset, graph } = index;
  const probes = probeRows(dataset);
  const k = Math.min(K, dataset.rows);
  const coarseParams = coarseSearchParams(count, level.ids.length);
  const children =
    coarseParams.searchWidth! * (coarseParams.maxIterations! - 1) * level.index.graph.degree;
  const extra = Math.ceil(children / Math.max(1, graph.degree));
  const seeds = coarseSeeds(level, probes, count);
  const params = { itopkSize: 32, algo: "single_cta" as const };
  const coarse = searchCpu(
    index,
    probes,
    k,
    { ...params, maxIterations: PROBE_ITERATIONS },
    { seeds, seedsOnly: true },
  );
  const random = searchCpu(index, probes, k, {
    ...params,
    maxIterations: PROBE_ITERATIONS + extra,
  });
  // Reported distances: larger is nearer for inner product only.
  const sign = index.metric === "inner_product" ? -1 : 1;
  const [hitsCoarse, hitsRandom] = hitsAgainstUnion(coarse, random, probes.rows, k, sign);
  return hitsCoarse > hitsRandom;
}

/** Rows ⌊(r + ½)·N/P⌋: halfway between the coarse level's samples ⌊r·N/size⌋ when P = size. */
function probeRows(dataset: Matrix): Matrix {
  const { rows, cols } = dataset;
  const count = Math.min(PROBE_ROWS, rows);
  const out = new Float32Array(count * cols);
  for (let p = 0; p < count; p++) {
    const row = Math.floor(((p + 0.5) * rows) / count);
    out.set(dataset.data.subarray(row * cols, (row + 1) * cols), p * cols);
  }
  return matrix(out, count, cols);
}

/**
 * Per search, how many of its ids are among the k nearest of both searches' ids together
 * (by reported distance times `sign`, smaller nearer; an id both found counts once), summed
 * over the queries.
 */
function hitsAgainstUnion(
  a: CpuSearchResult,
  b: CpuSearchResult,
  queries: number,
  k: number,
  sign: number,
): [number, number] {
  let hitsA = 0;
  let hitsB = 0;
  for (let q = 0; q < queries; q++) {
    const found = new Map<number, number>();
    for (const r of [a, b]) {
      for (let j = q * k; j < (q + 1) * k; j++) found.set(r.neighbors[j]!, sign * r.distances[j]!);
    }
    const nearest = new Set(
      [...found.entries()]
        .sort((x, y) => x[1] - y[1] || x[0] - y[0])
        .slice(0, k)
        .map(([id]) => id),
    );
    for (let j = q * k; j < (q + 1) * k; j++) {
      if (nearest.has(a.neighbors[j]!)) hitsA++;
      if (nearest.has(b.neighbors[j]!)) hitsB++;
    }
  }
  return [hitsA, hitsB];
}
