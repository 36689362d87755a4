import { paramBlock } from "../../../device/webgpu/param-block.js";
import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { SearchPlan } from "../plan.js";
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
import {
  bitonicWgsl,
  FILTER_WGSL,
  hashWgsl,
  teamDistanceWgsl,
  WGSL_CONSTANTS,
  type TeamDistanceConfig,
} from "./wgsl.js";

/*
 * cuVS's single-CTA search (search_single_cta_kernel-inl.cuh, search_core): one workgroup per
 * query, everything in workgroup memory. The result buffer is a top-M area [0, MP) and a
 * candidate area [MP, MP + CP), each padded to a power of two for the bitonic network:
 *   0. random init: slot i of the M + p·G slots takes the best of its numRandomSamplings seeds
 *      (uploaded, laid out as cuVS's seed_ptr), the query's given entry points taking the first
 *      slots of sampling 0; a node already in the visited hash is dropped;
 *   1. top-M: sort the candidates, keep min(top[i], cand[MP−1−i]) (a bitonic sequence holding
 *      the MP best of both) and merge it (cuVS topk_by_bitonic_sort_and_merge); the first
 *      iteration sorts the random top-M area first;
 *   2. stop after maxIterations;
 *   3. parents: the first p top-M entries without the MSB flag, which they then get;
 *   4. none: converged, stop once minIterations are done;
 *   5. expand: a child already in the visited hash is invalid, the rest get a distance from
 *      a team of invocations;
 *   6. filter: a rejected parent is invalidated after its children are out (a bridge) and
 *      leaves the list at the next sort; at the end every rejected entry goes and, if fewer
 *      than k remain, the last candidates are merged in.
 * The SMALL visited hash lives in workgroup memory and is emptied every hashResetInterval
 * iterations, then refilled with the top-M ids; the HASH one is this query's slice of a
 * storage buffer.
 *
 * Entries are ordered by (distance, rank): top-M entries rank by position, newcomers after
 * them by slot (random init) or by child order (parent, edge), so equal distances keep the
 * order of searchCpu's insertion and both return the same lists. cuVS's bitonic network leaves
 * ties in no particular order.
 */

/** The kernel's uniform parameters. */
export const SINGLE_CTA_PARAMS = paramBlock("Params", {
  n: "u32",
  k: "u32",
  queries: "u32",
  gridX: "u32",
  maxIter: "u32",
  minIter: "u32",
  resetInterval: "u32",
  samplings: "u32",
  distOffset: "u32",
  iterOffset: "u32",
  numSeeds: "u32",
});

/** What one dispatch searches. */
export interface SingleCtaParams {
  /** Rows in the index. */
  readonly n: number;
  readonly k: number;
  /** Queries in this dispatch (one workgroup each). */
  readonly queries: number;
  /** Workgroups per grid row: query = x + y · gridX. */
  readonly gridX: number;
  readonly plan: SearchPlan;
}

/**
 * The uniform buffer contents for `p`; output layout: ids [queries, k], distances
 * [queries, k], iterations [queries].
 *
 * @example
 * writeBuffer(gpu, params, singleCtaParams({ n: 2000, k: 10, queries: 100, gridX: 100, plan }));
 */
export function singleCtaParams(p: SingleCtaParams): Uint8Array {
  const distOffset = p.queries * p.k;
  return SINGLE_CTA_PARAMS.pack({
    n: p.n,
    k: p.k,
    queries: p.queries,
    gridX: p.gridX,
    maxIter: p.plan.maxIterations,
    minIter: p.plan.minIterations,
    resetInterval: p.plan.hashResetInterval,
    samplings: p.plan.numRandomSamplings,
    distOffset,
    iterOffset: 2 * distOffset,
    numSeeds: p.plan.numSeeds,
  });
}

/** The kernel's shape: what its WGSL is specialised for. */
export interface SingleCtaShape extends TeamDistanceConfig {
  readonly itopk: number;
  readonly topPadded: number;
  readonly graphDegree: number;
  readonly searchWidth: number;
  readonly candidatesPadded: number;
  /** log2 of the SMALL table (workgroup memory) or of the HASH table (per query, storage). */
  readonly hashBitlen: number;
  readonly hashMode: "small" | "hash";
  readonly filtered: boolean;
  /** Whether given entry points (plan.numSeeds per query) are bound. */
  readonly seeded: boolean;
}

/**
 * The kernel shape for `plan` and `launch`.
 *
 * @example
 * const shape = singleCtaShape(plan, launch, { metric: "sqeuclidean", storage: "f32", filtered: false });
 */
