import type { StorageKind } from "../../storage/vector-storage.js";
import type { SearchPlan } from "../plan.js";
import { multiCtaBufferSize } from "./multi-cta.js";
import { storedRowsWorkgroupBytes } from "./stored-rows.js";
import { nextPowerOfTwo } from "../../../common/sizes.js";

/*
 * How a search plan runs on a WebGPU device: the team size and workgroup size (cuVS's
 * team_size and thread_block_size rules), the workgroup memory the kernel declares (checked
 * against the device's limit), and how many queries go into one dispatch so that every
 * per-batch buffer fits a storage binding.
 */

/** The device limits a launch respects (a subset of GPUSupportedLimits). */
export interface LaunchLimits {
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

/** Launch choices the caller may fix; 0 means "choose as cuVS does". */
export interface LaunchOptions {
  /** Invocations per distance: 1, 2, 4, 8, 16 or 32 (cuVS team_size). */
  readonly teamSize?: number;
  /** Invocations per workgroup: 64 … 1024, a power of two (cuVS thread_block_size). */
  readonly threadBlockSize?: number;
  /** Reduce team sums by subgroup shuffles where the device can (default true). */
  readonly useSubgroups?: boolean;
}

/** What the host needs to know about the device beyond its limits. */
export interface LaunchDevice {
  readonly limits: LaunchLimits;
  /** SM / compute-unit count used by the workgroup-size rule. */
  readonly computeUnits: number;
  /** A CPU implementation of WebGPU (SwiftShader): reductions there cost more than they save. */
  readonly cpuAdapter: boolean;
  /** Whether the device has the `subgroups` feature. */
  readonly subgroups: boolean;
}

/** A resolved launch for one plan. */
export interface Launch {
  readonly teamSize: number;
  readonly workgroupSize: number;
  /** Workgroup memory the search kernel declares, in bytes. */
  readonly workgroupBytes: number;
  /** Queries per dispatch. */
  readonly batchSize: number;
  /** vec4s per zero-padded row. */
  readonly dimV: number;
  /** Whether the kernels may reduce by subgroup shuffles (else through workgroup memory). */
  readonly subgroups: boolean;
  /** single_cta: the top-M area padded to a power of two; multi_cta: 32. */
  readonly topPadded: number;
  /** single_cta: the candidate area padded to a power of two; multi_cta: the whole buffer, padded. */
  readonly candidatesPadded: number;
}

/** Per-batch buffers stay under this many bytes, even where the device allows bigger ones. */
export const MAX_BATCH_BUFFER_BYTES = 256 * 2 ** 20;

const MULTI_CTA_ITOPK = 32;
/** cuVS: a 32-thread block may use 4 KiB of shared memory, so 128 B per thread. */
const BYTES_PER_THREAD = 4096 / 32;
const TEAM_SIZES = [1, 2, 4, 8, 16, 32];

/**
 * The launch of a single-CTA or multi-CTA search of vectors of `dim` values stored as
 * `storage` (int8 keeps its column scales in workgroup memory too). Throws a
 * RangeError naming the parameters when the kernel needs more workgroup memory than the device
 * has, or an option is out of range.
 *
 * @example
 * const launch = planLaunch(plan, 128, { limits: gpu.limits, computeUnits: 80, cpuAdapter: false, subgroups: true });
 * launch.teamSize; // 8 for 128 dimensions
 */
export function planLaunch(
  plan: SearchPlan,
  dim: number,
  device: LaunchDevice,
  options: LaunchOptions = {},
  storage: StorageKind = "f32",
): Launch {
  if (plan.algo !== "single_cta" && plan.algo !== "multi_cta") {
    throw new RangeError(
      `searchWebGpu runs "single_cta" and "multi_cta"; got "${plan.algo}". Use algo "auto" or "multi_cta" for small batches.`,
    );
  }
  const dimV = Math.ceil(dim / 4);
  const teamSize = resolveTeamSize(options.teamSize ?? 0, dim, device.cpuAdapter);
  const single = plan.algo === "single_cta";
  const topPadded = single ? nextPowerOfTwo(plan.itopkSize) : MULTI_CTA_ITOPK;
  const multiBuffer = multiCtaBufferSize(plan.graphDegree);
  if (!single && multiBuffer > 256) {
    throw new RangeError(
      `multi_cta keeps 32 + graphDegree entries per workgroup, at most 256 (cuVS's limit); graphDegree ${plan.graphDegree} is too large.`,
    );
  }
  const candidatesPadded = single
    ? nextPowerOfTwo(plan.candidateCount)
    : nextPowerOfTwo(multiBuffer);
  const entries = single ? topPadded + candidatesPadded : candidatesPadded;
  const hashBits = single ? (plan.hashMode === "small" ? plan.hashBitlen : 0) : plan.ctaHashBitlen;
  // cuVS's shared memory: the query, the result buffer, the workgroup hash and the parents.
  const baseBytes =
    dimV * 16 +
    storedRowsWorkgroupBytes(storage, dimV) +
    entries * 12 +
    (hashBits > 0 ? 4 * 2 ** hashBits : 0) +
    4 * plan.searchWidth +
    32;
  const workgroupSize = resolveWorkgroupSize(
    options.threadBlockSize ?? 0,
    baseBytes,
    plan.graphDegree,
    single ? plan.searchWidth : 1,
    teamSize,
    single ? plan.batchSize : plan.batchSize * plan.ctasPerQuery,
    device,
  );
  const workgroupBytes = baseBytes + (teamSize > 1 ? 8 * workgroupSize : 0);
  const limit = device.limits.maxComputeWorkgroupStorageSize;
  if (workgroupBytes > limit) {
    const advice = single
      ? `lower itopkSize or searchWidth, or use algo "multi_cta"`
      : `lower the graph degree or the dimension`;
    throw new RangeError(
      `${plan.algo} needs ${workgroupBytes} bytes of workgroup memory (itopkSize ${plan.itopkSize}, searchWidth ${plan.searchWidth}, graphDegree ${plan.graphDegree}, dim ${dim}), more than this device's ${limit}; ${advice}.`,
    );
  }
  // Multi-CTA's merge sorts the ctas·32 per-workgroup results of a query in workgroup memory.
  const mergeBytes = single ? 0 : nextPowerOfTwo(plan.ctasPerQuery * MULTI_CTA_ITOPK) * 12;
  if (mergeBytes > limit) {
    throw new RangeError(
      `multi_cta merges ${plan.ctasPerQuery} × 32 results per query in ${mergeBytes} bytes of workgroup memory, more than this device's ${limit}; lower itopkSize or searchWidth.`,
    );
  }
  const batchSize = resolveBatchSize(plan, dimV, device.limits);
  return {
    teamSize,
    workgroupSize,
    workgroupBytes,
    batchSize,
    dimV,
    subgroups: device.subgroups && options.useSubgroups !== false,
    topPadded,
    candidatesPadded,
  };
}

/**
 * cuVS's team size: 8, 16 or 32 invocations for up to 128, 256 or more dimensions. On a CPU
 * adapter one invocation computes a whole distance: there a team only adds reductions.
 */
function resolveTeamSize(requested: number, dim: number, cpuAdapter: boolean): number {
  if (requested !== 0) {
    if (!TEAM_SIZES.includes(requested)) {
      throw new RangeError(
        `teamSize must be 0 (auto) or one of ${TEAM_SIZES.join(", ")}, got ${requested}.`,
      );
    }
    return requested;
  }
  if (cpuAdapter) return 1;
  return dim <= 128 ? 8 : dim <= 256 ? 16 : 32;
}

/**
 * cuVS's thread_block_size: 64, doubled while the kernel's memory exceeds 128 B per invocation,
 * then doubled while a small batch leaves compute units idle (the distance work must still
 * fill twice the block), within the device's invocation limit.
 */
function resolveWorkgroupSize(
  requested: number,
  bytes: number,
  graphDegree: number,
  searchWidth: number,
  teamSize: number,
  workgroups: number,
  device: LaunchDevice,
): number {
  const max = Math.min(
    1024,
    device.limits.maxComputeInvocationsPerWorkgroup,
    device.limits.maxComputeWorkgroupSizeX,
  );
  if (requested !== 0) {
    if (!Number.isInteger(Math.log2(requested)) || requested < 64 || requested > max) {
      throw new RangeError(
        `threadBlockSize must be 0 (auto) or a power of two in [64, ${max}] on this device, got ${requested}.`,
      );
    }
    return requested;
  }
  let size = 64;
  while (size < max && bytes > BYTES_PER_THREAD * size) size *= 2;
  while (
    size < max &&
    graphDegree * searchWidth * teamSize >= size * 2 &&
    workgroups <= (1024 / (size * 2)) * device.computeUnits
  ) {
    size *= 2;
  }
  return size;
}

/** Queries per dispatch: the plan's batch, cut so every per-batch buffer fits one binding. */
function resolveBatchSize(plan: SearchPlan, dimV: number, limits: LaunchLimits): number {
  const binding = Math.min(
    limits.maxStorageBufferBindingSize,
    limits.maxBufferSize,
    MAX_BATCH_BUFFER_BYTES,
  );
  const ctas = plan.ctasPerQuery;
  const perQuery = [
    dimV * 16,
    (2 * plan.k + 1) * 4,
    plan.algo === "multi_cta" || plan.hashMode === "hash" ? 4 * 2 ** plan.hashBitlen : 0,
    plan.algo === "multi_cta" ? (2 * ctas * MULTI_CTA_ITOPK + 1) * 4 : 0,
    plan.algo === "multi_cta" ? 4 * ctas * plan.graphDegree * plan.numRandomSamplings : 0,
  ];
  const fit = Math.min(
    ...perQuery.map((bytes) => (bytes > 0 ? Math.floor(binding / bytes) : Infinity)),
  );
  if (fit < 1) {
    throw new RangeError(
      `one query's search buffers exceed this device's storage binding limit (${binding} bytes); lower the dimension, k or maxIterations.`,
    );
  }
  const grid = limits.maxComputeWorkgroupsPerDimension;
  return Math.max(1, Math.min(plan.batchSize, fit, grid * grid));
}
