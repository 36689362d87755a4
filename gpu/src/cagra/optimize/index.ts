export { optimize, type OptimizeOptions } from "./optimize.js";
export { detourCounts, MAX_DETOURS } from "./detour-count.js";
export { prune } from "./prune.js";
export { reverseGraph, type ReverseGraph } from "./reverse-graph.js";
export { mergeReverseEdges } from "./merge.js";
export { connectivityEdges, type ConnectivityEdges } from "./connectivity.js";
export { INVALID_NODE, MAX_KNN_DEGREE } from "./validate.js";
