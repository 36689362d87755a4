export { bruteForceKnn, type BruteForceOptions } from "./brute-force.js";
export {
  nnDescent,
  NN_DESCENT_SAMPLES,
  NN_DESCENT_SEED_TREES,
  type NnDescentOptions,
} from "./nn-descent.js";
export { randomProjectionLeaves, permuteRows, type Leaves } from "./rp-tree.js";
