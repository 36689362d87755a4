/*
 * The messages between the worker pool (worker-pool.ts) and its workers (worker-entry.ts),
 * and the shape of a task module: a module that exports `run`.
 */

/** Called by a task with its progress (in the task's own units, cumulative). */
export type ReportProgress = (done: number) => void;

/**
 * What a task module exports as `run`. Its input arrives by structured clone (typed arrays
 * over SharedArrayBuffers stay shared); typed arrays among the output's own properties are
 * transferred back, not copied.
 */
export type WorkerTask<I, O> = (input: I, report: ReportProgress) => O | Promise<O>;

/** Main thread → worker: run `task` (a module URL) on `input`. */
export interface TaskRequest {
  readonly task: string;
  readonly input: unknown;
}

/** Worker → main thread. */
export type TaskReply =
  | { readonly kind: "progress"; readonly done: number }
  | { readonly kind: "done"; readonly output: unknown }
  | { readonly kind: "error"; readonly error: unknown };
