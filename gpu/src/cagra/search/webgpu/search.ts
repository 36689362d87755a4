/// <reference types="@webgpu/types" />
import type { Matrix } from "../../../common/matrix.js";
import type { WebGpuBackend } from "../../../device/backend.js";
import {
  createBuffer,
  destroyBuffer,
  readBuffer,
  uploadBuffer,
  writeBuffer,
  type TrackedBuffer,
} from "../../../device/webgpu/buffers.js";
import { pipelineFor, submit, type Dispatch } from "../../../device/webgpu/pipelines.js";
import { BufferUsage } from "../../../device/webgpu/usage.js";
import { prepareForMetric, reportedDistance } from "../../distance.js";
import type { SearchParams } from "../../params.js";
import type { Progress, SearchResult } from "../../types.js";
import { filteringRate } from "../filter.js";
import { planSearch, type HashmapMode, type SearchPlan } from "../plan.js";
import { initialSeedIds } from "../random-seeds.js";
import { validateSearchInputs, type SearchIndex } from "../validate.js";
import { padRows, searchIndexBuffers } from "./index-buffers.js";
import { planLaunch, type Launch, type LaunchOptions } from "./launch.js";
import {
  fillKernel,
  fillParams,
  fillWorkgroups,
  FILL_PARAMS_BYTES,
  FILL_WORKGROUP_SIZE,
  mergeKernel,
  mergeParams,
  MERGE_PARAMS_BYTES,
  multiCtaKernel,
  multiCtaParams,
  multiCtaSeeds,
  multiCtaShape,
  MULTI_CTA_PARAMS_BYTES,
} from "./multi-cta.js";
import {
  singleCtaKernel,
  singleCtaParams,
  singleCtaShape,
  SINGLE_CTA_PARAMS_BYTES,
} from "./single-cta.js";

/** Options of a WebGPU search beyond cuVS's search parameters. */
export interface WebGpuSearchOptions extends LaunchOptions {
  /** Bitset over the index rows, 1 = may be returned (see bitsetFilter). */
  readonly filter?: Uint32Array;
  /** Checked between batches; an abort frees the batch buffers and rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called after each batch, stage "search", done/total in batches. */
  readonly onProgress?: (p: Progress) => void;
  /**
   * Streaming multiprocessors / compute units for cuVS's AUTO rule (single-CTA once a batch
   * fills twice the units, else multi-CTA) and its workgroup-size rule. WebGPU does not expose
   * the count; see defaultComputeUnits.
   */
  readonly computeUnits?: number;
  /** cuVS hashmap_mode (default "auto"). */
  readonly hashmapMode?: HashmapMode;
}

/** A search result with the plan and launch it ran and cuVS's per-query iteration counts. */
export interface WebGpuSearchResult extends SearchResult {
  /** Iterations each query ran (cuVS num_executed_iterations; multi-CTA: its first workgroup's). */
  readonly iterations: Uint32Array;
  readonly plan: SearchPlan;
  readonly launch: Launch;
}

/** The tracker's op name for the per-call buffers. */
const OP = "search";

/**
 * The compute-unit count assumed when none is given. A GPU gets 80, between mid-range and
 * data-centre parts (RTX 3070: 46 SMs, A100: 108, H100: 132); it only sets the batch size
 * (160) from which AUTO runs single-CTA, and when small batches get wider workgroups. A CPU
 * adapter (SwiftShader) runs workgroups on CPU threads, so there it is the thread count.
 *
 * @example
 * defaultComputeUnits(gpu); // 80 on a GPU
 */
export function defaultComputeUnits(backend: WebGpuBackend): number {
  if (backend.adapter.architecture !== "swiftshader") return 80;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 4);
}

/**
 * Batched k-NN search of `queries` over a CAGRA graph on WebGPU: cuVS's single-CTA kernel
 * (one workgroup per query) for large batches, its multi-CTA kernel (several workgroups per
 * query) for small ones, chosen as cuVS's AUTO chooses or by `params.algo`. `index.dataset`
 * must already be prepared for the metric (prepareForMetric); queries are prepared here.
 * The dataset and graph are uploaded on first use and kept until releaseSearchBuffers.
 * Results are [queries, k] row-major, closest first, with reported distances (+dot for inner
 * product); a slot the search could not fill holds 0xFFFFFFFF. Single-CTA returns what
 * searchCpu returns for the same index, queries and parameters.
 *
 * @example
 * const res = await searchWebGpu(gpu, { dataset, graph, metric: "sqeuclidean" }, queries, 10);
 * res.neighbors.subarray(0, 10); // the 10 neighbours of query 0
 * releaseSearchBuffers(gpu, index); // when done with the index
 */
