import type { StorageKind } from "../../storage/vector-storage.js";
import type { Metric } from "../../types.js";
import { storedRowsWgsl } from "./stored-rows.js";

/*
 * WGSL shared by the search kernels, as functions that return source text: the query and its
 * distance to a dataset row computed by a team of invocations, cuVS's open-addressing visited
 * hash (hashmap.hpp) over a workgroup or storage array, the bitset filter, and a bitonic
 * sort/merge of (distance, id, rank) entries in workgroup memory.
 *
 * Empty entries hold the largest f32 (cuVS's FLT_MAX) and the id 0xFFFFFFFF, never +∞: WGSL may
 * assume no infinities at run time. The invalid id has its MSB set, so the "already expanded"
 * test (the id's MSB, as cuVS flags parents) never picks an empty entry as a parent.
 */

/** Constants every kernel declares. */
export const WGSL_CONSTANTS = /* wgsl */ `
const NONE: u32 = 0xffffffffu;
const FLAG: u32 = 0x80000000u;
const ID_MASK: u32 = 0x7fffffffu;
const FLT_MAX: f32 = 0x1.fffffep+127f;
`;

/** How each metric accumulates a vec4 (q = query, x = row) and turns the sum into a distance. */
const METRIC_WGSL: Readonly<Record<Metric, { accumulate: string; finish: string }>> = {
  sqeuclidean: { accumulate: "let d = q - x; acc += d * d;", finish: "s" },
  inner_product: { accumulate: "acc += q * x;", finish: "-s" },
  // Rows and queries are unit vectors (prepareForMetric), so 1 − dot is 1 − cos.
  cosine: { accumulate: "acc += q * x;", finish: "1.0 - s" },
};

/** What the team-distance code is specialised for. */
export interface TeamDistanceConfig {
  readonly metric: Metric;
  /** vec4s per (zero-padded) row. */
  readonly dimV: number;
  /** Invocations per workgroup. */
  readonly workgroupSize: number;
  /** Invocations that share one distance (a power of two ≤ 32). */
  readonly teamSize: number;
  /** Whether the device has the `subgroups` feature. */
  readonly subgroups: boolean;
  /** How the dataset's rows are stored (see stored-rows.ts). */
  readonly storage: StorageKind;
}

/**
 * Declarations and functions for distances computed by teams of TEAM invocations: each lane sums
 * every TEAM-th vec4 of the row, then the team reduces its partial sums, by subgroup shuffles
 * when the subgroup holds whole teams, else through workgroup memory (one barrier a call, with
 * two alternating halves of the scratch array so a call never waits for the previous one's
 * readers). The kernel's main must call `initTeams(t, sgSize, sgId)` (subgroups) or
 * `initTeams(t)` first, then `loadQuery(q, t)` (with a barrier after it), and `teamDistance`
 * from uniform control flow only. Rows are read through stored-rows.ts's datasetVec4.
 *
 * @example
 * const code = teamDistanceWgsl({ metric: "cosine", dimV: 32, workgroupSize: 64, teamSize: 8, subgroups: true, storage: "f16" });
 */
