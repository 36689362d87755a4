import { readFile } from "node:fs/promises";
import { FormatError } from "../../datasets/format-error.js";
import { writeFileAtomic } from "../../datasets/atomic-write.js";
import type { CagraIndex } from "../types.js";
import { decodeCagraIndex, encodeCagraIndex, type CagraSerializeOptions } from "./cagra-format.js";
import { encodeHnswlibIndex } from "./hnswlib-format.js";

/*
 * Node file I/O for CAGRA indexes: encode or decode in memory, then one atomic write or one
 * read, so a failed save never leaves a partial index behind.
 */

/**
 * Saves `index` atomically in cuVS's CAGRA format (version 5).
 *
 * @example
 * await saveCagraIndex("sift.cagra", index);
 */
export async function saveCagraIndex(
  path: string,
  index: CagraIndex,
  options: CagraSerializeOptions = {},
): Promise<void> {
  return writeFileAtomic(path, encodeCagraIndex(index, options));
}

/**
 * Loads a cuVS CAGRA index file (version 5); errors name the file, field and byte offset.
 *
 * @example
 * const index = await loadCagraIndex("sift.cagra");
 */
export async function loadCagraIndex(path: string): Promise<CagraIndex> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return decodeCagraIndex(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${e.format} ${path}`, e.offset, e.problem);
    throw e;
  }
}

/**
 * Saves `index` atomically as an hnswlib index (see encodeHnswlibIndex).
 *
 * @example
 * await saveHnswlibIndex("sift.hnsw", index);
 * const h = new hnswlib.HierarchicalNSW(hnswlibSpace(index.metric), dim);
 * await h.readIndex("sift.hnsw");
 */
export async function saveHnswlibIndex(path: string, index: CagraIndex): Promise<void> {
  return writeFileAtomic(path, encodeHnswlibIndex(index));
}
