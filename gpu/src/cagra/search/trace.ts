/*
 * A per-iteration record of one query's beam search, as plain data for the proximity-graph
 * widget and for checking a GPU kernel step by step. Distances are reported ones
 * (reportedDistance), ids carry no expansion flag.
 */
import { reportedDistance } from "../distance.js";
import type { Metric } from "../types.js";

/** One iteration: the top list after the merge, then what was expanded from it. */
export interface SearchTraceStep {
  readonly iteration: number;
  /** The valid entries of the internal top-M list, closest first. */
  readonly topIds: Uint32Array;
  readonly topDistances: Float32Array;
  /** 1 where the entry had been expanded (cuVS's MSB flag) before this iteration's pick. */
  readonly topExpanded: Uint8Array;
  /** Nodes expanded this iteration; empty on the last step (converged or out of iterations). */
  readonly parents: Uint32Array;
  /** Children not in the visited hash, whose distance was computed, in expansion order. */
  readonly candidateIds: Uint32Array;
  readonly candidateDistances: Float32Array;
  /** Distances computed for this query by the end of the step, random samplings included. */
  readonly visited: number;
}

/** The whole search of one query. */
export interface SearchTrace {
  /** Row of the query in the batch. */
  readonly query: number;
  /** The random entry points kept (best sampling per slot, duplicates dropped), in slot order. */
  readonly seedIds: Uint32Array;
  readonly seedDistances: Float32Array;
  readonly steps: SearchTraceStep[];
}

/** What the search loop reports to a trace; internal distances, possibly flagged ids. */
export interface TraceRecorder {
  seed(id: number, distance: number): void;
  /** The top list at the start of an iteration (after the merge). */
  top(
    iteration: number,
    ids: Uint32Array,
    dists: Float32Array,
    length: number,
    visited: number,
  ): void;
  /** The parents and children of the iteration last passed to top(). */
  expanded(
    parents: Uint32Array,
    parentCount: number,
    ids: Uint32Array,
    dists: Float32Array,
    count: number,
    visited: number,
  ): void;
  finish(): SearchTrace;
}

const FLAG = 0x80000000;
const ID_MASK = 0x7fffffff;
const NO_IDS = new Uint32Array(0);
const NO_DISTANCES = new Float32Array(0);

/**
 * A recorder that copies what it is given into a SearchTrace of `query`.
 *
 * @example
 * const rec = createTraceRecorder(0, "sqeuclidean");
 * rec.top(0, new Uint32Array([0x80000003, 7]), new Float32Array([1, 2]), 2, 5);
 * rec.finish().steps[0]!.topIds; // Uint32Array [3, 7]
 */
export function createTraceRecorder(query: number, metric: Metric): TraceRecorder {
  const seedIds: number[] = [];
  const seedDistances: number[] = [];
  const steps: SearchTraceStep[] = [];
  let pending: SearchTraceStep | undefined;
  const report = (dists: ArrayLike<number>, count: number): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = reportedDistance(metric, dists[i]!);
    return out;
  };
  const flush = (): void => {
    if (pending !== undefined) steps.push(pending);
    pending = undefined;
  };
  return {
    seed(id, distance) {
      seedIds.push(id);
      seedDistances.push(distance);
    },
    top(iteration, ids, dists, length, visited) {
      flush();
      const topIds = new Uint32Array(length);
      const topExpanded = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        topIds[i] = ids[i]! & ID_MASK;
        topExpanded[i] = (ids[i]! & FLAG) !== 0 ? 1 : 0;
      }
      pending = {
        iteration,
        topIds,
        topDistances: report(dists, length),
        topExpanded,
        parents: NO_IDS,
        candidateIds: NO_IDS,
        candidateDistances: NO_DISTANCES,
        visited,
      };
    },
    expanded(parents, parentCount, ids, dists, count, visited) {
      if (pending === undefined) throw new Error("TraceRecorder: expanded() before top().");
      pending = {
        ...pending,
        parents: Uint32Array.from(parents.subarray(0, parentCount), (v) => v & ID_MASK),
        candidateIds: ids.slice(0, count),
        candidateDistances: report(dists, count),
        visited,
      };
      flush();
    },
    finish() {
      flush();
      return {
        query,
        seedIds: Uint32Array.from(seedIds),
        seedDistances: report(seedDistances, seedDistances.length),
        steps,
      };
    },
  };
}
