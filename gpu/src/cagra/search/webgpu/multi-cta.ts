import { paramBlock } from "../../../device/webgpu/param-block.js";
import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { SearchPlan } from "../plan.js";
import { randomSeedId } from "../random-seeds.js";
import {
  entryPoint,
  kernelBindingsWgsl,
  type KernelInputs,
  searchBindingsWgsl,
  teamKey,
  teamShape,
  when,
} from "./kernel-common.js";
import type { Launch } from "./launch.js";
import { nextPowerOfTwo } from "../../../common/sizes.js";
import {
  bitonicWgsl,
  FILTER_WGSL,
  hashWgsl,
  teamDistanceWgsl,
  WGSL_CONSTANTS,
  type TeamDistanceConfig,
} from "./wgsl.js";

/*
 * cuVS's multi-CTA search (search_multi_cta_kernel-inl.cuh) for small batches: each query gets
 * max(p, ⌈M/32⌉) workgroups, each a search with a top-32 list and one parent per iteration,
 * kept apart by a "traversed" hash per query in storage memory (a node becomes a parent in one
 * workgroup only). Per workgroup and iteration: sort the 32 + G entries; take the first entry
 * no workgroup has traversed as the parent (claiming it in the shared hash); refill the
 * workgroup's own visited hash from the buffer (it is emptied every iteration); write the
 * children that are neither visited nor traversed over the worst entries and compute their
 * distances; drop entries another workgroup has traversed meanwhile. At the end each workgroup
 * claims up to 32 results in the traversed hash, so no node is returned twice, and a second
 * kernel keeps the best k of the ⌈M/32⌉·32 per query.
 *
 * Chosen over multi-kernel for small batches because it is what cuVS's AUTO picks there, and
 * it runs as three dispatches per batch in one submission; multi-kernel needs a pass per step
 * and, to stop, a host read of the terminate flag every iteration, which costs a queue
 * round trip (mapAsync) per iteration in WebGPU.
 */

/** The search kernel's uniform parameters. */
export const MULTI_CTA_PARAMS = paramBlock("Params", {
  n: "u32",
  queries: "u32",
  gridY: "u32",
  maxIter: "u32",
  minIter: "u32",
  samplings: "u32",
  distOffset: "u32",
  iterOffset: "u32",
});
/** The merge kernel's uniform parameters. */
export const MERGE_PARAMS = paramBlock("Params", {
  k: "u32",
  queries: "u32",
  gridX: "u32",
  interDist: "u32",
  interIter: "u32",
  dist: "u32",
  iter: "u32",
});
/** The fill kernel's uniform parameters. */
export const FILL_PARAMS = paramBlock("Params", { count: "u32", threads: "u32" });

const ITOPK = 32;
/** An empty seed or entry point (INVALID_ID of ../cpu.ts). */
export const NONE_ID = 0xffffffff;
const MERGE_WORKGROUP = 64;
const FILL_WORKGROUP = 256;

/**
 * Entries in each workgroup's result buffer: its top 32 and one parent's G children, rounded
 * up to 32 (cuVS's result_buffer_size_32).
 *
 * @example
 * multiCtaBufferSize(32); // 64
 */
export function multiCtaBufferSize(graphDegree: number): number {
  return Math.ceil((ITOPK + graphDegree) / 32) * 32;
}

/** What one dispatch searches. */
export interface MultiCtaParams {
  readonly n: number;
  readonly queries: number;
  /** Grid rows per layer: query = y + z · gridY. */
  readonly gridY: number;
  readonly plan: SearchPlan;
}

/**
 * The uniform buffer contents for `p`; output ("intermediate") layout: ids
 * [queries, ctas, 32], distances the same, iterations [queries].
 *
 * @example
 * writeBuffer(gpu, params, multiCtaParams({ n: 2000, queries: 10, gridY: 10, plan }));
 */
