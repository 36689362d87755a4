/*
 * The search plan: cuVS's search_plan.cuh and search_single_cta.cuh turned into one pure
 * function. It fills every "auto" (0) of SearchParams with the value cuVS would pick, in the
 * order cuVS picks them (the automatic max_iterations, for one, is computed from itopk_size
 * before itopk_size is rounded up to a multiple of 32), and sizes the buffers and visited hash.
 */
import { DEFAULT_SEARCH_PARAMS, type SearchAlgo, type SearchParams } from "../params.js";
import { assertXorMask } from "./random-seeds.js";
import { roundUp } from "../../common/sizes.js";

/** How the visited set is kept (cuVS hash_mode). */
export type HashmapMode = "auto" | "small" | "hash";

/** Facts about the index, the batch and the device that the plan depends on. */
export interface SearchPlanInput {
  /** Rows in the index (N). */
  datasetSize: number;
  /** Out-degree of the graph (G). */
  graphDegree: number;
  /** Neighbours wanted per query. */
  k: number;
  /** Queries in the call. */
  numQueries: number;
  /** Streaming multiprocessors / compute units; needed only when `algo` is "auto". */
  computeUnits?: number;
  /** A filter is applied (forces the global HASH table, as in cuVS). */
  filtered?: boolean;
  /** Fraction of rows the filter removes, in [0, 1); multi-CTA widens itopk by it. Default 0. */
  filteringRate?: number;
  /** cuVS hashmap_mode. Default "auto". */
  hashmapMode?: HashmapMode;
  /** cuVS hashmap_min_bitlen, ≤ 20. Default 0. */
  hashmapMinBitlen?: number;
  /** cuVS hashmap_max_fill_rate, in [0.1, 0.9). Default 0.5. */
  hashmapMaxFillRate?: number;
  /** Entry points given per query (cuVS num_seeds), at most the result buffer. Default 0. */
  seedsPerQuery?: number;
  /** The given entry points are the only ones (see SearchPlan.seedsOnly). Default false. */
  seedsOnly?: boolean;
}

/** Every search setting resolved to a concrete value. */
export interface SearchPlan {
  readonly algo: Exclude<SearchAlgo, "auto">;
  readonly k: number;
  readonly datasetSize: number;
  readonly graphDegree: number;
  /** Internal top-k size M, a multiple of 32. */
  readonly itopkSize: number;
  /** Parents per iteration p. */
  readonly searchWidth: number;
  readonly minIterations: number;
  readonly maxIterations: number;
  readonly numRandomSamplings: number;
  readonly randXorMask: number;
  /**
   * Entry points given per query (cuVS num_seeds): they take the first `numSeeds` slots of
   * the random init (sampling 0), in place of the random nodes; 0 = random only, as cuVS.
   */
  readonly numSeeds: number;
  /**
   * The random init takes only the given entry points: the first `numSeeds` slots, sampling 0
   * (a slot whose entry point is INVALID_ID keeps its random node), the other slots left
   * empty. Coarse entry points (seeds/coarse-seeds.ts) run so: the random nodes of the other
   * slots cost a distance each and, on clustered data, land far from the query. False (cuVS)
   * when no entry points are given.
   */
  readonly seedsOnly: boolean;
  /** Queries per launch (cuVS max_queries). */
  readonly batchSize: number;
  /** Children computed per iteration, p·G. */
  readonly candidateCount: number;
  /** The result buffer: M sorted entries, then p·G candidates (also the random init's slots). */
  readonly resultBufferSize: number;
  /** The result buffer rounded up to 32 entries, as allocated in shared memory. */
  readonly paddedResultBufferSize: number;
  /** How the single-CTA kernel selects the top M: bitonic if p·G ≤ 256, else radix. */
  readonly topkSort: "bitonic" | "radix";
  /** "small": per-workgroup table, reset every `hashResetInterval` iterations; "hash": per query in global memory. */
  readonly hashMode: "small" | "hash";
  /** The visited table has 2^hashBitlen slots (multi-CTA: the shared "traversed" table). */
  readonly hashBitlen: number;
  /** Iterations between resets of a "small" table; cuVS's 2^20 (never, in practice) for "hash". */
  readonly hashResetInterval: number;
  /** Workgroups per query: 1, or max(p, ⌈M/32⌉) for multi-CTA. */
  readonly ctasPerQuery: number;
  /** Multi-CTA only: bit length of each workgroup's private visited table (0 otherwise). */
  readonly ctaHashBitlen: number;
}

const MAX_BATCH = 65535; // CUDA's maxGridSize.y, which bounds cuVS's automatic max_queries
const SINGLE_CTA_MAX_ITOPK = 512;
const MULTI_CTA_ITOPK = 32;
const NO_RESET = 1024 * 1024;

/**
 * Resolves `params` (missing fields take cuVS's defaults) for a search of `input.k` neighbours.
 * Throws a RangeError naming the parameter when a value is out of range or the combination
 * is impossible (k > itopk, itopk > 512 for single-CTA, a SMALL hash that cannot fit…).
 *
 * @example
 * const plan = planSearch({ datasetSize: 1_000_000, graphDegree: 64, k: 10, numQueries: 10_000, computeUnits: 108 }, {});
 * plan.maxIterations; // 68
 * plan.hashBitlen; // 8 (256 slots), reset every iteration
 */
