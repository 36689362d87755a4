export { MemoryTracker } from "./memory/tracker.js";
export type { MemoryEvent, MemoryEventKind, Allocation } from "./memory/tracker.js";
export type {
  Backend,
  BackendKind,
  CpuBackend,
  WebGpuBackend,
  GpuFeatures,
} from "./device/backend.js";
export { DeviceLostError } from "./device/backend.js";
export { selectBackend, cpuBackend, type BackendOptions } from "./device/select.js";
export { Session } from "./device/session.js";
export { openWebGpu } from "./device/webgpu/device.js";
export { matrix, row, type Matrix } from "./common/matrix.js";
export { seededRandom, gaussian, type Random } from "./common/random.js";
export * as cagra from "./cagra/index.js";
export * as autochunk from "./autochunk/index.js";
export * as datasets from "./datasets/index.js";
