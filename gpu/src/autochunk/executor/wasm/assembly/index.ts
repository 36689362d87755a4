/* The AutoChunk CPU kernels compiled to WebAssembly: everything the module exports. */
export {
  GEMM_BATCH_BLOCK,
  GEMM_BATCH_COLUMNS,
  GEMM_ROWS,
  GEMM_SCRATCH_BYTES,
  batchedGemmRows,
  gemm,
  stridedGemmRows,
} from "./gemm";
export { layerNormRows, softmaxRows } from "./rows";
export { binaryPeriodic, binaryScalar, geluRange, unaryRange } from "./elementwise";
export { PERMUTE_STRIP, permuteUnits } from "./layout";
