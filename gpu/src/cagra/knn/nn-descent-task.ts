/*
 * The worker side of NN-descent's parallel iterations: one phase of one block
 * (nn-descent-block.ts) on an instance of the kernels over the run's shared memory,
 * instantiated once per worker and run.
 */
import type { SharedWasmMemory } from "../../cpu/wasm-instance.js";
import type { WorkerTask } from "../../cpu/worker-protocol.js";
import { attachKernels } from "./kernels.js";
import { runPhase, type PhaseCall } from "./nn-descent-phase.js";

/** A phase call and the memory it runs over. */
export interface NnDescentTaskInput extends PhaseCall {
  readonly memory: SharedWasmMemory;
  /** Tells this run's memory from an earlier run's. */
  readonly runId: number;
}

let cached:
  { readonly runId: number; readonly kernels: ReturnType<typeof attachKernels> } | undefined;

/** Runs the phase; resolves with the list entries it changed (0 for a join). */
export const run: WorkerTask<NnDescentTaskInput, number> = (input) => {
  if (cached?.runId !== input.runId) {
    cached = { runId: input.runId, kernels: attachKernels(input.memory) };
  }
  return runPhase(cached.kernels, input);
};
