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
import { seedCount, validateSearchInputs, type SearchIndex } from "../validate.js";

import { searchIndexBuffers } from "./index-buffers.js";
import type { KernelInputs } from "./kernel-common.js";
import { planLaunch, type Launch, type LaunchOptions } from "./launch.js";
import {
  fillKernel,
  fillParams,
  fillWorkgroups,
  FILL_PARAMS,
  FILL_WORKGROUP_SIZE,
  mergeKernel,
  mergeParams,
  MERGE_PARAMS,
  multiCtaKernel,
  multiCtaParams,
  multiCtaSeeds,
  multiCtaShape,
  MULTI_CTA_PARAMS,
  NONE_ID,
} from "./multi-cta.js";
import {
  singleCtaKernel,
  singleCtaParams,
  singleCtaShape,
  SINGLE_CTA_PARAMS,
} from "./single-cta.js";
import { deviceQueries } from "./stored-rows.js";

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
  /**
   * Entry points per query, [queries, s] row-major, as searchCpu takes them (cuVS seed_ptr):
   * single-CTA puts them in the first s random slots, multi-CTA spreads them over the query's
   * workgroups (see multiCtaSeeds); an INVALID_ID entry keeps its random node.
   */
  readonly seeds?: Uint32Array;
  /** The random init takes the given `seeds` only (SearchPlan.seedsOnly). Default false. */
  readonly seedsOnly?: boolean;
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
/** The id of an empty result slot. */
const NONE = 0xffffffff;

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
 * When `index.storage` is set (compressIndex), the kernels read its f16 or int8 rows instead
 * of the f32 dataset, and the results are searchCpu's over the same storage.
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
  const { filter, signal, onProgress, seeds } = options;
  validateSearchInputs(index, queries, k, filter);
  const seedsPerQuery =
    seeds === undefined ? 0 : seedCount(seeds, queries.rows, index.dataset.rows);
  const computeUnits = options.computeUnits ?? defaultComputeUnits(backend);
  if (!Number.isSafeInteger(computeUnits) || computeUnits < 1) {
    throw new RangeError(`computeUnits must be an integer ≥ 1, got ${computeUnits}.`);
  }
  const { dataset, graph, metric } = index;
  const storage = index.storage?.kind ?? "f32";
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
      seedsPerQuery,
      seedsOnly: options.seedsOnly === true,
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
      subgroups: backend.features.subgroups,
    },
    options,
    storage,
  );
  signal?.throwIfAborted();
  const neighbors = new Uint32Array(queries.rows * k);
  const distances = new Float32Array(queries.rows * k);
  const iterations = new Uint32Array(queries.rows);
  const result = { neighbors, distances, queries: queries.rows, k, iterations, plan, launch };
  if (queries.rows === 0) return result;

  const prepared = deviceQueries(
    prepareForMetric(queries, metric),
    index.storage,
    metric,
    launch.dimV,
  );
  const owned: TrackedBuffer[] = [];
  const own = (b: TrackedBuffer) => (owned.push(b), b);
  try {
    const cap = launch.batchSize;
    const { dataset: datasetBuffer, graph: graphBuffer } = searchIndexBuffers(backend, index);
    const queryBuffer = own(
      createBuffer(backend, cap * launch.dimV * 16, STORAGE | COPY_DST, "search queries", OP),
    );
    const outBuffer = own(
      createBuffer(backend, cap * (2 * k + 1) * 4, STORAGE | COPY_SRC, "search results", OP),
    );
    const batch: BatchSetup = {
      backend,
      plan,
      launch,
      kernel: { metric, storage, filtered: filter !== undefined },
      filter,
      seeds,
      k,
      cap,
      own,
      inputs: [datasetBuffer, graphBuffer, queryBuffer],
      out: outBuffer,
    };
    const dispatches =
      plan.algo === "single_cta" ? await singleCtaBatches(batch) : await multiCtaBatches(batch);
    const total = Math.ceil(queries.rows / cap);
    for (let b = 0; b < total; b++) {
      signal?.throwIfAborted();
      const q0 = b * cap;
      const rows = Math.min(cap, queries.rows - q0);
      const width = launch.dimV * 4;
      writeBuffer(backend, queryBuffer, prepared.data.subarray(q0 * width, (q0 + rows) * width));
      submit(backend, dispatches(q0, rows), "search batch");
      // Output layout: ids [rows, k], distances [rows, k], iterations [rows].
      const words = new Uint32Array(await readBuffer(backend, outBuffer, rows * (2 * k + 1) * 4));
      const floats = new Float32Array(words.buffer);
      for (let i = 0; i < rows * k; i++) {
        const id = words[i]!;
        const internal = floats[rows * k + i]!;
        const shift = id === NONE ? undefined : prepared.shift?.[q0 + Math.floor(i / k)];
        neighbors[q0 * k + i] = id;
        distances[q0 * k + i] = reportedDistance(
          metric,
          shift === undefined ? internal : Math.fround(internal - shift),
        );
      }
      iterations.set(words.subarray(2 * rows * k, 2 * rows * k + rows), q0);
      onProgress?.({ stage: OP, done: b + 1, total });
    }
    return result;
  } finally {
    for (const b of owned) destroyBuffer(backend, b);
  }
}

