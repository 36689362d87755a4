/*
 * The worker side of searchCpuParallel: one slice of a query batch searched by searchCpu over
 * an index whose arrays live in SharedArrayBuffers. Each message brings fresh typed-array
 * objects over the same memory, so the first SearchIndex seen for a key is kept and reused:
 * the WebAssembly copy of the vectors and the visited stamps are cached per array object.
 */
import type { Matrix } from "../../common/matrix.js";
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import type { SearchParams } from "../params.js";
import { searchCpu, type CpuSearchOptions } from "./cpu.js";
import type { SearchIndex } from "./validate.js";

/** One slice of the batch: the shared index under `key`, and plain copies of the rest. */
export interface SearchTaskInput {
  readonly key: string;
  readonly index: SearchIndex;
  readonly queries: Matrix;
  readonly k: number;
  readonly params: Partial<SearchParams>;
  readonly options: Pick<CpuSearchOptions, "filter" | "seeds" | "hashmapMode" | "visited">;
}

/** The slice's results, [slice rows, k]. */
export interface SearchTaskOutput {
  readonly neighbors: Uint32Array;
  readonly distances: Float32Array;
  readonly iterations: Uint32Array;
}

// A few indexes at most: a notebook searching several at once still reuses their copies.
const KEPT = 4;
const indexes = new Map<string, SearchIndex>();

function indexFor(key: string, index: SearchIndex): SearchIndex {
  const kept = indexes.get(key);
  if (kept !== undefined) return kept;
  indexes.set(key, index);
  if (indexes.size > KEPT) indexes.delete(indexes.keys().next().value!);
  return index;
}

export const run: WorkerTask<SearchTaskInput, SearchTaskOutput> = (input) => {
  const { key, index, queries, k, params, options } = input;
  const { neighbors, distances, iterations } = searchCpu(
    indexFor(key, index),
    queries,
    k,
    params,
    options,
  );
  return { neighbors, distances, iterations };
};