export function singleCtaShape(
  plan: SearchPlan,
  launch: Launch,
  { metric, storage, filtered }: KernelInputs,
): SingleCtaShape {
  return {
    ...teamShape(launch, metric, storage),
    itopk: plan.itopkSize,
    topPadded: launch.topPadded,
    graphDegree: plan.graphDegree,
    searchWidth: plan.searchWidth,
    candidatesPadded: launch.candidatesPadded,
    hashBitlen: plan.hashBitlen,
    hashMode: plan.hashMode,
    filtered,
    seeded: plan.numSeeds > 0,
  };
}

/**
 * The single-CTA search kernel for `s`. Dispatch one workgroup per query with bindings
 * (dataset [N, 4·dimV], graph [N, G], queries [·, 4·dimV], seeds [(M + p·G) · samplings],
 * out, params, then the filter bitset if filtered, the per-query hash tables in HASH mode, and
 * the given entry points [queries, numSeeds] if seeded).
 *
 * @example
 * const pipeline = await pipelineFor(gpu, singleCtaKernel(singleCtaShape(plan, launch, { metric: "sqeuclidean", storage: "f32", filtered: false })));
 */
export function singleCtaKernel(s: SingleCtaShape): KernelSource {
  const key =
    `cagra/search/single-cta:${teamKey(s)}:m${s.itopk}:g${s.graphDegree}:p${s.searchWidth}` +
    `:${s.hashMode}${s.hashBitlen}:f${s.filtered ? 1 : 0}:s${s.seeded ? 1 : 0}`;
  return { key, code: wgsl(s) };
}

