export { MemoryTracker } from "./memory/tracker.js";
export type { MemoryEvent, MemoryEventKind, Allocation } from "./memory/tracker.js";