export async function searchWebGpu(
  backend: WebGpuBackend,
  index: SearchIndex,
  queries: Matrix,
  k: number,
  params: Partial<SearchParams> = {},
  options: WebGpuSearchOptions = {},
): Promise<WebGpuSearchResult> {
  const { filter, signal, onProgress } = options;
  validateSearchInputs(index, queries, k, filter);
  const computeUnits = options.computeUnits ?? defaultComputeUnits(backend);
  const { dataset, graph, metric } = index;
  const plan = planSearch(
    {
      datasetSize: dataset.rows,
      graphDegree: graph.degree,
      k,
      numQueries: queries.rows,
      computeUnits,
      filtered: filter !== undefined,
      filteringRate: filter === undefined ? 0 : filteringRate(filter, dataset.rows),
      ...(options.hashmapMode === undefined ? {} : { hashmapMode: options.hashmapMode }),
    },
    params,
  );
  const launch = planLaunch(
    plan,
    dataset.cols,
    {
      limits: backend.limits,
      computeUnits,
      cpuAdapter: backend.adapter.architecture === "swiftshader",
    },
    options,
  );
  signal?.throwIfAborted();
  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  const result = { neighbors, distances, queries: queries.rows, k, iterations, plan, launch };
  if (queries.rows === 0) return result;

  const base = { metric, subgroups: backend.features.subgroups };
  const run =
    plan.algo === "single_cta"
      ? await singleCtaRunner(backend, plan, launch, base, filter)
      : await multiCtaRunner(backend, plan, launch, base, filter);
  const prepared = padRows(prepareForMetric(queries, metric), launch.dimV * 4);
  const { dataset: datasetBuffer, graph: graphBuffer } = searchIndexBuffers(backend, index);
  const owned: TrackedBuffer[] = [];
  const own = (b: TrackedBuffer) => (owned.push(b), b);
  try {
    const cap = launch.batchSize;
    const queryBuffer = own(
      createBuffer(
        backend,
        cap * launch.dimV * 16,
        BufferUsage.STORAGE | BufferUsage.COPY_DST,
        "search queries",
        OP,
      ),
    );
    const outBuffer = own(
      createBuffer(
        backend,
        cap * (2 * k + 1) * 4,
        BufferUsage.STORAGE | BufferUsage.COPY_SRC,
        "search results",
        OP,
      ),
    );
    const batch = run.allocate(cap, own);
    const total = Math.ceil(queries.rows / cap);
    for (let b = 0; b < total; b++) {
      signal?.throwIfAborted();
      const q0 = b * cap;
      const rows = Math.min(cap, queries.rows - q0);
      writeBuffer(
        backend,
        queryBuffer,
        prepared.subarray(q0 * launch.dimV * 4, (q0 + rows) * launch.dimV * 4),
      );
      submit(
        backend,
        batch.dispatches(rows, k, [datasetBuffer, graphBuffer, queryBuffer], outBuffer),
        "search batch",
      );
      const words = new Uint32Array(await readBuffer(backend, outBuffer, rows * (2 * k + 1) * 4));
      const floats = new Float32Array(words.buffer);
      for (let i = 0; i < rows * k; i++) {
        neighbors[q0 * k + i] = words[i]!;
        distances[q0 * k + i] = reportedDistance(metric, floats[rows * k + i]!);
      }
      iterations.set(words.subarray(2 * rows * k, 2 * rows * k + rows), q0);
      onProgress?.({ stage: OP, done: b + 1, total });
    }
    return result;
  } finally {
    for (const b of owned) destroyBuffer(backend, b);
  }
}

/** Per-batch work of one algorithm: its buffers, then the dispatches of each batch. */
interface Runner {
  allocate(
    cap: number,
    own: (b: TrackedBuffer) => TrackedBuffer,
  ): {
    dispatches(
      rows: number,
      k: number,
      index: readonly [TrackedBuffer, TrackedBuffer, TrackedBuffer],
      out: TrackedBuffer,
    ): Dispatch[];
  };
}

type KernelBase = { readonly metric: SearchIndex["metric"]; readonly subgroups: boolean };

const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
const STORAGE = BufferUsage.STORAGE;

/** Workgroups for `count` items along x, wrapping into y past the device's per-dimension limit. */
function grid(backend: WebGpuBackend, count: number): [number, number] {
  const max = backend.limits.maxComputeWorkgroupsPerDimension;
  return [Math.min(count, max), Math.ceil(count / max)];
}