export function teamDistanceWgsl(c: TeamDistanceConfig): string {
  const { accumulate, finish } = METRIC_WGSL[c.metric];
  const reduceInWorkgroup = c.teamSize > 1;
  const enable = c.subgroups ? "enable subgroups;\ndiagnostic(off, subgroup_uniformity);\n" : "";
  const init = c.subgroups
    ? /* wgsl */ `
var<workgroup> subgroupBase: atomic<u32>;
var<workgroup> partialSeen: atomic<u32>;
var<workgroup> partialSubgroups: u32;
// Whether teams can sum by shuffles: every subgroup full and at least a team wide. Then ranks
// the invocations so that each team lies inside one subgroup (WGSL does not promise how
// local_invocation_index maps onto subgroups). Call from uniform control flow.
fn initTeams(t: u32, sgSize: u32, sgId: u32) -> bool {
  vt = t;
  if (sgSize < TEAM) { return false; }
  if (t == 0u) {
    atomicStore(&partialSeen, 0u);
    atomicStore(&subgroupBase, 0u);
  }
  workgroupBarrier();
  if (subgroupAdd(1u) != sgSize) { atomicStore(&partialSeen, 1u); }
  workgroupBarrier();
  if (t == 0u) { partialSubgroups = atomicLoad(&partialSeen); }
  if (workgroupUniformLoad(&partialSubgroups) != 0u) { return false; }
  var base = 0u;
  if (subgroupElect()) { base = atomicAdd(&subgroupBase, sgSize); }
  vt = subgroupBroadcastFirst(base) + sgId;
  return true;
}`
    : /* wgsl */ `
fn initTeams(t: u32) -> bool {
  vt = t;
  return false;
}`;
  const shuffle = c.subgroups
    ? "if (shuffle) { for (var m = 1u; m < TEAM; m <<= 1u) { s += subgroupShuffleXor(s, m); } } else "
    : "";
  const reduce = reduceInWorkgroup
    ? /* wgsl */ `
  ${shuffle}{
    let half = (reduceCalls % 2u) * WG;
    reduceCalls++;
    partial[half + vt] = s;
    workgroupBarrier();
    if (vt % TEAM == 0u) {
      s = 0.0;
      for (var l = 0u; l < TEAM; l++) { s += partial[half + vt + l]; }
    }
  }`
    : "";
  return /* wgsl */ `${enable}
const WG: u32 = ${c.workgroupSize}u;
const TEAM: u32 = ${c.teamSize}u;
const TEAMS: u32 = WG / TEAM;
const DIMV: u32 = ${c.dimV}u;

var<workgroup> query: array<vec4<f32>, DIMV>;
${reduceInWorkgroup ? "var<workgroup> partial: array<f32, 2u * WG>;" : ""}
// This invocation's rank for team work: team vt / TEAM, lane vt % TEAM.
var<private> vt: u32;
var<private> reduceCalls: u32;
${init}
${storedRowsWgsl(c.storage)}
// Copies query q (and what decoding the rows needs) into workgroup memory.
fn loadQuery(q: u32, t: u32) {
  for (var i = t; i < DIMV; i += WG) { query[i] = queries[q * DIMV + i]; }
  loadRowScales(t);
}

// This lane's share of the raw sum (squared differences or products) for row \`id\`.
fn lanePartial(id: u32) -> f32 {
  var acc = vec4<f32>(0.0);
  if (id != NONE) {
    let base = id * DIMV;
    for (var v = vt % TEAM; v < DIMV; v += TEAM) {
      let q = query[v];
      let x = datasetVec4(base, v);
      ${accumulate}
    }
  }
  return acc.x + acc.y + acc.z + acc.w;
}

// The internal distance from the query to row \`id\` (FLT_MAX for NONE), valid on lane 0 of
// the team. Every invocation must call it the same number of times.
fn teamDistance(id: u32, shuffle: bool) -> f32 {
  var s = lanePartial(id);${reduce}
  return select(${finish}, FLT_MAX, id == NONE);
}
`;
}

/** Where a hash table lives and how big it is. */
export interface HashConfig {
  /** Prefix of the generated functions, e.g. "visited" gives visitedInsert(key). */
  readonly name: string;
  /** WGSL expression for slot `i` (an atomic<u32>), with `$i` standing for the index. */
  readonly slot: string;
  /** log2 of the slot count. */
  readonly bitlen: number;
  /** cuVS's SUPPORT_REMOVE: removed keys stay as key | MSB, and insert/has skip them. */
  readonly removable?: boolean;
}

/**
 * cuVS's hashmap::insert / search / remove / init for one table: open addressing with linear
 * probing from (key ^ (key >> bitlen)) & mask, 0xFFFFFFFF empty, inserts by compare-exchange
 * (retried when the weak exchange fails spuriously). A full table refuses keys (insert false),
 * which the search treats as visited.
 *
 * @example
 * hashWgsl({ name: "visited", slot: "table[$i]", bitlen: 8 }); // visitedInsert(key), visitedHas(key), …
 */
export function hashWgsl(h: HashConfig): string {
  const at = (i: string) => h.slot.replaceAll("$i", i);
  const n = h.name;
  const retryRemoved = h.removable
    ? /* wgsl */ `
    let removed = key | FLAG;
    let again = ${n}Exchange(index, removed, key);
    if (again == removed) { return true; }
    if (again == key) { return false; }`
    : "";
  const skipRemoved = h.removable ? "if (v == (key | FLAG)) { return false; }" : "";
  const remove = h.removable
    ? /* wgsl */ `
fn ${n}Remove(key: u32) -> bool {
  var index = (key ^ (key >> ${n.toUpperCase()}_BITS)) & (${n.toUpperCase()}_SIZE - 1u);
  for (var i = 0u; i < ${n.toUpperCase()}_SIZE; i++) {
    let old = ${n}Exchange(index, key, key | FLAG);
    if (old == key) { return true; }
    if (old == NONE) { return false; }
    index = (index + 1u) & (${n.toUpperCase()}_SIZE - 1u);
  }
  return false;
}`
    : "";
  const B = `${n.toUpperCase()}_BITS`;
  const S = `${n.toUpperCase()}_SIZE`;
  return /* wgsl */ `
const ${B}: u32 = ${h.bitlen}u;
const ${S}: u32 = 1u << ${B};

// Compare-exchange that retries spurious failures; returns the old value (== expected: stored).
fn ${n}Exchange(index: u32, expected: u32, value: u32) -> u32 {
  loop {
    let r = atomicCompareExchangeWeak(&${at("index")}, expected, value);
    if (r.exchanged || r.old_value != expected) { return r.old_value; }
  }
}

fn ${n}Insert(key: u32) -> bool {
  var index = (key ^ (key >> ${B})) & (${S} - 1u);
  for (var i = 0u; i < ${S}; i++) {
    let old = ${n}Exchange(index, NONE, key);
    if (old == NONE) { return true; }
    if (old == key) { return false; }${retryRemoved}
    index = (index + 1u) & (${S} - 1u);
  }
  return false;
}

fn ${n}Has(key: u32) -> bool {
  var index = (key ^ (key >> ${B})) & (${S} - 1u);
  for (var i = 0u; i < ${S}; i++) {
    let v = atomicLoad(&${at("index")});
    if (v == key) { return true; }
    if (v == NONE) { return false; }
    ${skipRemoved}
    index = (index + 1u) & (${S} - 1u);
  }
  return false;
}
${remove}
// Empties the table, \`stride\` invocations from \`first\`.
fn ${n}Clear(first: u32, stride: u32) {
  for (var i = first; i < ${S}; i += stride) { atomicStore(&${at("i")}, NONE); }
}
`;
}

