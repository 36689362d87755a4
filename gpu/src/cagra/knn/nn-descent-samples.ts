import type { Random } from "../../common/random.js";
import type { KernelViews } from "./kernels.js";
import { ID, NEW, type Lists, type Stripe } from "./nn-descent-lists.js";

/*
 * Which candidates each node joins in an iteration (PyNNDescent's new_build_candidates, with
 * a random starting slot in place of random priorities): forward samples from each node's own
 * list, then reverse ones, each pass splittable among threads (nn-descent-block.ts).
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
 * Draws an iteration's random numbers for the sampling, in the order one pass over the nodes
 * would: each node's starting slot into `starts`; returns the node the reverse pass starts
 * from. Drawn up front, they let threads sample different nodes with the same outcome.
 */
export function drawSampleStarts(starts: Uint32Array, degree: number, rand: Random): number {
  for (let v = 0; v < starts.length; v++) starts[v] = Math.floor(rand() * degree);
  return Math.floor(rand() * starts.length);
}

/**
 * Forward samples of nodes first .. end − 1: up to samples/2 new and samples/2 old entries of
 * each node's own list, from its starting slot (sampled new entries become old).
 */
export function sampleForward(
  lists: Lists,
  state: Samples,
  starts: Uint32Array,
  first: number,
  end: number,
): void {
  const degree = lists.k;
  const ids = lists.ids;
  const { samples, newIds, newCounts, oldIds, oldCounts, newForward, oldForward } = state;
  const half = samples >> 1;
  for (let v = first; v < end; v++) {
    const at = v * degree;
    const base = v * samples;
    let nNew = 0;
    let nOld = 0;
    let slot = starts[v]!;
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
}

/**
 * Reverse samples for the nodes of `stripe`: visiting every node v from `rotation` round
 * (so that no node is favoured when they overflow), v joins the samples of each node of the
 * stripe it sampled, until `samples` per node. Each node gets its reverse samples in the same
 * order whichever thread adds them.
 */
export function sampleReverse(state: Samples, rotation: number, stripe: Stripe): void {
  const { samples, newIds, newCounts, oldIds, oldCounts, newForward, oldForward } = state;
  const n = newCounts.length;
  for (let t = 0; t < n; t++) {
    const v = rotation + t < n ? rotation + t : rotation + t - n;
    addReverse(v, newIds, newCounts, newForward[v]!, samples, stripe);
    addReverse(v, oldIds, oldCounts, oldForward[v]!, samples, stripe);
  }
}

/**
 * Appends v to the samples of each of its first `forward` samples in the stripe, while they
 * have room.
 */
function addReverse(
  v: number,
  ids: Uint32Array,
  counts: Uint32Array,
  forward: number,
  samples: number,
  { shift, mask, index }: Stripe,
): void {
  const base = v * samples;
  for (let s = 0; s < forward; s++) {
    const u = ids[base + s]!;
    const c = counts[u]!;
    if (c < samples && ((u >>> shift) & mask) === index) {
      ids[u * samples + c] = v;
      counts[u] = c + 1;
    }
  }
}