export function multiCtaParams(p: MultiCtaParams): Uint8Array {
  const distOffset = p.queries * p.plan.ctasPerQuery * ITOPK;
  return MULTI_CTA_PARAMS.pack({
    n: p.n,
    queries: p.queries,
    gridY: p.gridY,
    maxIter: p.plan.maxIterations,
    minIter: p.plan.minIterations,
    samplings: p.plan.numRandomSamplings,
    distOffset,
    iterOffset: 2 * distOffset,
  });
}

/**
 * The seeds of a multi-CTA batch, as cuVS draws them: sampling j of slot i in workgroup `cta`
 * of query q is xorshift64(gid ^ mask) mod N with gid = (cta + ctas·q) + ctas·queries·(i + G·j);
 * entry gid of the result holds it. `given` ([queries, plan.numSeeds], NONE = keep the random
 * node) puts query q's entry point e where cuVS puts seed_ptr[e] for its first query: at the
 * query's own gid e, i.e. workgroup e mod ctas. (cuVS indexes every query's seeds by the
 * global gid, so beyond its first few queries it uses none of them; the query's own gid keeps
 * them all.) With plan.seedsOnly every other entry is NONE.
 *
 * @example
 * const seeds = multiCtaSeeds(plan, 100); // for a batch of 100 queries
 */
export function multiCtaSeeds(plan: SearchPlan, queries: number, given?: Uint32Array): Uint32Array {
  const ctas = plan.ctasPerQuery;
  const perQuery = ctas * plan.graphDegree * plan.numRandomSamplings;
  const out = new Uint32Array(perQuery * queries);
  for (let gid = 0; gid < out.length; gid++) {
    out[gid] = randomSeedId(gid, plan.randXorMask, plan.datasetSize);
  }
  const s = plan.numSeeds;
  if (given === undefined || s === 0) return out;
  if (s > perQuery) {
    throw new RangeError(
      `multi_cta seeds ${ctas} workgroups × ${plan.graphDegree} slots × ${plan.numRandomSamplings} samplings = ${perQuery} nodes per query, fewer than the ${s} entry points given; give fewer or use algo "single_cta".`,
    );
  }
  // seedsOnly: only the given entry points' places keep a node (their random one for NONE).
  const random = plan.seedsOnly ? out.slice() : undefined;
  if (random !== undefined) out.fill(NONE_ID);
  for (let q = 0; q < queries; q++) {
    for (let e = 0; e < s; e++) {
      const id = given[q * s + e]!;
      const cta = e % ctas;
      const at = cta + ctas * q + ctas * queries * ((e - cta) / ctas);
      if (id !== NONE_ID) out[at] = id;
      else if (random !== undefined) out[at] = random[at]!;
    }
  }
  return out;
}

/** The search kernel's shape. */
export interface MultiCtaShape extends TeamDistanceConfig {
  readonly graphDegree: number;
  readonly ctas: number;
  /** 32 + G rounded up to 32: cuVS's result buffer. */
  readonly buffer: number;
  readonly bufferPadded: number;
  /** log2 of each workgroup's visited table. */
  readonly localBitlen: number;
  /** log2 of each query's traversed table. */
  readonly traversedBitlen: number;
  readonly filtered: boolean;
}

/**
 * The kernel shape for `plan` and `launch`.
 *
 * @example
 * const shape = multiCtaShape(plan, launch, { metric: "inner_product", storage: "f32", filtered: false });
 */
export function multiCtaShape(
  plan: SearchPlan,
  launch: Launch,
  { metric, storage, filtered }: KernelInputs,
): MultiCtaShape {
  return {
    ...teamShape(launch, metric, storage),
    graphDegree: plan.graphDegree,
    ctas: plan.ctasPerQuery,
    buffer: multiCtaBufferSize(plan.graphDegree),
    bufferPadded: launch.candidatesPadded,
    localBitlen: plan.ctaHashBitlen,
    traversedBitlen: plan.hashBitlen,
    filtered,
  };
}

