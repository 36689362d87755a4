import { paramBlock } from "../../../device/webgpu/param-block.js";
import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import { nextPowerOfTwo } from "../../../common/sizes.js";

/*
 * Merges one distance tile into a running per-query top-k, one 64-invocation workgroup per
 * query. The running list (kp = k rounded up to a power of two entries, sorted by (distance,
 * id)) lives in a storage buffer between tiles and in workgroup memory during one. The row is
 * read 256 candidates a round; only those closer than the current k-th entry are appended to a
 * 512-slot candidate buffer (a workgroup atomic counter). When 256 or more are waiting, or the
 * row ends, the buffer is bitonic-sorted and merged: min(run[i], cand[kp−1−i]) is a bitonic
 * sequence holding the kp smallest of both lists, and a bitonic merge sorts it. Once the list
 * has filled, most candidates fail the threshold, so sorts become rare. Bitonic steps with a
 * half-width under 8 run inside each thread's own 8 contiguous elements, without barriers.
 * Workgroup memory: 8·(512 + kp) bytes, 6 KiB at kp = 256.
 */

/**
 * Invocations per query. SwiftShader pays for every barrier per invocation (about 5 µs at 64,
 * 33 µs at 256, measured), and a query tile of up to 1024 queries keeps a GPU busy anyway.
 */
const WORKGROUP = 64;

/** The largest k the kernel keeps per query. */
export const MAX_TOPK = 256;

/** The kernel's uniform parameters. */
export const TOPK_PARAMS = paramBlock("Params", {
  cols: "u32",
  stride: "u32",
  idBase: "u32",
  k: "u32",
  first: "u32",
  excludeSelf: "u32",
  selfBase: "u32",
});

/** k rounded up to a power of two: the running list's length per query. */
export function topkCapacity(k: number): number {
  return nextPowerOfTwo(k);
}

/** What one dispatch merges. */
export interface TopkParams {
  /** Candidates per query row in this tile. */
  readonly cols: number;
  /** Row stride of the distance tile. */
  readonly stride: number;
  /** Dataset id of the tile's column 0. */
  readonly idBase: number;
  readonly k: number;
  /** Whether this is the first tile of these queries (the running lists start empty). */
  readonly first: boolean;
  /** Dataset id of query 0 of this tile when a query must not find itself, else undefined. */
  readonly selfBase: number | undefined;
}

/** The uniform buffer contents for `p`. */
export function topkParams(p: TopkParams): Uint8Array {
  return TOPK_PARAMS.pack({
    cols: p.cols,
    stride: p.stride,
    idBase: p.idBase,
    k: p.k,
    first: p.first ? 1 : 0,
    excludeSelf: p.selfBase === undefined ? 0 : 1,
    selfBase: p.selfBase ?? 0,
  });
}

/**
 * The top-k merge kernel for running lists of `kp` entries (a power of two ≤ 256). Dispatch one
 * workgroup per query with bindings (distance tile, running distances [·, kp], running ids
 * [·, kp], params). Empty slots hold (the largest f32, 0xFFFFFFFF).
 *
 * @example
 * const pipeline = await pipelineFor(gpu, topkKernel(topkCapacity(10)));
 */
export function topkKernel(kp: number): KernelSource {
  if (!Number.isInteger(Math.log2(kp)) || kp < 1 || kp > MAX_TOPK) {
    throw new RangeError(`topkKernel: kp must be a power of two in 1..${MAX_TOPK}, got ${kp}.`);
  }
  return { key: `cagra/knn/topk:kp${kp}`, code: wgsl(kp) };
}