const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
const STORAGE = BufferUsage.STORAGE;
const COPY_DST = BufferUsage.COPY_DST;
const COPY_SRC = BufferUsage.COPY_SRC;

/** What an algorithm's batches are built from. */
interface BatchSetup {
  readonly backend: WebGpuBackend;
  readonly plan: SearchPlan;
  readonly launch: Launch;
  readonly kernel: KernelInputs;
  readonly filter: Uint32Array | undefined;
  /** Given entry points, [queries, plan.numSeeds] over the whole call. */
  readonly seeds: Uint32Array | undefined;
  readonly k: number;
  /** Queries per batch at most. */
  readonly cap: number;
  /** Registers a per-call buffer, freed when the search ends. */
  readonly own: (b: TrackedBuffer) => TrackedBuffer;
  /** The dataset, graph and query buffers. */
  readonly inputs: readonly [TrackedBuffer, TrackedBuffer, TrackedBuffer];
  /** Where the batch's ids, distances and iterations go. */
  readonly out: TrackedBuffer;
}

/** The dispatches of the batch of `rows` queries from q0 (its parameters written on the way). */
type BatchDispatches = (q0: number, rows: number) => Dispatch[];

/** Workgroups for `count` items along one axis, wrapping into the next past the device's limit. */
function grid(backend: WebGpuBackend, count: number): [number, number] {
  const max = backend.limits.maxComputeWorkgroupsPerDimension;
  return [Math.min(count, max), Math.ceil(count / max)];
}

/** Single-CTA: the seeds, filter and HASH tables once per call, one dispatch per batch. */
async function singleCtaBatches(s: BatchSetup): Promise<BatchDispatches> {
  const { backend, plan, filter, k, own } = s;
  const shape = singleCtaShape(plan, s.launch, s.kernel);
  const pipeline = await pipelineFor(backend, singleCtaKernel(shape));
  const n = plan.datasetSize;
  const seeds = initialSeedIds(n, plan.resultBufferSize, plan.numRandomSamplings, plan.randXorMask);
  // seedsOnly: the slots past the given ones (and other samplings) empty; NONE has no distance.
  if (plan.seedsOnly) seeds.fill(NONE_ID, plan.numSeeds);
  const seedBuffer = own(uploadBuffer(backend, seeds, "search seeds", OP, STORAGE));
  const given = plan.numSeeds;
  const givenBuffer =
    given === 0
      ? undefined
      : own(
          createBuffer(backend, s.cap * given * 4, STORAGE | COPY_DST, "search entry points", OP),
        );
  const params = own(createBuffer(backend, SINGLE_CTA_PARAMS.bytes, UNIFORM, "search params", OP));
  const extra: TrackedBuffer[] = [];
  if (filter !== undefined) {
    extra.push(own(uploadBuffer(backend, filter, "search filter", OP, STORAGE)));
  }
  if (plan.hashMode === "hash") {
    const bytes = s.cap * 4 * 2 ** plan.hashBitlen;
    extra.push(own(createBuffer(backend, bytes, STORAGE, "search visited hash", OP)));
  }
  return (q0, rows) => {
    const [x, y] = grid(backend, rows);
    writeBuffer(backend, params, singleCtaParams({ n, k, queries: rows, gridX: x, plan }));
    if (givenBuffer !== undefined) {
      writeBuffer(backend, givenBuffer, s.seeds!.subarray(q0 * given, (q0 + rows) * given));
    }
    return [
      {
        pipeline,
        buffers: [
          ...s.inputs,
          seedBuffer,
          s.out,
          params,
          ...extra,
          ...(givenBuffer ? [givenBuffer] : []),
        ],
        workgroups: [x, y],
        label: "search single-cta",
      },
    ];
  };
}