/**
 * The multi-CTA search kernel. Dispatch ctas × min(queries, max) × layers workgroups with
 * bindings (dataset, graph, queries, seeds, intermediate out, params, traversed tables
 * [queries, 2^bits] filled with 0xFFFFFFFF, then the filter bitset if filtered).
 *
 * @example
 * const pipeline = await pipelineFor(gpu, multiCtaKernel(multiCtaShape(plan, launch, { metric: "sqeuclidean", storage: "f32", filtered: false })));
 */
export function multiCtaKernel(s: MultiCtaShape): KernelSource {
  const key =
    `cagra/search/multi-cta:${teamKey(s)}:g${s.graphDegree}:c${s.ctas}:h${s.localBitlen}` +
    `:${s.traversedBitlen}:f${s.filtered ? 1 : 0}`;
  return { key, code: searchWgsl(s) };
}

function searchWgsl(s: MultiCtaShape): string {
  const { args, initTeams } = entryPoint(s.subgroups);
  return /* wgsl */ `${teamDistanceWgsl(s)}
${WGSL_CONSTANTS}
${searchBindingsWgsl(MULTI_CTA_PARAMS, s.storage)}
${kernelBindingsWgsl([
  "var<storage, read_write> traversedTable: array<atomic<u32>>",
  s.filtered ? "var<storage, read> filterBits: array<u32>" : undefined,
])}

const ITOPK: u32 = ${ITOPK}u;
const G: u32 = ${s.graphDegree}u;
const CTAS: u32 = ${s.ctas}u;
const BUF: u32 = ${s.buffer}u;
const BP: u32 = ${s.bufferPadded}u;
const SEED_ROUNDS: u32 = (G + TEAMS - 1u) / TEAMS;
const CHILD_ROUNDS: u32 = (G + TEAMS - 1u) / TEAMS;

${bitonicWgsl(s.bufferPadded)}
var<workgroup> localTable: array<atomic<u32>, LOCAL_SIZE>;
${hashWgsl({ name: "local", slot: "localTable[$i]", bitlen: s.localBitlen })}
${hashWgsl({ name: "traversed", slot: "traversedTable[tableBase + $i]", bitlen: s.traversedBitlen, removable: true })}
${when(s.filtered, FILTER_WGSL)}
var<private> tableBase: u32;
var<workgroup> parent: u32;
var<workgroup> resultPosition: atomic<u32>;

fn setEntry(at: u32, d: f32, id: u32) {
  keyD[at] = d;
  keyI[at] = id;
  keyS[at] = id & ID_MASK;
}

// cuVS pickup_next_parent, one invocation: the first entry of the top 64 not yet traversed by
// any workgroup becomes the parent; one from beyond the top 32 moves into the last invalid
// slot of the top 32 (none: no parent). Entries another workgroup took are invalidated.
fn pickParent() {
  parent = NONE;
  var lastInvalid = NONE;
  for (var i = 0u; i < 2u * ITOPK; i++) {
    let v = keyI[i];
    var invalid = v == NONE;
    if (!invalid && (v & FLAG) == 0u) {
      if (traversedInsert(v)) {
        if (i < ITOPK) {
          keyI[i] = v | FLAG;
          parent = i;
        } else {
          setEntry(lastInvalid, keyD[i], v | FLAG);
          clearEntry(i);
          parent = lastInvalid;
        }
        return;
      }
      clearEntry(i);
      invalid = true;
    }
    if (i < ITOPK && invalid) { lastInvalid = i; }
    if (i == ITOPK - 1u && lastInvalid == NONE) { return; }
  }
}

@compute @workgroup_size(WG)
fn main(${args}) {
  let cta = wid.x;
  let q = wid.y + wid.z * params.gridY;
  if (q >= params.queries) { return; }
  let shuffle = ${initTeams};
  let team = vt / TEAM;
  let leader = vt % TEAM == 0u;
  tableBase = q * TRAVERSED_SIZE;
  loadQuery(q, t);
  for (var i = t; i < BP; i += WG) { clearEntry(i); }
  localClear(t, WG);
  workgroupBarrier();

  // Random init of the first G slots; seeds depend on the workgroup and the query.
  let block = cta + CTAS * q;
  let blocks = CTAS * params.queries;
  for (var r = 0u; r < SEED_ROUNDS; r++) {
    let slot = r * TEAMS + team;
    var best = FLT_MAX;
    var bestId = NONE;
    for (var j = 0u; j < params.samplings; j++) {
      var id = NONE;
      if (slot < G) { id = seeds[block + blocks * (slot + G * j)]; }
      let d = teamDistance(id, shuffle);
      if (d < best) {
        best = d;
        bestId = id;
      }
    }
    if (slot < G && leader) {
      if (bestId != NONE && (!localInsert(bestId) || traversedHas(bestId))) {
        best = FLT_MAX;
        bestId = NONE;
      }
      setEntry(slot, best, bestId);
    }
  }
  workgroupBarrier();

  var iter = 0u;
  loop {
    sortRange(0u, BP, t);
    if (iter + 1u >= params.maxIter) { break; }
    if (t == 0u) { pickParent(); } else { localClear(t - 1u, WG - 1u); }
    let p = workgroupUniformLoad(&parent);
    if (p == NONE && iter >= params.minIter) { break; }
    // Former parents pushed out of the top 32 are released; the rest refill the visited hash.
    for (var i = t; i < BUF; i += WG) {
      let v = keyI[i];
      if (v == NONE) { continue; }
      if (i >= ITOPK && (v & FLAG) != 0u) {
        traversedRemove(v & ID_MASK);
        clearEntry(i);
      } else {
        localInsert(v & ID_MASK);
      }
    }
    if (t == 0u) { atomicStore(&resultPosition, BUF); }
    workgroupBarrier();
    // Children go to the end of the buffer, over its worst entries.
    for (var i = t; i < G; i += WG) {
      if (p != NONE) {
        let child = graph[(keyI[p] & ID_MASK) * G + i];
        if (child < params.n && localInsert(child) && !traversedHas(child)) {
          setEntry(atomicSub(&resultPosition, 1u) - 1u, FLT_MAX, child);
        }
      }
    }
    workgroupBarrier();
    let first = atomicLoad(&resultPosition);
    for (var r = 0u; r < CHILD_ROUNDS; r++) {
      let item = first + r * TEAMS + team;
      var id = NONE;
      if (item < BUF) { id = keyI[item]; }
      let d = teamDistance(id, shuffle);
      if (item < BUF && leader) { keyD[item] = d; }
    }
    // Entries another workgroup has traversed meanwhile cannot be parents here.
    for (var i = t; i < first; i += WG) {
      let v = keyI[i];
      if (v != NONE && (v & FLAG) == 0u && traversedHas(v)) { clearEntry(i); }
    }
    ${when(s.filtered, `if (t == 0u && p != NONE && !keeps(keyI[p] & ID_MASK)) { clearEntry(p); }`)}
    workgroupBarrier();
    iter++;
  }
  ${when(
    s.filtered,
    `for (var i = t; i < BUF; i += WG) {
    let v = keyI[i];
    if (v != NONE && !keeps(v & ID_MASK)) { clearEntry(i); }
  }
  workgroupBarrier();`,
  )}
  // Results: this workgroup's parents, then entries it can claim, up to 32.
  if (t == 0u) {
    let base = (q * CTAS + cta) * ITOPK;
    var count = 0u;
    for (var i = 0u; i < BUF; i++) {
      var v = keyI[i];
      if (v == NONE) { continue; }
      var valid = (v & FLAG) != 0u;
      v &= ID_MASK;
      if (!valid && count < ITOPK) { valid = traversedInsert(v); }
      if (!valid) { continue; }
      if (count < ITOPK) {
        out[base + count] = v;
        out[params.distOffset + base + count] = bitcast<u32>(keyD[i]);
      } else {
        traversedRemove(v);
      }
      count++;
    }
    for (; count < ITOPK; count++) {
      out[base + count] = NONE;
      out[params.distOffset + base + count] = bitcast<u32>(FLT_MAX);
    }
    if (cta == 0u) { out[params.iterOffset + q] = iter + 1u; }
  }
}
`;
}

