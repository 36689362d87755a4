// Compressed dataset storage read by the searches (f32, f16, int8).
export {
  STORAGE_KINDS,
  decodeVectors,
  defaultStorage,
  encodeVectors,
  storageBytes,
} from "./vector-storage.js";
export type { StorageKind, VectorStorage } from "./vector-storage.js";
export { compressIndex } from "./compress-index.js";
