import { assembleModule } from "../../cpu/wasm-encoding.js";
import { compileModule, instantiate, type WasmModule } from "../../cpu/wasm-instance.js";
import type { Graph } from "../types.js";
import { absentRank, detourKernel, SCRATCH_SLOTS } from "./detour-kernel.js";
import { assertGraph } from "./validate.js";

/** Detour counts saturate here (cuVS: 0xFFFF); an edge with this count is never selected. */
export const MAX_DETOURS = 0xffff;

/** WebAssembly's 32-bit memories end at 4 GiB (65,536 pages of 64 KiB). */
const MAX_PAGES = 65536;

let compiled: WasmModule | undefined;

type Detours = (
  graph: number,
  n: number,
  degree: number,
  row: number,
  rank: number,
  next: number,
  counts: number,
) => void;

/** Counts the detours of a kNN graph's rows one at a time (see createDetourCounter). */
export interface DetourCounter {
  /** The counts of the row counted last, [degree] (a view of the kernel's memory). */
  readonly counts: Int32Array;
  /** Counts the detours of row order[position] (row `position` without an order). */
  count(position: number): void;
}

/**
 * A counter of the 2-hop detours of the rows of `knn` (rows sorted by distance), as cuVS's
 * `kern_fused_prune` counts them. For each closer neighbour D (rank kAD < degree − 1) and each B
 * in D's list, the first rank kAB > kAD where A's list holds B gains one detour. Like cuVS, the
 * paper's `kDB < kAB` condition is not applied (it is commented out there). A self-edge starts
 * at `degree` detours so it sorts last; counts saturate at MAX_DETOURS, and ids ≥ size get it.
 *
 * The graph is copied into a WebAssembly kernel's memory (detour-kernel.ts), renumbered by
 * `order` (a permutation of the rows, the order in which they will be counted) when given:
 * counts only compare ids, so they do not change, but rows counted one after the other then
 * find their neighbours' lists close together in memory (localityOrder() makes optimize() on
 * 100k rows 4× faster). Takes 4·size·(degree + 1) bytes; throws a RangeError past 4 GiB.
 *
 * @example
 * const counter = createDetourCounter(knn);
 * counter.count(0);
 * counter.counts; // the detours of each of row 0's edges
 */
export function createDetourCounter(knn: Graph, order?: Uint32Array): DetourCounter {
  const { size: n, degree } = knn;
  const graphBytes = n * degree * 4;
  const rankAt = graphBytes;
  const nextAt = rankAt + (n + 1) * 4;
  const countsAt = nextAt + degree * 4;
  const bytes = countsAt + (degree + SCRATCH_SLOTS) * 4;
  const pages = Math.ceil(bytes / 65536);
  if (pages > MAX_PAGES) {
    throw new RangeError(
      `optimize: a kNN graph of ${n} rows × degree ${degree} needs ${bytes} bytes of ` +
        `WebAssembly memory, more than its 4 GiB; lower intermediateGraphDegree or split the dataset.`,
    );
  }
  // Compiled once per thread.
  compiled ??= compileModule(assembleModule(1, [detourKernel]));
  const { exports, memory } = instantiate(compiled);
  memory.grow(Math.max(0, pages - memory.buffer.byteLength / 65536));
  const detours = exports[detourKernel.name] as Detours;
  copyGraph(knn, order, new Uint32Array(memory.buffer, 0, n * degree));
  const rank = new Int32Array(memory.buffer, rankAt, n + 1);
  for (let id = 0; id <= n; id++) rank[id] = absentRank(id, degree);
  return {
    counts: new Int32Array(memory.buffer, countsAt, degree),
    count: (position) => detours(0, n, degree, position, rankAt, nextAt, countsAt),
  };
}

/** Writes the rows of `knn` into `out` in `order`, ids renumbered to match, ids ≥ size as size. */
function copyGraph(knn: Graph, order: Uint32Array | undefined, out: Uint32Array): void {
  const { neighbors, size: n, degree } = knn;
  if (order === undefined) {
    for (let i = 0; i < out.length; i++) out[i] = Math.min(neighbors[i]!, n);
    return;
  }
  const position = new Uint32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  for (let p = 0; p < n; p++) {
    const from = order[p]! * degree;
    const to = p * degree;
    for (let k = 0; k < degree; k++) {
      const id = neighbors[from + k]!;
      out[to + k] = id < n ? position[id]! : n;
    }
  }
}

/**
 * The detour count of every edge of `knn` (rows sorted by distance), [size, degree] row-major;
 * see createDetourCounter. optimize() counts one row at a time; this whole-graph form is for
 * inspection.
 *
 * @example
 * // 0 → 1 → 2 is a detour for the edge 0 → 2.
 * const knn = { neighbors: new Uint32Array([1, 2, 2, 0, 0, 1]), size: 3, degree: 2 };
 * detourCounts(knn); // Uint16Array [0, 1, 0, 1, 0, 1]
 */
export function detourCounts(knn: Graph): Uint16Array {
  assertGraph(knn, "detourCounts: knn");
  const out = new Uint16Array(knn.size * knn.degree);
  const counter = createDetourCounter(knn);
  for (let node = 0; node < knn.size; node++) {
    counter.count(node);
    out.set(counter.counts, node * knn.degree);
  }
  return out;
}