/**
 * The merge kernel's uniform parameters: the best k of the intermediate results per query,
 * written as ids [queries, k], distances [queries, k], iterations [queries].
 *
 * @example
 * writeBuffer(gpu, params, mergeParams(10, 100, 100, plan.ctasPerQuery));
 */
export function mergeParams(k: number, queries: number, gridX: number, ctas: number): Uint8Array {
  const interDist = queries * ctas * ITOPK;
  return MERGE_PARAMS.pack({
    k,
    queries,
    gridX,
    interDist,
    interIter: 2 * interDist,
    dist: queries * k,
    iter: 2 * queries * k,
  });
}

/**
 * The final top-k of a multi-CTA search (cuVS's _cuann_find_topk over ctas·32 entries):
 * one workgroup per query sorts its entries by (distance, id) and writes the first k as
 * ids, distances, iterations. Bindings (intermediate, out, params).
 *
 * @example
 * const pipeline = await pipelineFor(gpu, mergeKernel(plan.ctasPerQuery));
 */
export function mergeKernel(ctas: number): KernelSource {
  const entries = nextPowerOfTwo(ctas * ITOPK);
  return {
    key: `cagra/search/multi-cta-merge:c${ctas}`,
    code: /* wgsl */ `${WGSL_CONSTANTS}
const WG: u32 = ${MERGE_WORKGROUP}u;
const TOTAL: u32 = ${ctas * ITOPK}u;
${MERGE_PARAMS.wgsl}@group(0) @binding(0) var<storage, read> inter: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;
${bitonicWgsl(entries)}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let q = wid.x + wid.y * params.gridX;
  if (q >= params.queries) { return; }
  for (var i = t; i < ENTRIES; i += WG) {
    if (i < TOTAL) {
      keyD[i] = bitcast<f32>(inter[params.interDist + q * TOTAL + i]);
      keyI[i] = inter[q * TOTAL + i];
      keyS[i] = keyI[i];
    } else {
      clearEntry(i);
    }
  }
  workgroupBarrier();
  sortRange(0u, ENTRIES, t);
  for (var i = t; i < params.k; i += WG) {
    out[q * params.k + i] = keyI[i];
    out[params.dist + q * params.k + i] = bitcast<u32>(keyD[i]);
  }
  if (t == 0u) { out[params.iter + q] = inter[params.interIter + q]; }
}
`,
  };
}

