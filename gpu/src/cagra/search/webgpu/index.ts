export { searchWebGpu, defaultComputeUnits } from "./search.js";
export type { WebGpuSearchOptions, WebGpuSearchResult } from "./search.js";
export { releaseSearchBuffers } from "./index-buffers.js";
export { planLaunch, MAX_BATCH_BUFFER_BYTES } from "./launch.js";
export type { Launch, LaunchDevice, LaunchLimits, LaunchOptions } from "./launch.js";
