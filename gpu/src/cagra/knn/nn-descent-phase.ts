import type { SharedWasmMemory } from "../../cpu/wasm-instance.js";
import type { KernelViews } from "./kernels.js";
import {
  APPLY,
  applyBlock,
  blockState,
  JOIN,
  joinBlock,
  reverseBlock,
  sampleBlock,
  seedBlock,
  slotScratch,
  stripesFor,
  type NnDescentLayout,
} from "./nn-descent-block.js";
import type { NnDescentTaskInput } from "./nn-descent-task.js";

/*
 * Running a phase of nn-descent-block.ts on every thread: the calling thread takes slot 0 and
 * pooled workers (gpu/src/cpu/worker-pool.ts) the others, all over one shared memory.
 */

/** One phase of one block, as plain data a worker can receive. */
export interface PhaseCall {
  readonly layout: NnDescentLayout;
  readonly phase: "seed" | "sample" | "reverse" | "join" | "apply";
  /**
   * The block's nodes first .. end − 1 (seed: its leaves; reverse: all nodes, visited from
   * `first` round).
   */
  readonly first: number;
  readonly end: number;
  /** The thread's scratch in layout.slots. */
  readonly slot: number;
  /** Stripes of the apply phase (stripesFor(threads)). */
  readonly stripes: number;
}

/** Runs `call` on this thread; returns the list entries it changed (apply; 0 otherwise). */
export function runPhase(kernels: KernelViews, call: PhaseCall): number {
  const state = blockState(kernels, call.layout);
  const { phase, first, end, slot, stripes } = call;
  switch (phase) {
    case "apply":
      return applyBlock(state, first, end, stripes);
    case "sample":
      sampleBlock(state, first, end);
      return 0;
    case "reverse":
      reverseBlock(state, first, stripes);
      return 0;
    case "seed":
      seedBlock(state, slotScratch(state, slot), slot, first, end);
      return 0;
    case "join":
      joinBlock(state, slotScratch(state, slot), first, end);
      return 0;
  }
}

/**
 * Runs a phase of the block first .. end − 1 on all threads; resolves with the entries changed.
 * `meanwhile` runs on this thread once the workers have started, before it takes its share.
 */
export type PhaseRunner = (
  phase: PhaseCall["phase"],
  first: number,
  end: number,
  meanwhile?: () => void,
) => Promise<number>;

let nextRunId = 1;

/**
 * A runner of phases on this thread and `layout.slots.length − 1` workers. With one slot it
 * starts no worker and needs no shared memory.
 */
export function createPhaseRunner(
  kernels: KernelViews & { readonly memory?: SharedWasmMemory },
  layout: NnDescentLayout,
  signal: AbortSignal | undefined,
): PhaseRunner {
  const threads = layout.slots.length;
  const stripes = stripesFor(threads);
  const claims = new Int32Array(kernels.u32.buffer, layout.claimsAt, 2);
  const runId = nextRunId++;
  let pool: Promise<typeof import("../../cpu/worker-pool.js")> | undefined;
  return async (phase, first, end, meanwhile) => {
    Atomics.store(claims, phase === "apply" || phase === "reverse" ? APPLY : JOIN, 0);
    const call = (slot: number): PhaseCall => ({ layout, phase, first, end, slot, stripes });
    if (threads === 1) {
      meanwhile?.();
      return runPhase(kernels, call(0));
    }
    const memory = kernels.memory;
    if (memory === undefined) throw new Error("nnDescent: threads need a shared memory.");
    // A specifier bundlers do not follow: node:worker_threads must stay out of browser bundles.
    const poolModule: string = "../../cpu/worker-pool.js";
    pool ??= import(poolModule) as Promise<typeof import("../../cpu/worker-pool.js")>;
    const { runInWorkers } = await pool;
    const inputs: NnDescentTaskInput[] = [];
    for (let slot = 1; slot < threads; slot++) inputs.push({ ...call(slot), memory, runId });
    const others = runInWorkers<NnDescentTaskInput, number>(
      new URL("./nn-descent-task.js", import.meta.url),
      inputs,
      { signal },
    );
    let here: number;
    try {
      meanwhile?.();
      here = runPhase(kernels, call(0));
    } catch (error) {
      others.catch(() => {});
      throw error;
    }
    const changed = await others;
    return changed.reduce((sum, c) => sum + c, here);
  };
}