export function planSearch(input: SearchPlanInput, params: Partial<SearchParams>): SearchPlan {
  const p: SearchParams = { ...DEFAULT_SEARCH_PARAMS, ...params };
  const { datasetSize: n, graphDegree: g, k, numQueries } = input;
  assertInteger("datasetSize", n, 1, 0x7fffffff);
  assertInteger("graphDegree", g, 1, 0xffffffff);
  assertInteger("numQueries", numQueries, 0, Number.MAX_SAFE_INTEGER);
  assertInteger("k", k, 1, n);
  assertInteger("itopkSize", p.itopkSize, 1, Number.MAX_SAFE_INTEGER);
  assertInteger("searchWidth", p.searchWidth, 1, Number.MAX_SAFE_INTEGER);
  assertInteger("maxIterations", p.maxIterations, 0, Number.MAX_SAFE_INTEGER);
  assertInteger("minIterations", p.minIterations, 0, Number.MAX_SAFE_INTEGER);
  assertInteger("numRandomSamplings", p.numRandomSamplings, 1, Number.MAX_SAFE_INTEGER);
  assertInteger("maxQueries", p.maxQueries, 0, Number.MAX_SAFE_INTEGER);
  assertXorMask(p.randXorMask);
  if (p.maxIterations !== 0 && p.maxIterations < p.minIterations) {
    throw new RangeError(
      `maxIterations (${p.maxIterations}) is below minIterations (${p.minIterations}); raise maxIterations or use 0 (auto).`,
    );
  }
  const filteringRate = input.filteringRate ?? 0;
  if (!(filteringRate >= 0 && filteringRate < 1)) {
    throw new RangeError(`filteringRate must be in [0, 1), got ${filteringRate}.`);
  }

  const batchSize = p.maxQueries === 0 ? Math.min(numQueries, MAX_BATCH) : p.maxQueries;
  const algo = resolveAlgo(p.algo, p.itopkSize, batchSize, input.computeUnits);
  const maxIterations = resolveMaxIterations(algo, p, n, g);

  let itopkSize = p.itopkSize;
  if (algo === "multi_cta" && filteringRate > 0) {
    // Keep k survivors after filtering: k/(1−r) for the answers, (M−k)/√(1−r) for the rest.
    const widened = Math.floor(
      k / (1 - filteringRate) + (itopkSize - k) / Math.sqrt(1 - filteringRate),
    );
    itopkSize = Math.max(itopkSize, roundUp(widened, 32));
  }
  itopkSize = roundUp(itopkSize, 32);

  if (algo === "single_cta" && itopkSize > SINGLE_CTA_MAX_ITOPK) {
    throw new RangeError(
      `itopkSize (${itopkSize}) must be ≤ ${SINGLE_CTA_MAX_ITOPK} for single_cta; lower it or use multi_cta.`,
    );
  }
  if (k > itopkSize) {
    throw new RangeError(
      `k (${k}) must be ≤ itopkSize (${itopkSize} after rounding up to a multiple of 32); raise itopkSize.`,
    );
  }

  const candidateCount = p.searchWidth * g;
  const resultBufferSize = itopkSize + candidateCount;
  const numSeeds = input.seedsPerQuery ?? 0;
  assertInteger("seedsPerQuery", numSeeds, 0, resultBufferSize);
  const hash = planHash(input, algo, itopkSize, p.searchWidth, g, maxIterations);
  return {
    algo,
    k,
    datasetSize: n,
    graphDegree: g,
    itopkSize,
    searchWidth: p.searchWidth,
    minIterations: p.minIterations,
    maxIterations,
    numRandomSamplings: p.numRandomSamplings,
    randXorMask: p.randXorMask,
    numSeeds,
    seedsOnly: numSeeds > 0 && input.seedsOnly === true,
    batchSize,
    candidateCount,
    resultBufferSize,
    paddedResultBufferSize: roundUp(resultBufferSize, 32),
    topkSort: candidateCount <= 256 ? "bitonic" : "radix",
    ...hash,
    ctasPerQuery:
      algo === "multi_cta" ? Math.max(p.searchWidth, Math.ceil(itopkSize / MULTI_CTA_ITOPK)) : 1,
  };
}

/** cuVS AUTO: single-CTA when itopk ≤ 512 and the batch fills twice the SMs, else multi-CTA. */
function resolveAlgo(
  algo: SearchAlgo,
  itopkSize: number,
  batchSize: number,
  computeUnits: number | undefined,
): Exclude<SearchAlgo, "auto"> {
  switch (algo) {
    case "single_cta":
    case "multi_cta":
    case "multi_kernel":
      return algo;
    case "auto":
      if (computeUnits === undefined) {
        throw new RangeError(
          `algo "auto" needs computeUnits (the device's SM / compute-unit count); pass it or choose an algo.`,
        );
      }
      assertInteger("computeUnits", computeUnits, 1, Number.MAX_SAFE_INTEGER);
      return itopkSize <= SINGLE_CTA_MAX_ITOPK && batchSize >= 2 * computeUnits
        ? "single_cta"
        : "multi_cta";
    default:
      throw new RangeError(
        `algo must be "auto", "single_cta", "multi_cta" or "multi_kernel", got ${String(algo)}.`,
      );
  }
}

