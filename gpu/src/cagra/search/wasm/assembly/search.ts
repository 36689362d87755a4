/*
 * searchQuery of ../../cpu.ts ("exact" visited stamps, optional filter and given seeds) run
 * here over the index in this module's memory, a batch of queries per call: the same steps,
 * comparisons and tie rules, so ids, distances and iteration counts are the JavaScript ones.
 * See cpu.ts for the algorithm; the comments here only mark its steps.
 */
import { distances, setQuery } from "./distance";

const INVALID_ID: u32 = 0xffffffff;
const FLAG: u32 = 0x80000000;
const ID_MASK: u32 = 0x7fffffff;
const FLT_MAX: f32 = 3.4028234663852886e38;

// The index (setGraph).
let n: u32 = 0;
let degree: i32 = 0;
let graph: usize = 0;
/** One u32 per node: visited in the current query when equal to epoch. */
let stamps: usize = 0;
let epoch: u32 = 0;

// The plan (setPlan).
let capacity: i32 = 0;
let width: i32 = 0;
let minIterations: i32 = 0;
let maxIterations: i32 = 0;
let slots: i32 = 0;
let samplings: i32 = 0;
let numSeeds: i32 = 0;
/** The init takes sampling 0 of the numSeeds given slots only (SearchPlan.seedsOnly). */
let seedsOnly = false;
let k: i32 = 0;
let metric: i32 = 0;
/** Bitset of rows that may be returned, or 0 for none. */
let filter: usize = 0;
/** slots·samplings seed ids (sampling j of slot i at i + slots·j), the random ones first kept in randomSeeds. */
let seeds: usize = 0;
let randomSeeds: usize = 0;

// Scratch (setWorkspace): distances of the seeds, the top list, parents and candidates.
let seedDist: usize = 0;
let topIds: usize = 0;
let topDist: usize = 0;
let parentPos: usize = 0;
let parentIds: usize = 0;
let candIds: usize = 0;
let candDist: usize = 0;
let sortIds: usize = 0;
let sortDist: usize = 0;
let length: i32 = 0;
let candCount: i32 = 0;

/** The graph ([nodes, degree] u32) and a zeroed stamp per node. */
export function setGraph(nodes: u32, graphDegree: i32, graphAt: usize, stampsAt: usize): void {
  n = nodes;
  degree = graphDegree;
  graph = graphAt;
  stamps = stampsAt;
  epoch = 0;
}

/** The resolved plan of searchCpu (cpu.ts) and where its seeds and filter are. */
export function setPlan(
  itopk: i32,
  searchWidth: i32,
  minIter: i32,
  maxIter: i32,
  resultSlots: i32,
  randomSamplings: i32,
  seedsPerQuery: i32,
  onlySeeds: i32,
  topK: i32,
  queryMetric: i32,
  filterAt: usize,
  seedsAt: usize,
  randomSeedsAt: usize,
): void {
  capacity = itopk;
  width = searchWidth;
  minIterations = minIter;
  maxIterations = maxIter;
  slots = resultSlots;
  samplings = randomSamplings;
  numSeeds = seedsPerQuery;
  seedsOnly = onlySeeds != 0;
  k = topK;
  metric = queryMetric;
  filter = filterAt;
  seeds = seedsAt;
  randomSeeds = randomSeedsAt;
}

/** Scratch areas sized by the plan (distances rounded up to four entries). */
export function setWorkspace(
  seedDistAt: usize,
  topIdsAt: usize,
  topDistAt: usize,
  parentPosAt: usize,
  parentIdsAt: usize,
  candIdsAt: usize,
  candDistAt: usize,
  sortIdsAt: usize,
  sortDistAt: usize,
): void {
  seedDist = seedDistAt;
  topIds = topIdsAt;
  topDist = topDistAt;
  parentPos = parentPosAt;
  parentIds = parentIdsAt;
  candIds = candIdsAt;
  candDist = candDistAt;
  sortIds = sortIdsAt;
  sortDist = sortDistAt;
}

function u32At(base: usize, i: i32): u32 {
  return load<u32>(base + ((<usize>i) << 2));
}

