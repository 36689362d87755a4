// Browser-safe dataset API: parsers and encoders on bytes. Node file loaders are in node.ts.
export { BIN_EXTENSIONS, binDTypeOf, encodeBin, parseBin } from "./bin.js";
export type { BinDType, VectorBinDType } from "./bin.js";
export { float16ToFloat32, float32ToFloat16 } from "./dtype.js";
export { FormatError } from "./format-error.js";
export { encodeIds, encodeVectors, parseIds, parseVectors } from "./formats.js";
export { annBenchmarksMetric, parseAnnBenchmarksHdf5 } from "./hdf5.js";
export type { AnnBenchmarksDataset } from "./hdf5.js";
export { holdOutQueries } from "./holdout.js";
export type { HoldOut } from "./holdout.js";
export {
  decodeNpy,
  encodeNpy,
  int32TableToNpy,
  matrixToNpy,
  npyArray,
  npyToInt32Table,
  npyToMatrix,
  parseNpy,
} from "./npy.js";
export type { NpyArray, NpyDataTypes, NpyDescr, NpyHeaderStyle } from "./npy.js";
export {
  ANN_BENCHMARKS_EPSILON,
  distanceRecall,
  euclideanFromSquared,
  idRecall,
} from "./recall.js";
export type { KnnDistances, KnnIds } from "./recall.js";
export { gaussianMixture } from "./synthetic.js";
export type { GaussianMixtureParams } from "./synthetic.js";
export { int32Table } from "./table.js";
export type { Int32Table } from "./table.js";
export { parseSift5k, parseTsvVectors, SIFT_5K_FILES } from "./tsv.js";
export type { Sift5k, TsvVectors } from "./tsv.js";
export {
  encodeBvecs,
  encodeFvecs,
  encodeIvecs,
  parseBvecs,
  parseFvecs,
  parseIvecs,
} from "./vecs.js";
export { groundTruth } from "./ground-truth.js";
export type { GroundTruthOptions } from "./ground-truth.js";