/**
 * Multi-CTA: per batch, the seeds of its workgroups, then three dispatches: empty the
 * traversed tables, search, merge each query's per-workgroup lists into its top k.
 */
async function multiCtaBatches(s: BatchSetup): Promise<BatchDispatches> {
  const { backend, plan, filter, k, own, cap } = s;
  const shape = multiCtaShape(plan, s.launch, s.kernel);
  const ctas = plan.ctasPerQuery;
  const [search, merge, fill] = await Promise.all([
    pipelineFor(backend, multiCtaKernel(shape)),
    pipelineFor(backend, mergeKernel(ctas)),
    pipelineFor(backend, fillKernel()),
  ]);
  const seedBytes = cap * ctas * plan.graphDegree * plan.numRandomSamplings * 4;
  const seeds = own(createBuffer(backend, seedBytes, STORAGE | COPY_DST, "search seeds", OP));
  const tableBytes = cap * 4 * 2 ** plan.hashBitlen;
  const tables = own(createBuffer(backend, tableBytes, STORAGE, "search traversed hash", OP));
  const interBytes = cap * (2 * ctas * 32 + 1) * 4;
  const inter = own(createBuffer(backend, interBytes, STORAGE, "search per-cta results", OP));
  const searchParams = own(
    createBuffer(backend, MULTI_CTA_PARAMS.bytes, UNIFORM, "search params", OP),
  );
  const mergeParamBuffer = own(
    createBuffer(backend, MERGE_PARAMS.bytes, UNIFORM, "search merge params", OP),
  );
  const fillParamBuffer = own(
    createBuffer(backend, FILL_PARAMS.bytes, UNIFORM, "search fill params", OP),
  );
  const filterBuffer =
    filter === undefined ? [] : [own(uploadBuffer(backend, filter, "search filter", OP, STORAGE))];
  const n = plan.datasetSize;
  const given = plan.numSeeds;
  return (q0, rows) => {
    const batchSeeds = s.seeds?.subarray(q0 * given, (q0 + rows) * given);
    writeBuffer(backend, seeds, multiCtaSeeds(plan, rows, batchSeeds));
    const words = rows * 2 ** plan.hashBitlen;
    const fillGroups = fillWorkgroups(words, backend.limits.maxComputeWorkgroupsPerDimension);
    writeBuffer(backend, fillParamBuffer, fillParams(words, fillGroups * FILL_WORKGROUP_SIZE));
    const [across, layers] = grid(backend, rows);
    writeBuffer(backend, searchParams, multiCtaParams({ n, queries: rows, gridY: across, plan }));
    writeBuffer(backend, mergeParamBuffer, mergeParams(k, rows, across, ctas));
    return [
      {
        pipeline: fill,
        buffers: [tables, fillParamBuffer],
        workgroups: [fillGroups],
        label: "search traversed-hash reset",
      },
      {
        pipeline: search,
        buffers: [...s.inputs, seeds, inter, searchParams, tables, ...filterBuffer],
        workgroups: [ctas, across, layers],
        label: "search multi-cta",
      },
      {
        pipeline: merge,
        buffers: [inter, s.out, mergeParamBuffer],
        workgroups: [across, layers],
        label: "search multi-cta merge",
      },
    ];
  };
}