async function singleCtaRunner(
  backend: WebGpuBackend,
  plan: SearchPlan,
  launch: Launch,
  base: KernelBase,
  filter: Uint32Array | undefined,
): Promise<Runner> {
  const pipeline = await pipelineFor(
    backend,
    singleCtaKernel(singleCtaShape(plan, launch, base, filter !== undefined)),
  );
  return {
    allocate(cap, own) {
      const n = plan.datasetSize;
      const seeds = initialSeedIds(
        n,
        plan.resultBufferSize,
        plan.numRandomSamplings,
        plan.randXorMask,
      );
      const seedBuffer = own(uploadBuffer(backend, seeds, "search seeds", OP, STORAGE));
      const paramBuffer = own(
        createBuffer(backend, SINGLE_CTA_PARAMS_BYTES, UNIFORM, "search params", OP),
      );
      const extra: TrackedBuffer[] = [];
      if (filter !== undefined) {
        extra.push(own(uploadBuffer(backend, filter, "search filter", OP, STORAGE)));
      }
      if (plan.hashMode === "hash") {
        const bytes = cap * 4 * 2 ** plan.hashBitlen;
        extra.push(own(createBuffer(backend, bytes, STORAGE, "search visited hash", OP)));
      }
      return {
        dispatches(rows, k, [dataset, graph, queries], out) {
          const [x, y] = grid(backend, rows);
          writeBuffer(
            backend,
            paramBuffer,
            singleCtaParams({ n, k, queries: rows, gridX: x, plan }),
          );
          return [
            {
              pipeline,
              buffers: [dataset, graph, queries, seedBuffer, out, paramBuffer, ...extra],
              workgroups: [x, y],
              label: "search single-cta",
            },
          ];
        },
      };
    },
  };
}

async function multiCtaRunner(
  backend: WebGpuBackend,
  plan: SearchPlan,
  launch: Launch,
  base: KernelBase,
  filter: Uint32Array | undefined,
): Promise<Runner> {
  const [search, merge, fill] = await Promise.all([
    pipelineFor(backend, multiCtaKernel(multiCtaShape(plan, launch, base, filter !== undefined))),
    pipelineFor(backend, mergeKernel(plan.ctasPerQuery)),
    pipelineFor(backend, fillKernel()),
  ]);
  const ctas = plan.ctasPerQuery;
  return {
    allocate(cap, own) {
      const n = plan.datasetSize;
      const seedBuffer = own(
        createBuffer(
          backend,
          cap * ctas * plan.graphDegree * plan.numRandomSamplings * 4,
          STORAGE | BufferUsage.COPY_DST,
          "search seeds",
          OP,
        ),
      );
      const tableWords = cap * 2 ** plan.hashBitlen;
      const tables = own(createBuffer(backend, tableWords * 4, STORAGE, "search traversed hash", OP));
      const inter = own(
        createBuffer(backend, cap * (2 * ctas * 32 + 1) * 4, STORAGE, "search per-cta results", OP),
      );
      const searchParams = own(
        createBuffer(backend, MULTI_CTA_PARAMS_BYTES, UNIFORM, "search params", OP),
      );
      const mergeParamBuffer = own(
        createBuffer(backend, MERGE_PARAMS_BYTES, UNIFORM, "search merge params", OP),
      );
      const fillParamBuffer = own(
        createBuffer(backend, FILL_PARAMS_BYTES, UNIFORM, "search fill params", OP),
      );
      const filterBuffer =
        filter === undefined
          ? []
          : [own(uploadBuffer(backend, filter, "search filter", OP, STORAGE))];
      const max = backend.limits.maxComputeWorkgroupsPerDimension;
      return {
        dispatches(rows, k, [dataset, graph, queries], out) {
          writeBuffer(backend, seedBuffer, multiCtaSeeds(plan, rows));
          const words = rows * 2 ** plan.hashBitlen;
          const fillGroups = fillWorkgroups(words, max);
          writeBuffer(backend, fillParamBuffer, fillParams(words, fillGroups * FILL_WORKGROUP_SIZE));
          const [y, z] = grid(backend, rows);
          writeBuffer(backend, searchParams, multiCtaParams({ n, queries: rows, gridY: y, plan }));
          const [mx, my] = grid(backend, rows);
          writeBuffer(backend, mergeParamBuffer, mergeParams(k, rows, mx, ctas));
          return [
            {
              pipeline: fill,
              buffers: [tables, fillParamBuffer],
              workgroups: [fillGroups],
              label: "search traversed-hash reset",
            },
            {
              pipeline: search,
              buffers: [dataset, graph, queries, seedBuffer, inter, searchParams, tables, ...filterBuffer],
              workgroups: [ctas, y, z],
              label: "search multi-cta",
            },
            {
              pipeline: merge,
              buffers: [inter, out, mergeParamBuffer],
              workgroups: [mx, my],
              label: "search multi-cta merge",
            },
          ];
        },
      };
    },
  };
}
