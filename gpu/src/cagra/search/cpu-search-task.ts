/*
 * The query loop of searchCpuParallel, run alike by the calling thread and by pooled workers:
 * each claims the next chunk of queries from a shared counter, searches it with searchCpu and
 * writes its rows of the shared result arrays. Claiming (rather than fixed slices) keeps every
 * thread busy to the end when the machine's other load slows one of them down.
 * A worker gets the index's arrays in SharedArrayBuffers and the calling thread's WebAssembly
 * memory of it, which it searches in place (wasm-search.ts); each message brings fresh
 * typed-array objects over the same memory, so the first SearchIndex seen for a key is kept and
 * reused: its module instance and visited stamps are cached per array object.
 */
import { matrix, type Matrix } from "../../common/matrix.js";
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import type { SearchParams } from "../params.js";
import { searchCpu, searchedVectors, type CpuSearchOptions } from "./cpu.js";
import type { CoarseLevel } from "./seeds/coarse-level.js";
import { coarseSeeds } from "./seeds/coarse-seeds.js";
import type { SearchIndex } from "./validate.js";
import { adoptSharedIndex, type SharedIndexMemory } from "./wasm-search.js";

/** Where each query starts: random nodes only, given seeds, or seeds from a coarse level. */
export type ChunkEntries<L = CoarseLevel> =
  | { readonly kind: "random" }
  | {
      readonly kind: "given";
      readonly seeds: Uint32Array;
      readonly perQuery: number;
    }
  | { readonly kind: "coarse"; readonly level: L; readonly count: number };

/** One batch split into claimed chunks; every array here is shared by all the threads. */
export interface ChunkedSearch<L = CoarseLevel> {
  readonly queries: Matrix;
  readonly k: number;
  readonly params: Partial<SearchParams>;
  readonly options: Pick<CpuSearchOptions, "filter" | "hashmapMode" | "visited" | "seedsOnly">;
  readonly entries: ChunkEntries<L>;
  /** Queries per claim. */
  readonly chunk: number;
  /** [0]: the first query not yet claimed (Atomics.add). */
  readonly next: Int32Array;
  /** The results, [queries, k] and [queries]: each thread writes the rows it claimed. */
  readonly neighbors: Uint32Array;
  readonly distances: Float32Array;
  readonly iterations: Uint32Array;
}

function rowsOf(m: Matrix, start: number, end: number): Matrix {
  return matrix(m.data.subarray(start * m.cols, end * m.cols), end - start, m.cols);
}

function seedsFor(entries: ChunkEntries, queries: Matrix, start: number, end: number) {
  switch (entries.kind) {
    case "random":
      return undefined;
    case "given":
      return entries.seeds.subarray(start * entries.perQuery, end * entries.perQuery);
    case "coarse":
      return coarseSeeds(entries.level, rowsOf(queries, start, end), entries.count);
  }
}

/**
 * Searches chunks of `job` until none is left to claim. Throws what searchCpu throws (an abort
 * of `signal` included); the chunks this thread claimed are then unwritten.
 *
 * @example
 * searchClaimedChunks(index, job); // this thread's share; others run the same on `job`
 */
export function searchClaimedChunks(
  index: SearchIndex,
  job: ChunkedSearch,
  signal?: AbortSignal,
): void {
  const { queries, k, params, options, entries, chunk, next } = job;
  for (;;) {
    const start = Atomics.add(next, 0, chunk);
    if (start >= queries.rows) return;
    const end = Math.min(queries.rows, start + chunk);
    const seeds = seedsFor(entries, queries, start, end);
    const found = searchCpu(index, rowsOf(queries, start, end), k, params, {
      ...options,
      // Coarse entry points are the only ones (SearchPlan.seedsOnly).
      ...(entries.kind === "coarse" ? { seedsOnly: true } : {}),
      ...(seeds === undefined ? {} : { seeds }),
      ...(signal === undefined ? {} : { signal }),
    });
    job.neighbors.set(found.neighbors, start * k);
    job.distances.set(found.distances, start * k);
    job.iterations.set(found.iterations, start);
  }
}

/** An index in shared memory under a key that names it for the whole process. */
export interface KeyedIndex {
  readonly key: string;
  readonly index: SearchIndex;
  /** The calling thread's WebAssembly memory of the index, which workers search in place. */
  readonly wasm: SharedIndexMemory;
}

/** A coarse level as a worker gets it: its index under a key. */
export type KeyedLevel = Omit<CoarseLevel, "index"> & { readonly index: KeyedIndex };

/** What a worker gets: the shared index (and coarse level) under their keys, and the job. */
export interface SearchTaskInput {
  readonly index: KeyedIndex;
  readonly job: ChunkedSearch<KeyedLevel>;
}

// A few indexes at most: a notebook searching several at once still reuses their copies.
const KEPT = 8;
const indexes = new Map<string, SearchIndex>();

function indexFor({ key, index, wasm }: KeyedIndex): SearchIndex {
  const kept = indexes.get(key);
  if (kept !== undefined) return kept;
  adoptSharedIndex(searchedVectors(index), index.graph, wasm);
  indexes.set(key, index);
  if (indexes.size > KEPT) indexes.delete(indexes.keys().next().value!);
  return index;
}

export const run: WorkerTask<SearchTaskInput, Record<string, never>> = ({ index, job }) => {
  const { entries } = job;
  searchClaimedChunks(indexFor(index), {
    ...job,
    entries:
      entries.kind === "coarse"
        ? {
            ...entries,
            level: { ...entries.level, index: indexFor(entries.level.index) },
          }
        : entries,
  });
  return {};
};