function wgsl(s: SingleCtaShape): string {
  const small = s.hashMode === "small";
  const { args, initTeams } = entryPoint(s.subgroups);
  const entries = s.topPadded + s.candidatesPadded;
  return /* wgsl */ `${teamDistanceWgsl(s)}
${WGSL_CONSTANTS}
${searchBindingsWgsl(SINGLE_CTA_PARAMS, s.storage)}
${kernelBindingsWgsl([
  s.filtered ? "var<storage, read> filterBits: array<u32>" : undefined,
  small ? undefined : "var<storage, read_write> visitedTable: array<atomic<u32>>",
  s.seeded ? "var<storage, read> givenSeeds: array<u32>" : undefined,
])}
${when(small, "var<workgroup> visitedTable: array<atomic<u32>, VISITED_SIZE>;")}

const M: u32 = ${s.itopk}u;
const MP: u32 = ${s.topPadded}u;
const G: u32 = ${s.graphDegree}u;
const P: u32 = ${s.searchWidth}u;
const C: u32 = P * G;
const CP: u32 = ${s.candidatesPadded}u;
const S: u32 = M + C;
const SEED_ROUNDS: u32 = (S + TEAMS - 1u) / TEAMS;
const CHILD_ROUNDS: u32 = (C + TEAMS - 1u) / TEAMS;

${bitonicWgsl(entries)}
${hashWgsl({ name: "visited", slot: small ? "visitedTable[$i]" : "visitedTable[tableBase + $i]", bitlen: s.hashBitlen })}
${when(s.filtered, FILTER_WGSL)}
var<private> tableBase: u32;
var<workgroup> parentPos: array<u32, P>;
var<workgroup> found: u32;
var<workgroup> firstOpen: atomic<u32>;
var<workgroup> filterFlag: u32;
var<workgroup> missing: u32;

// Where random slot i sits: the top-M area, then the candidate area.
fn slotPosition(slot: u32) -> u32 {
  return select(MP + slot - M, slot, slot < M);
}

// min(top[i], cand[MP − 1 − i]) over the sorted areas, then the merge: the best MP of both.
fn mergeCandidates(t: u32) {
  sortRange(MP, CP, t);
  for (var i = t; i < MP; i += WG) {
    let c = MP - 1u - i;
    if (c < CP && before(MP + c, i)) { copyEntry(MP + c, i); }
  }
  workgroupBarrier();
  mergeRange(0u, MP, t);
}

@compute @workgroup_size(WG)
fn main(${args}) {
  let q = wid.x + wid.y * params.gridX;
  if (q >= params.queries) { return; }
  let shuffle = ${initTeams};
  let team = vt / TEAM;
  let leader = vt % TEAM == 0u;
  tableBase = q * VISITED_SIZE;
  loadQuery(q, t);
  for (var i = t; i < ENTRIES; i += WG) { clearEntry(i); }
  visitedClear(t, WG);
  if (t == 0u) {
    atomicStore(&firstOpen, M);
    filterFlag = 0u;
  }
  workgroupBarrier();
  ${when(!small, "storageBarrier();")}

  // 0. Random init.
  for (var r = 0u; r < SEED_ROUNDS; r++) {
    let slot = r * TEAMS + team;
    var best = FLT_MAX;
    var bestId = NONE;
    for (var j = 0u; j < params.samplings; j++) {
      var id = NONE;
      if (slot < S) { id = seeds[slot + S * j]; }
      ${when(
        s.seeded,
        `// Given entry points take the first slots of sampling 0 (cuVS seed_ptr); NONE keeps the random one.
      if (j == 0u && slot < params.numSeeds) {
        let given = givenSeeds[q * params.numSeeds + slot];
        if (given != NONE) { id = given; }
      }`,
      )}
      let d = teamDistance(id, shuffle);
      if (d < best) {
        best = d;
        bestId = id;
      }
    }
    if (slot < S && leader) {
      if (bestId != NONE && !visitedInsert(bestId)) {
        best = FLT_MAX;
        bestId = NONE;
      }
      let at = slotPosition(slot);
      keyD[at] = best;
      keyI[at] = bestId;
      keyS[at] = slot;
    }
  }
  workgroupBarrier();

  var iter = 0u;
  loop {
    ${when(small, "let reset = (iter + 1u) % params.resetInterval == 0u;\n    if (reset) { visitedClear(t, WG); }")}
    ${when(s.filtered, "if (workgroupUniformLoad(&filterFlag) != 0u) { sortRange(0u, MP, t); }")}
    // 1. Top-M.
    if (iter == 0u) { sortRange(0u, MP, t); }
    mergeCandidates(t);
    // Keep M, rank entries by position, note the first one not yet expanded.
    for (var i = t; i < MP; i += WG) {
      if (i >= M) {
        clearEntry(i);
        continue;
      }
      keyS[i] = i;
      let v = keyI[i];
      if ((v & FLAG) == 0u) { atomicMin(&firstOpen, i); }
      ${when(small, "if (reset && v != NONE) { visitedInsert(v & ID_MASK); }")}
    }
    workgroupBarrier();
    // 2.
    if (iter + 1u == params.maxIter) { break; }
    // 3. Parents.
    if (t == 0u) {
      var count = 0u;
      for (var at = atomicLoad(&firstOpen); at < M && count < P; at++) {
        let v = keyI[at];
        if ((v & FLAG) == 0u) {
          parentPos[count] = at;
          keyI[at] = v | FLAG;
          count++;
        }
      }
      found = count;
      atomicStore(&firstOpen, M);
      filterFlag = 0u;
    }
    let parents = workgroupUniformLoad(&found);
    // 4.
    if (parents == 0u && iter >= params.minIter) { break; }
    // 5. Expand.
    for (var i = t; i < CP; i += WG) {
      var id = NONE;
      if (i < C && i / G < parents) {
        let parent = keyI[parentPos[i / G]] & ID_MASK;
        let child = graph[parent * G + i % G];
        if (child < params.n && visitedInsert(child)) { id = child; }
      }
      keyD[MP + i] = FLT_MAX;
      keyI[MP + i] = id;
      keyS[MP + i] = select(NONE, M + i, i < C);
    }
    workgroupBarrier();
    for (var r = 0u; r < CHILD_ROUNDS; r++) {
      let item = r * TEAMS + team;
      var id = NONE;
      if (item < C) { id = keyI[MP + item]; }
      let d = teamDistance(id, shuffle);
      if (item < C && leader) { keyD[MP + item] = d; }
    }
    ${when(
      s.filtered,
      `// 6. A rejected parent leaves the list at the next sort; its children stay.
    if (t == 0u) {
      for (var f = 0u; f < parents; f++) {
        let at = parentPos[f];
        if (!keeps(keyI[at] & ID_MASK)) {
          clearEntry(at);
          filterFlag = 1u;
        }
      }
    }`,
    )}
    workgroupBarrier();
    iter++;
  }
  ${when(
    s.filtered,
    `// 6. Drop every rejected entry; short of k, merge in the last candidates not yet listed.
  for (var i = t; i < ENTRIES; i += WG) {
    let v = keyI[i];
    if (v != NONE && !keeps(v & ID_MASK)) { clearEntry(i); }
  }
  workgroupBarrier();
  sortRange(0u, MP, t);
  if (t == 0u) { missing = select(0u, 1u, keyI[params.k - 1u] == NONE); }
  if (workgroupUniformLoad(&missing) != 0u) {
    for (var i = t; i < CP; i += WG) {
      let v = keyI[MP + i];
      if (v == NONE) { continue; }
      for (var j = 0u; j < M; j++) {
        if ((keyI[j] & ID_MASK) == v) {
          clearEntry(MP + i);
          break;
        }
      }
    }
    workgroupBarrier();
    mergeCandidates(t);
  }`,
  )}
  for (var i = t; i < params.k; i += WG) {
    let v = keyI[i];
    out[q * params.k + i] = select(v & ID_MASK, NONE, v == NONE);
    out[params.distOffset + q * params.k + i] = bitcast<u32>(keyD[i]);
  }
  if (t == 0u) { out[params.iterOffset + q] = iter + 1u; }
}
`;
}
