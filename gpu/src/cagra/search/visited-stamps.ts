/*
 * The "exact" visited set of the CPU search: one u32 per node, node i visited in the current
 * query when stamp[i] === epoch, so starting a query costs one increment instead of a clear.
 */

/** The stamps and the current query's epoch. */
export interface VisitedStamps {
  readonly stamp: Uint32Array;
  epoch: number;
}

// Kept per dataset so that a call with one query does not allocate N entries.
const stampsByDataset = new WeakMap<object, VisitedStamps>();

/**
 * The stamps of the dataset whose vectors are `data` (one entry per row), shared by every
 * search over it on this thread.
 *
 * @example
 * const stamps = visitedStamps(dataset.data, dataset.rows);
 * const epoch = ++stamps.epoch; // a new query: nothing is visited
 */
export function visitedStamps(data: ArrayBufferView, rows: number): VisitedStamps {
  let stamps = stampsByDataset.get(data);
  if (stamps === undefined || stamps.stamp.length !== rows) {
    stamps = { stamp: new Uint32Array(rows), epoch: 0 };
    stampsByDataset.set(data, stamps);
  }
  return stamps;
}
