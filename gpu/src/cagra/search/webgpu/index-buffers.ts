import type { WebGpuBackend } from "../../../device/backend.js";
import { destroyBuffer, uploadBuffer, type TrackedBuffer } from "../../../device/webgpu/buffers.js";
import { BufferUsage } from "../../../device/webgpu/usage.js";
import type { VectorStorage } from "../../storage/vector-storage.js";
import type { SearchIndex } from "../validate.js";
import { deviceRows } from "./stored-rows.js";

/*
 * The device copies of an index: the rows the search reads (index.storage when set, else the
 * f32 dataset; laid out as stored-rows.ts says) and the graph, uploaded on the first search
 * and kept for later ones. They are cached per backend under the index's own arrays (the
 * stored or dataset array, graph.neighbors), so an index rebuilt into new arrays gets
 * new copies and a dropped index lets its entries go with it; the device memory itself stays
 * allocated (and tracked) until releaseSearchBuffers. Arrays changed in place after a search
 * need releaseSearchBuffers too, or the device keeps the old values.
 */

/** The tracker's op name for the index buffers. */
export const INDEX_OP = "search-index";

interface DatasetEntry {
  readonly buffer: TrackedBuffer;
  readonly kind: VectorStorage["kind"];
  readonly cols: number;
}

const datasets = new WeakMap<WebGpuBackend, WeakMap<ArrayBufferView, DatasetEntry>>();

/** The rows a search of `index` reads. */
function storedRows(index: SearchIndex): VectorStorage {
  const { rows, cols, data } = index.dataset;
  return index.storage ?? { kind: "f32", rows, cols, data };
}
const graphs = new WeakMap<WebGpuBackend, WeakMap<Uint32Array, TrackedBuffer>>();

/**
 * The index's rows (as stored) and graph on `backend`'s device, uploaded if not there yet.
 * Throws a RangeError when either exceeds one storage binding.
 *
 * @example
 * const { dataset, graph } = searchIndexBuffers(gpu, index); // bound at 0 and 1 by the kernels
 */
export function searchIndexBuffers(
  backend: WebGpuBackend,
  index: SearchIndex,
): { readonly dataset: TrackedBuffer; readonly graph: TrackedBuffer } {
  const perDataset = datasets.get(backend) ?? new WeakMap<ArrayBufferView, DatasetEntry>();
  datasets.set(backend, perDataset);
  const rows = storedRows(index);
  let entry = perDataset.get(rows.data);
  if (entry !== undefined && (entry.cols !== rows.cols || entry.kind !== rows.kind)) {
    destroyBuffer(backend, entry.buffer);
    entry = undefined;
  }
  if (entry === undefined) {
    const data = deviceRows(rows, Math.ceil(rows.cols / 4));
    assertFits(backend, "dataset", data.byteLength);
    const buffer = uploadBuffer(backend, data, "search dataset", INDEX_OP, BufferUsage.STORAGE);
    entry = { buffer, kind: rows.kind, cols: rows.cols };
    perDataset.set(rows.data, entry);
  }
  const perGraph = graphs.get(backend) ?? new WeakMap<Uint32Array, TrackedBuffer>();
  graphs.set(backend, perGraph);
  let graph = perGraph.get(index.graph.neighbors);
  if (graph === undefined) {
    assertFits(backend, "graph", index.graph.neighbors.byteLength);
    graph = uploadBuffer(
      backend,
      index.graph.neighbors,
      "search graph",
      INDEX_OP,
      BufferUsage.STORAGE,
    );
    perGraph.set(index.graph.neighbors, graph);
  }
  return { dataset: entry.buffer, graph };
}

// Indexes whose device copies go with another index's (a coarse level with its index), by
// the rows of that index.
const companions = new WeakMap<ArrayBufferView, SearchIndex[]>();

/**
 * Makes releaseSearchBuffers(backend, index) free `companion`'s device copies too: search()
 * uploads a coarse level beside the index that the caller knows and releases.
 *
 * @example
 * releaseWith(index, coarseLevel.index);
 */
export function releaseWith(index: SearchIndex, companion: SearchIndex): void {
  const key = storedRows(index).data;
  const list = companions.get(key) ?? [];
  if (!list.includes(companion)) list.push(companion);
  companions.set(key, list);
}

/**
 * Frees the device copies of `index`'s rows and graph that searchWebGpu keeps on
 * `backend` (and those of its companions, see releaseWith); the next search uploads them
 * again. Returns the bytes released.
 *
 * @example
 * await searchWebGpu(gpu, index, queries, 10);
 * releaseSearchBuffers(gpu, index); // gpu.memory.liveBytes drops by the index's size
 */
export function releaseSearchBuffers(backend: WebGpuBackend, index: SearchIndex): number {
  let released = 0;
  const data = storedRows(index).data;
  for (const companion of companions.get(data) ?? []) {
    released += releaseSearchBuffers(backend, companion);
  }
  companions.delete(data);
  const perDataset = datasets.get(backend);
  const entry = perDataset?.get(data);
  if (entry !== undefined) {
    destroyBuffer(backend, entry.buffer);
    perDataset!.delete(data);
    released += entry.buffer.bytes;
  }
  const perGraph = graphs.get(backend);
  const graph = perGraph?.get(index.graph.neighbors);
  if (graph !== undefined) {
    destroyBuffer(backend, graph);
    perGraph!.delete(index.graph.neighbors);
    released += graph.bytes;
  }
  return released;
}

function assertFits(backend: WebGpuBackend, what: string, bytes: number): void {
  const limit = Math.min(backend.limits.maxStorageBufferBindingSize, backend.limits.maxBufferSize);
  if (bytes > limit) {
    throw new RangeError(
      `the index's ${what} takes ${bytes} bytes on the device, more than one storage binding allows here (${limit}); search it with searchCpu, or on a device with larger limits.`,
    );
  }
}
