// 2-D layouts of an index's vectors, for the proximity-graph explorer.
export { fitPca2, projectPca2, type Pca2, type PcaOptions } from "./pca.js";
export { umapLayout, UMAP_MAX_ROWS, type UmapOptions } from "./umap.js";