function setU32(base: usize, i: i32, v: u32): void {
  store<u32>(base + ((<usize>i) << 2), v);
}

function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + ((<usize>i) << 2));
}

function setF32(base: usize, i: i32, v: f32): void {
  store<f32>(base + ((<usize>i) << 2), v);
}

function keeps(id: u32): bool {
  return ((load<u32>(filter + ((<usize>(id >>> 5)) << 2)) >>> (id & 31)) & 1) == 1;
}

/** True the first time `id` is seen in this query (it is then marked). */
function firstVisit(id: u32): bool {
  const at = stamps + ((<usize>id) << 2);
  if (load<u32>(at) == epoch) return false;
  store<u32>(at, epoch);
  return true;
}

/** insertSorted of sorted-insert.ts into a list of capacity `cap`. */
function insertSorted(ids: usize, dists: usize, len: i32, cap: i32, id: u32, d: f32): i32 {
  if (len == cap && !(d < f32At(dists, cap - 1))) return -1;
  let i = len == cap ? cap - 1 : len;
  for (; i > 0 && f32At(dists, i - 1) > d; i--) {
    setU32(ids, i, u32At(ids, i - 1));
    setF32(dists, i, f32At(dists, i - 1));
  }
  setU32(ids, i, id);
  setF32(dists, i, d);
  return i;
}

/**
 * mergeSorted of sorted-insert.ts: the candidates into the top list; updates `length` and
 * returns the first position a newcomer took (−1 if none).
 */
function mergeCandidates(count: i32): i32 {
  const worst: f32 = length == capacity ? f32At(topDist, capacity - 1) : Infinity;
  let sorted = 0;
  for (let i = 0; i < count; i++) {
    const d = f32At(candDist, i);
    if (!(d < worst)) continue;
    let j = sorted++;
    for (; j > 0 && f32At(sortDist, j - 1) > d; j--) {
      setU32(sortIds, j, u32At(sortIds, j - 1));
      setF32(sortDist, j, f32At(sortDist, j - 1));
    }
    setU32(sortIds, j, u32At(candIds, i));
    setF32(sortDist, j, d);
  }
  const total = min(capacity, length + sorted);
  let a = length - 1;
  let b = sorted - 1;
  let first = -1;
  for (let w = length + sorted - 1; b >= 0; w--) {
    const takeNew = a < 0 || f32At(sortDist, b) >= f32At(topDist, a);
    if (takeNew) {
      if (w < total) {
        setU32(topIds, w, u32At(sortIds, b));
        setF32(topDist, w, f32At(sortDist, b));
        first = w;
      }
      b--;
    } else {
      if (w < total) {
        setU32(topIds, w, u32At(topIds, a));
        setF32(topDist, w, f32At(topDist, a));
      }
      a--;
    }
  }
  length = total;
  return first;
}

function nextEpoch(): void {
  if (epoch == 0xffffffff) {
    memory.fill(stamps, 0, (<usize>n) << 2);
    epoch = 0;
  }
  epoch++;
}