const wgsl = (kp: number) => /* wgsl */ `
const KP: u32 = ${kp}u;
const WG: u32 = ${WORKGROUP}u;
const BLOCK: u32 = 256u; // candidates read per round, BLOCK / WG per thread
const CAP: u32 = 512u; // candidate slots: below CAP − BLOCK waiting, a round still fits
const OWN: u32 = 8u; // CAP / WG: elements a thread sorts alone, without barriers
const NONE: u32 = 0xffffffffu;
// The largest f32, not +∞: WGSL may assume no infinities at run time.
const EMPTY: f32 = 0x1.fffffep+127f;

${TOPK_PARAMS.wgsl}
@group(0) @binding(0) var<storage, read> dist: array<f32>;
@group(0) @binding(1) var<storage, read_write> bestD: array<f32>;
@group(0) @binding(2) var<storage, read_write> bestI: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

// [0, KP): the running list, sorted; [KP, KP + CAP): waiting candidates.
var<workgroup> keyD: array<f32, KP + CAP>;
var<workgroup> keyI: array<u32, KP + CAP>;
var<workgroup> count: atomic<u32>;
var<workgroup> waiting: u32;

// The total order of results: by distance, then by id.
fn closer(ad: f32, ai: u32, bd: f32, bi: u32) -> bool {
  return ad < bd || (ad == bd && ai < bi);
}

fn order(lo: u32, hi: u32, ascending: bool) {
  if (closer(keyD[hi], keyI[hi], keyD[lo], keyI[lo]) == ascending) {
    let d = keyD[lo]; keyD[lo] = keyD[hi]; keyD[hi] = d;
    let i = keyI[lo]; keyI[lo] = keyI[hi]; keyI[hi] = i;
  }
}

// Pair i of a bitonic step with half-width s: its lower index.
fn lowerOf(i: u32, s: u32) -> u32 {
  return ((i & ~(s - 1u)) << 1u) | (i & (s - 1u));
}

// One bitonic step of half-width s over [base, base + size), shared by all threads; blocks of
// \`width\` alternate ascending and descending.
fn spreadStep(base: u32, size: u32, width: u32, s: u32, t: u32) {
  for (var i = t; i < size / 2u; i += WG) {
    let lo = lowerOf(i, s);
    order(base + lo, base + lo + s, (lo & width) == 0u);
  }
}

// The steps of half-width sTop .. 1, each thread within its own OWN contiguous elements.
fn ownSteps(base: u32, size: u32, width: u32, sTop: u32, t: u32) {
  let span = min(OWN, size);
  if (t * span < size) {
    for (var s = sTop; s > 0u; s >>= 1u) {
      for (var i = 0u; i < span / 2u; i++) {
        let lo = t * span + lowerOf(i, s);
        order(base + lo, base + lo + s, (lo & width) == 0u);
      }
    }
  }
}

// Sorts the bitonic blocks of \`width\` in [base, base + size) (half-cleaners width/2 .. 1).
fn mergeBlocks(base: u32, size: u32, width: u32, t: u32) {
  var s = width >> 1u;
  for (; s >= OWN; s >>= 1u) {
    spreadStep(base, size, width, s, t);
    workgroupBarrier();
  }
  ownSteps(base, size, width, s, t);
}

// Sorts the n waiting candidates into the running list; n is workgroup-uniform.
fn flush(n: u32, t: u32) {
  // Sort n rounded up to a power of two, at least KP and OWN, padding with empty slots.
  let size = max(max(1u << (32u - countLeadingZeros(max(n, 2u) - 1u)), KP), OWN);
  for (var i = n + t; i < size; i += WG) {
    keyD[KP + i] = EMPTY;
    keyI[KP + i] = NONE;
  }
  workgroupBarrier();
  for (var width = 2u; width <= size; width <<= 1u) {
    mergeBlocks(KP, size, width, t);
    // Widths below OWN stay within each thread's elements.
    if (width >= OWN) { workgroupBarrier(); }
  }
  // run[i] vs cand[KP − 1 − i]: the KP closest of both, as a bitonic sequence.
  for (var i = t; i < KP; i += WG) {
    let j = KP + KP - 1u - i;
    if (closer(keyD[j], keyI[j], keyD[i], keyI[i])) {
      keyD[i] = keyD[j];
      keyI[i] = keyI[j];
    }
  }
  workgroupBarrier();
  mergeBlocks(0u, KP, KP, t);
  if (t == 0u) { atomicStore(&count, 0u); }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let q = wid.x;
  for (var i = t; i < KP; i += WG) {
    if (p.first != 0u) {
      keyD[i] = EMPTY;
      keyI[i] = NONE;
    } else {
      keyD[i] = bestD[q * KP + i];
      keyI[i] = bestI[q * KP + i];
    }
  }
  if (t == 0u) { atomicStore(&count, 0u); }
  let selfId = select(NONE, p.selfBase + q, p.excludeSelf != 0u);
  let row = q * p.stride;
  let rounds = (p.cols + BLOCK - 1u) / BLOCK;
  workgroupBarrier();
  for (var round = 0u; round < rounds; round++) {
    let thresholdD = keyD[p.k - 1u];
    let thresholdI = keyI[p.k - 1u];
    for (var c = round * BLOCK + t; c < min(p.cols, (round + 1u) * BLOCK); c += WG) {
      let d = dist[row + c];
      let id = p.idBase + c;
      if (id != selfId && closer(d, id, thresholdD, thresholdI)) {
        let slot = atomicAdd(&count, 1u);
        keyD[KP + slot] = d;
        keyI[KP + slot] = id;
      }
    }
    workgroupBarrier();
    if (t == 0u) { waiting = atomicLoad(&count); }
    let n = workgroupUniformLoad(&waiting);
    if (n >= CAP - BLOCK || (round + 1u == rounds && n > 0u)) { flush(n, t); }
  }
  for (var i = t; i < KP; i += WG) {
    bestD[q * KP + i] = keyD[i];
    bestI[q * KP + i] = keyI[i];
  }
}
`;
