// Auto-tuning of the search parameters against a recall target.
export { tune } from "./tune.js";
export type { TuneOptions, TuneResult, TuneRow } from "./tune.js";