/** One query's search (the query set); leaves its list in topIds/topDist; returns iterations. */
function searchQuery(): i32 {
  nextEpoch();
  length = 0;
  candCount = 0;
  let firstOpen = 0;

  // 0. Random init (sampling 0 of the given seeds' slots only, with seedsOnly).
  const initSlots = seedsOnly ? numSeeds : slots;
  const initSamplings = seedsOnly ? 1 : samplings;
  distances(seeds, seedsOnly ? numSeeds : slots * samplings, seedDist);
  for (let i = 0; i < initSlots; i++) {
    let best = FLT_MAX;
    let bestId = INVALID_ID;
    for (let j = 0; j < initSamplings; j++) {
      const d = f32At(seedDist, i + slots * j);
      if (d < best) {
        best = d;
        bestId = u32At(seeds, i + slots * j);
      }
    }
    if (bestId == INVALID_ID || !firstVisit(bestId)) continue;
    if (insertSorted(topIds, topDist, length, capacity, bestId, best) >= 0 && length < capacity) {
      length++;
    }
  }

  let iter = 0;
  for (;;) {
    // 2.
    if (iter + 1 == maxIterations) break;
    // 3. Pick parents.
    let found = 0;
    let pos = firstOpen;
    for (; pos < length && found < width; pos++) {
      const v = u32At(topIds, pos);
      if ((v & FLAG) == 0) {
        setU32(parentPos, found, pos);
        setU32(parentIds, found, v);
        setU32(topIds, pos, v | FLAG);
        found++;
      }
    }
    firstOpen = pos;
    // 4.
    if (found == 0 && iter >= minIterations) break;
    // 6 (first half).
    if (filter != 0) {
      for (let f = found - 1; f >= 0; f--) {
        if (keeps(u32At(parentIds, f))) continue;
        const at = <i32>u32At(parentPos, f);
        const bytes = (<usize>(length - at - 1)) << 2;
        memory.copy(topIds + ((<usize>at) << 2), topIds + ((<usize>(at + 1)) << 2), bytes);
        memory.copy(topDist + ((<usize>at) << 2), topDist + ((<usize>(at + 1)) << 2), bytes);
        length--;
        if (at < firstOpen) firstOpen--;
      }
    }
    // 5. Expand.
    let count = 0;
    for (let f = 0; f < found; f++) {
      const base = graph + <usize>u32At(parentIds, f) * ((<usize>degree) << 2);
      for (let e = 0; e < degree; e++) {
        const child = load<u32>(base + ((<usize>e) << 2));
        if (child >= n || !firstVisit(child)) continue;
        setU32(candIds, count++, child);
      }
    }
    distances(candIds, count, candDist);
    const first = mergeCandidates(count);
    if (first >= 0 && first < firstOpen) firstOpen = first;
    candCount = count;
    iter++;
  }
  return iter + 1;
}

/** dropFiltered of cpu.ts: filtered entries leave; the last candidates refill below k. */
function dropFiltered(): void {
  let kept = 0;
  for (let i = 0; i < length; i++) {
    const id = u32At(topIds, i);
    if (!keeps(id & ID_MASK)) continue;
    setU32(topIds, kept, id);
    setF32(topDist, kept, f32At(topDist, i));
    kept++;
  }
  if (kept < k) {
    for (let c = 0; c < candCount; c++) {
      const id = u32At(candIds, c);
      if (!keeps(id) || listed(kept, id)) continue;
      if (insertSorted(topIds, topDist, kept, capacity, id, f32At(candDist, c)) >= 0) {
        if (kept < capacity) kept++;
      }
    }
  }
  length = kept;
}

function listed(len: i32, id: u32): bool {
  for (let i = 0; i < len; i++) if ((u32At(topIds, i) & ID_MASK) == id) return true;
  return false;
}

/**
 * Searches `count` queries, rows of `cols` f32 (prepared for the metric) from `queries`;
 * `given` holds numSeeds entry points per query (or is 0). Writes per query its first k ids
 * (flags cleared, INVALID_ID past the list), internal distances (FLT_MAX there) and iterations.
 */
export function searchBatch(
  queries: usize,
  count: i32,
  cols: i32,
  given: usize,
  outIds: usize,
  outDist: usize,
  outIterations: usize,
): void {
  const rowBytes = (<usize>cols) << 2;
  for (let q = 0; q < count; q++) {
    setQuery(queries + <usize>q * rowBytes, metric);
    if (given != 0) {
      for (let i = 0; i < numSeeds; i++) {
        const id = u32At(given, q * numSeeds + i);
        setU32(seeds, i, id == INVALID_ID ? u32At(randomSeeds, i) : id);
      }
    }
    setU32(outIterations, q, <u32>searchQuery());
    if (filter != 0) dropFiltered();
    for (let i = 0; i < k; i++) {
      const valid = i < length;
      setU32(outIds, q * k + i, valid ? u32At(topIds, i) & ID_MASK : INVALID_ID);
      setF32(outDist, q * k + i, valid ? f32At(topDist, i) : FLT_MAX);
    }
  }
}
