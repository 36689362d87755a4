import { prepareForMetric } from "../distance.js";
import type { CagraIndex } from "../types.js";
import { encodeVectors, type StorageKind } from "./vector-storage.js";

/**
 * `index` with its vectors also held as `kind` in `storage`, which searches then read instead
 * of the f32 dataset: f16 halves and int8 quarters the bytes a search touches (see
 * storageBytes). The vectors are stored prepared for the metric (unit rows for cosine); the
 * f32 dataset stays on the index for persistence and rebuilds.
 *
 * @example
 * const small = compressIndex(index, "int8");
 * await search(backend, small, queries, 10); // reads the int8 codes
 */
export function compressIndex(index: CagraIndex, kind: StorageKind): CagraIndex {
  if (index.dataset === undefined) {
    throw new TypeError(
      `compressIndex: the index holds no dataset (graph only); build or load it with its vectors.`,
    );
  }
  return { ...index, storage: encodeVectors(prepareForMetric(index.dataset, index.metric), kind) };
}
