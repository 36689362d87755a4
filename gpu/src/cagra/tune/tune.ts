/*
 * Auto-tuning of the search parameters: the highest-throughput setting that reaches a recall
 * target on held-out queries. The exact neighbours are computed once (brute force); then, for
 * each search width, itopk grows until the target is met, and at that itopk the iteration
 * cap is tightened (CAGRA's automatic max_iterations leaves slack: most queries converge
 * before it). Every measured setting is returned, so a notebook can plot the sweep.
 */
import type { Matrix } from "../../common/matrix.js";
import { idRecall } from "../../datasets/recall.js";
import type { Backend } from "../../device/backend.js";
import { cpuBackend } from "../../device/select.js";
import { prepareForMetric } from "../distance.js";
import { bruteForceKnn } from "../knn/brute-force.js";
import type { SearchParams } from "../params.js";
import { search } from "../search/search.js";
import type { CagraIndex } from "../types.js";

/** What tune() aims for and how it measures. */
export interface TuneOptions {
  /** recall@k to reach, in (0, 1]. */
  readonly recall: number;
  /** Neighbours per query. */
  readonly k: number;
  /** Where the searches run; default the CPU on this thread. */
  readonly backend?: Backend;
  /** Timed passes per setting, the fastest kept; default 3. */
  readonly repeats?: number;
  /** Search widths tried; default [1, 2, 4]. */
  readonly searchWidths?: readonly number[];
  /** itopk sizes tried, ascending; default 32 … 512. */
  readonly itopkSizes?: readonly number[];
  /** Parameters every setting keeps (e.g. numRandomSamplings); the sweep sets the others. */
  readonly fixed?: Readonly<Partial<SearchParams>>;
  /** Fractions of the planned max_iterations tried once a setting meets the target. */
  readonly iterationFractions?: readonly number[];
  readonly signal?: AbortSignal;
}

/** One measured setting. */
export interface TuneRow {
  readonly params: Readonly<Partial<SearchParams>>;
  /** recall@k by ids against the exact neighbours. */
  readonly recall: number;
  /** Queries per second, the fastest of the timed passes. */
  readonly qps: number;
  /** The max_iterations the plan ran (automatic unless params set it). */
  readonly maxIterations: number;
}

/** tune()'s answer: the setting chosen and everything measured on the way. */
export interface TuneResult {
  /** The fastest setting reaching the target, or undefined when none did. */
  readonly best: TuneRow | undefined;
  readonly target: number;
  readonly k: number;
  readonly queries: number;
  /** Every setting measured, in the order tried. */
  readonly sweep: readonly TuneRow[];
  /** Seconds spent on the exact neighbours. */
  readonly groundTruthSeconds: number;
}

const ITOPK_SIZES = [32, 64, 96, 128, 192, 256, 384, 512];
const SEARCH_WIDTHS = [1, 2, 4];
const ITERATION_FRACTIONS = [0.5, 0.75];

/**
 * The search parameters with the highest QPS whose recall@k on `queries` reaches
 * `options.recall`, with the table of what was measured. `queries` should be held out from
 * the index (not rows of it), or recall is overstated.
 *
 * @example
 * const { best, sweep } = await tune(index, heldOut, { recall: 0.95, k: 10 });
 * await search(backend, index, queries, 10, best!.params);
 */
export async function tune(
  index: CagraIndex,
  queries: Matrix,
  options: TuneOptions,
): Promise<TuneResult> {
  const { recall: target, k, repeats = 3, signal } = options;
  const backend = options.backend ?? cpuBackend();
  const widths = options.searchWidths ?? SEARCH_WIDTHS;
  const itopks = options.itopkSizes ?? ITOPK_SIZES;
  const fractions = options.iterationFractions ?? ITERATION_FRACTIONS;
  if (!(target > 0 && target <= 1)) {
    throw new RangeError(`tune: recall must be in (0, 1], got ${target}.`);
  }
  if (!Number.isSafeInteger(repeats) || repeats < 1) {
    throw new RangeError(`tune: repeats must be an integer ≥ 1, got ${repeats}.`);
  }
  if (index.dataset === undefined) {
    throw new TypeError(`tune: the index holds no dataset; ground truth needs its vectors.`);
  }
  if (queries.rows < 1) throw new RangeError(`tune: pass at least one query.`);

  const started = performance.now();
  const metric = index.metric;
  const truth = await bruteForceKnn(
    prepareForMetric(index.dataset, metric),
    prepareForMetric(queries, metric),
    k,
    metric,
    { threads: backend.kind === "cpu" ? backend.threads : 1, ...(signal ? { signal } : {}) },
  );
  const groundTruthSeconds = (performance.now() - started) / 1000;
  const exact = { neighbors: truth.neighbors, queries: queries.rows, k };

  const sweep: TuneRow[] = [];
  const measure = async (swept: Partial<SearchParams>): Promise<TuneRow> => {
    signal?.throwIfAborted();
    const params = { ...options.fixed, ...swept };
    let seconds = Infinity;
    let result = await search(backend, index, queries, k, params);
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      result = await search(backend, index, queries, k, params);
      seconds = Math.min(seconds, (performance.now() - t) / 1000);
    }
    const row: TuneRow = {
      params,
      recall: idRecall(result, exact),
      qps: queries.rows / seconds,
      maxIterations: result.plan.maxIterations,
    };
    sweep.push(row);
    return row;
  };

  for (const searchWidth of widths) {
    for (const itopkSize of itopks) {
      if (itopkSize < k) continue;
      const row = await measure({ itopkSize, searchWidth });
      if (row.recall < target) continue;
      for (const f of fractions) {
        const maxIterations = Math.max(1, Math.ceil(row.maxIterations * f));
        await measure({ itopkSize, searchWidth, maxIterations });
      }
      break;
    }
  }
  const reaching = sweep.filter((r) => r.recall >= target);
  const best = reaching.reduce<TuneRow | undefined>(
    (a, r) => (a && a.qps >= r.qps ? a : r),
    undefined,
  );
  return { best, target, k, queries: queries.rows, sweep, groundTruthSeconds };
}
