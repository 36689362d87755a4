// CAGRA's peers, for notebooks and bench/cagra.bench.ts. This file only re-exports.
export { HNSWLIB_MISSING, hnswlibCallOverhead, loadHnswlib, runHnswlib } from "./hnswlib.js";
export type { HnswlibModule, HnswRun } from "./hnswlib.js";
export { findFaissPython, runFaissHnsw } from "./faiss.js";
export type { FaissHnswOptions, FaissPython, FaissRun } from "./faiss.js";