/**
 * cuVS's automatic max_iterations: M/p (multi-CTA: 32/1), plus one per factor max(2, G/2) the
 * reachable set must grow by to cover N. cuVS replaces an automatic value by min_iterations
 * whenever min_iterations is larger than 0, which can shrink it; we take the larger of the two.
 */
function resolveMaxIterations(
  algo: Exclude<SearchAlgo, "auto">,
  p: SearchParams,
  n: number,
  g: number,
): number {
  if (p.maxIterations !== 0) return p.maxIterations;
  let iterations = algo === "multi_cta" ? MULTI_CTA_ITOPK : Math.floor(p.itopkSize / p.searchWidth);
  const growth = Math.max(2, Math.floor(g / 2));
  for (let reachable = 1; reachable < n; reachable *= growth) iterations++;
  return Math.max(iterations, p.minIterations);
}

function planHash(
  input: SearchPlanInput,
  algo: Exclude<SearchAlgo, "auto">,
  itopkSize: number,
  searchWidth: number,
  g: number,
  maxIterations: number,
): Pick<SearchPlan, "hashMode" | "hashBitlen" | "hashResetInterval" | "ctaHashBitlen"> {
  const mode = input.hashmapMode ?? "auto";
  const minBitlen = input.hashmapMinBitlen ?? 0;
  const fill = input.hashmapMaxFillRate ?? 0.5;
  if (mode !== "auto" && mode !== "small" && mode !== "hash") {
    throw new RangeError(`hashmapMode must be "auto", "small" or "hash", got ${String(mode)}.`);
  }
  assertInteger("hashmapMinBitlen", minBitlen, 0, 20);
  if (!(fill >= 0.1 && fill < 0.9)) {
    throw new RangeError(`hashmapMaxFillRate must be in [0.1, 0.9), got ${fill}.`);
  }
  const forced = input.filtered ? "a filter" : algo === "multi_cta" ? "multi_cta" : undefined;
  if (forced !== undefined && mode === "small") {
    throw new RangeError(
      `hashmapMode "small" is not available with ${forced}; use "auto" or "hash".`,
    );
  }
  // The smallest bit length ≥ `from` whose table holds `entries` at the fill rate.
  const bitsFor = (entries: number, from: number): number => {
    let bits = from;
    while (entries > 2 ** bits * fill) bits++;
    return bits;
  };

  if (algo === "multi_cta") {
    const ctas = Math.max(searchWidth, Math.ceil(itopkSize / MULTI_CTA_ITOPK));
    // cuVS sizes the per-workgroup table without hashmap_min_bitlen.
    const ctaHashBitlen = bitsFor(MULTI_CTA_ITOPK + 2 * g, 8);
    const hashBitlen = bitsFor(
      ctas * Math.max(MULTI_CTA_ITOPK, maxIterations),
      Math.max(11, minBitlen),
    );
    if (ctaHashBitlen > 14 || hashBitlen > 25) {
      throw new RangeError(
        `multi_cta needs hash tables of 2^${ctaHashBitlen} and 2^${hashBitlen} slots, above cuVS's limits (2^14, 2^25); lower graphDegree, itopkSize or maxIterations.`,
      );
    }
    return { hashMode: "hash", hashBitlen, hashResetInterval: NO_RESET, ctaHashBitlen };
  }

  if (forced === undefined && mode !== "hash") {
    const perIteration = searchWidth * g;
    const bits = bitsFor(itopkSize + perIteration, Math.max(8, minBitlen));
    if (bits <= 13) {
      // The largest interval r ≥ 1 with M + p·G·r still within the fill rate.
      let interval = 1;
      while (itopkSize + perIteration * (interval + 1) <= 2 ** bits * fill) interval++;
      return { hashMode: "small", hashBitlen: bits, hashResetInterval: interval, ctaHashBitlen: 0 };
    }
    if (mode === "small") {
      throw new RangeError(
        `hashmapMode "small" needs 2^${bits} slots, above its limit of 2^13; lower itopkSize, searchWidth or use "auto".`,
      );
    }
  }
  const hashBitlen = bitsFor(itopkSize + searchWidth * g * maxIterations, Math.max(11, minBitlen));
  if (hashBitlen > 20) {
    throw new RangeError(
      `the visited hash would need 2^${hashBitlen} slots per query (limit 2^20); lower itopkSize, searchWidth or maxIterations.`,
    );
  }
  return { hashMode: "hash", hashBitlen, hashResetInterval: NO_RESET, ctaHashBitlen: 0 };
}

function assertInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}.`);
  }
}