/**
 * The fill kernel's parameters: `count` u32s set to 0xFFFFFFFF by `threads` invocations.
 *
 * @example
 * fillParams(2048 * 10, fillWorkgroups(2048 * 10, 65535) * FILL_WORKGROUP_SIZE);
 */
export function fillParams(count: number, threads: number): Uint8Array {
  return FILL_PARAMS.pack({ count, threads });
}

/**
 * Workgroups of the fill kernel for `count` words, within one grid dimension of `max`.
 *
 * @example
 * fillWorkgroups(20480, 65535); // 80
 */
export function fillWorkgroups(count: number, max: number): number {
  return Math.max(1, Math.min(Math.ceil(count / FILL_WORKGROUP), max));
}

/**
 * Empties the traversed tables before a multi-CTA dispatch (cuVS set_value_batch): bindings
 * (table, params); each invocation fills every `threads`-th word.
 *
 * @example
 * const pipeline = await pipelineFor(gpu, fillKernel());
 */
export function fillKernel(): KernelSource {
  return {
    key: "cagra/search/fill-none",
    code: /* wgsl */ `
${FILL_PARAMS.wgsl}@group(0) @binding(0) var<storage, read_write> table: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(${FILL_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  for (var i = gid.x; i < params.count; i += params.threads) { table[i] = 0xffffffffu; }
}
`,
  };
}

/** Invocations per fill workgroup. */
export const FILL_WORKGROUP_SIZE = FILL_WORKGROUP;
