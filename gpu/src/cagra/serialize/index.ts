export {
  CAGRA_SERIALIZATION_VERSION,
  CUVS_METRIC_CODES,
  decodeCagraIndex,
  encodeCagraIndex,
} from "./cagra-format.js";
export type { CagraSerializeOptions } from "./cagra-format.js";
export { encodeHnswlibIndex, hnswlibSpace } from "./hnswlib-format.js";