/** The bitset filter (1 = keep), bound as `filterBits`. */
export const FILTER_WGSL = /* wgsl */ `
fn keeps(id: u32) -> bool {
  return ((filterBits[id >> 5u] >> (id & 31u)) & 1u) == 1u;
}
`;

/**
 * Entries (keyD distance, keyI id, keyS rank) in workgroup arrays of `length`, ordered by
 * (distance, rank): ranks are unique, so the order is total and every sort is deterministic.
 * sortRange sorts a power-of-two range; mergeRange sorts a bitonic one. Both end with a barrier
 * and must be called from uniform control flow with uniform arguments. Steps of half-width
 * below 8 run inside each invocation's own 8 contiguous entries, without barriers (as the
 * brute-force top-k does): SwiftShader pays for every barrier, GPUs for every one too.
 *
 * @example
 * bitonicWgsl(96 + 32); // keyD/keyI/keyS of 128 entries, sortRange, mergeRange
 */
export function bitonicWgsl(length: number): string {
  return /* wgsl */ `
const ENTRIES: u32 = ${length}u;
// Entries each invocation sorts alone in the last steps of a merge (fewer barriers).
const OWN: u32 = 8u;
var<workgroup> keyD: array<f32, ENTRIES>;
var<workgroup> keyI: array<u32, ENTRIES>;
var<workgroup> keyS: array<u32, ENTRIES>;

fn before(a: u32, b: u32) -> bool {
  return keyD[a] < keyD[b] || (keyD[a] == keyD[b] && keyS[a] < keyS[b]);
}

fn copyEntry(src: u32, dst: u32) {
  keyD[dst] = keyD[src];
  keyI[dst] = keyI[src];
  keyS[dst] = keyS[src];
}

fn clearEntry(i: u32) {
  keyD[i] = FLT_MAX;
  keyI[i] = NONE;
  keyS[i] = NONE;
}

fn order(lo: u32, hi: u32, ascending: bool) {
  if (before(hi, lo) == ascending) {
    let d = keyD[lo]; keyD[lo] = keyD[hi]; keyD[hi] = d;
    let i = keyI[lo]; keyI[lo] = keyI[hi]; keyI[hi] = i;
    let s = keyS[lo]; keyS[lo] = keyS[hi]; keyS[hi] = s;
  }
}

// Pair i of a bitonic step with half-width s: its lower index.
fn lowerOf(i: u32, s: u32) -> u32 {
  return ((i & ~(s - 1u)) << 1u) | (i & (s - 1u));
}

// One step of half-width s ≥ OWN, shared by all invocations.
fn bitonicStep(base: u32, n: u32, width: u32, s: u32, t: u32) {
  for (var i = t; i < n / 2u; i += WG) {
    let lo = lowerOf(i, s);
    order(base + lo, base + lo + s, (lo & width) == 0u);
  }
  workgroupBarrier();
}

// The steps of half-width sTop .. 1, each invocation within its own OWN contiguous entries:
// no barrier between them.
fn ownSteps(base: u32, n: u32, width: u32, sTop: u32, t: u32) {
  let span = min(OWN, n);
  for (var chunk = t; chunk * span < n; chunk += WG) {
    for (var s = sTop; s > 0u; s >>= 1u) {
      for (var i = 0u; i < span / 2u; i++) {
        let lo = chunk * span + lowerOf(i, s);
        order(base + lo, base + lo + s, (lo & width) == 0u);
      }
    }
  }
}

// Sorts [base, base + n), n a power of two.
fn sortRange(base: u32, n: u32, t: u32) {
  for (var width = 2u; width <= n; width <<= 1u) {
    var s = width >> 1u;
    for (; s >= OWN; s >>= 1u) { bitonicStep(base, n, width, s, t); }
    ownSteps(base, n, width, s, t);
    // Widths below OWN stay inside each invocation's entries.
    if (width >= OWN || width == n) { workgroupBarrier(); }
  }
}

// Sorts the bitonic sequence [base, base + n), n a power of two.
fn mergeRange(base: u32, n: u32, t: u32) {
  var s = n >> 1u;
  for (; s >= OWN; s >>= 1u) { bitonicStep(base, n, n, s, t); }
  ownSteps(base, n, n, s, t);
  workgroupBarrier();
}
`;
}
