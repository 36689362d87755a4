import type { Random } from "../../common/random.js";
import type { KernelViews } from "./kernels.js";
import { ID, NEW, type Lists } from "./nn-descent-lists.js";

/*
 * Which candidates each node joins in an iteration (PyNNDescent's new_build_candidates, with
 * a random starting slot in place of random priorities).
 */

/** Per-node samples of new and old candidates for one iteration. */
export interface Samples {
  readonly samples: number;
  /** [n, samples] ids; forward samples first, then reverse ones. */
  readonly newIds: Uint32Array;
  readonly newCounts: Uint32Array;
  readonly oldIds: Uint32Array;
  readonly oldCounts: Uint32Array;
  /** How many of each node's samples are forward ones (taken from its own list). */
  readonly newForward: Uint32Array;
  readonly oldForward: Uint32Array;
}

/** Byte offsets of a Samples' arrays in kernel memory. */
export type SamplesOffsets = { readonly [name in Exclude<keyof Samples, "samples">]: number };

/** Reserves the samples of n nodes (zeros) through `reserve`; returns their byte offsets. */
export function reserveSamples(
  reserve: (bytes: number) => number,
  n: number,
  samples: number,
): SamplesOffsets {
  const table = () => reserve(n * samples * 4);
  const column = () => reserve(n * 4);
  return {
    newIds: table(),
    newCounts: column(),
    oldIds: table(),
    oldCounts: column(),
    newForward: column(),
    oldForward: column(),
  };
}

/** The samples laid out at `offsets`, seen from any thread's instance. */
export function samplesAt(
  kernels: KernelViews,
  n: number,
  samples: number,
  offsets: SamplesOffsets,
): Samples {
  const view = (at: number, length: number) => kernels.u32.subarray(at / 4, at / 4 + length);
  return {
    samples,
    newIds: view(offsets.newIds, n * samples),
    newCounts: view(offsets.newCounts, n),
    oldIds: view(offsets.oldIds, n * samples),
    oldCounts: view(offsets.oldCounts, n),
    newForward: view(offsets.newForward, n),
    oldForward: view(offsets.oldForward, n),
  };
}

/**
 * Samples each node's candidates: up to samples/2 new and samples/2 old entries of its own
 * list (from a random starting slot; sampled new entries become old), then reverse entries
 * (v joins the samples of each node it sampled) until `samples` per node. Nodes are visited
 * from a random start so no node is favoured when reverse samples overflow.
 */
export function sampleCandidates(lists: Lists, state: Samples, rand: Random): void {
  const degree = lists.k;
  const ids = lists.ids;
  const { samples, newIds, newCounts, oldIds, oldCounts, newForward, oldForward } = state;
  const n = newCounts.length;
  const half = samples >> 1;
  for (let v = 0; v < n; v++) {
    const at = v * degree;
    const base = v * samples;
    let nNew = 0;
    let nOld = 0;
    let slot = Math.floor(rand() * degree);
    for (let t = 0; t < degree && (nNew < half || nOld < half); t++) {
      const id = ids[at + slot]!;
      if (id & NEW) {
        if (nNew < half) {
          newIds[base + nNew++] = id & ID;
          ids[at + slot] = id & ID;
        }
      } else if (nOld < half) {
        oldIds[base + nOld++] = id;
      }
      if (++slot === degree) slot = 0;
    }
    newCounts[v] = newForward[v] = nNew;
    oldCounts[v] = oldForward[v] = nOld;
  }
  const start = Math.floor(rand() * n);
  for (let t = 0; t < n; t++) {
    const v = start + t < n ? start + t : start + t - n;
    addReverse(v, newIds, newCounts, newForward[v]!, samples);
    addReverse(v, oldIds, oldCounts, oldForward[v]!, samples);
  }
}

/** Appends v to the samples of each of its first `forward` samples, while they have room. */
function addReverse(
  v: number,
  ids: Uint32Array,
  counts: Uint32Array,
  forward: number,
  samples: number,
): void {
  const base = v * samples;
  for (let s = 0; s < forward; s++) {
    const u = ids[base + s]!;
    const c = counts[u]!;
    if (c < samples) {
      ids[u * samples + c] = v;
      counts[u] = c + 1;
    }
  }
}
