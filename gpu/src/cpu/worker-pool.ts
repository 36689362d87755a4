/*
 * A pool of node:worker_threads workers for the CPU backend. Workers are started on demand,
 * kept for the next call (starting one costs tens of milliseconds, more under tsx), and
 * unref'd while idle so they never keep the process alive. A failed or aborted call
 * terminates the workers it was using.
 * Workers run worker-entry.js beside this file (module-worker.ts starts it, also from
 * TypeScript sources).
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { resolveModuleUrl, startModuleWorker } from "./module-worker.js";
import type { TaskReply, TaskRequest } from "./worker-protocol.js";

const idle: Worker[] = [];
// Task URLs as resolved (resolveModuleUrl asks the file system, once or twice): the AutoChunk
// kernels run a task per op, hundreds per chunked program.
const taskHrefs = new Map<string, string>();

function taskHref(task: URL): string {
  let href = taskHrefs.get(task.href);
  if (href === undefined) {
    href = resolveModuleUrl(task).href;
    taskHrefs.set(task.href, href);
  }
  return href;
}

function startWorker(): Worker {
  return startModuleWorker(new URL("./worker-entry.js", import.meta.url));
}

function acquire(): Worker {
  const worker = idle.pop() ?? startWorker();
  worker.ref();
  return worker;
}

function release(worker: Worker): void {
  worker.unref();
  if (idle.length < availableParallelism()) idle.push(worker);
  else void worker.terminate();
}

/** Runs one task on `worker`; the returned `stop` detaches the listeners. */
function runOnWorker<O>(
  worker: Worker,
  request: TaskRequest,
  onProgress: (done: number) => void,
): { result: Promise<O>; stop: () => void } {
  let stop = () => {};
  const result = new Promise<O>((resolve, reject) => {
    const onMessage = (reply: TaskReply) => {
      if (reply.kind === "progress") onProgress(reply.done);
      else if (reply.kind === "done") resolve(reply.output as O);
      else reject(reply.error);
    };
    const onError = (error: Error) => reject(error);
    const onExit = (code: number) => reject(new Error(`worker exited with code ${code}.`));
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    stop = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.postMessage(request);
  });
  return { result, stop };
}

/** Options of runInWorkers(). */
export interface RunInWorkersOptions {
  /** Terminates the workers and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Progress of input `index` as its task reported it (cumulative). */
  onProgress?: (index: number, done: number) => void;
}

/**
 * Runs the task module at `task` (a module exporting `run`, see WorkerTask) once per input,
 * each on its own worker, and resolves with the outputs in input order. Rejects with the
 * first error a task throws (or a worker's crash), or with the signal's reason on abort.
 *
 * @example
 * const outputs = await runInWorkers<Input, Output>(
 *   new URL("./my-task.js", import.meta.url),
 *   [input0, input1],
 * );
 */
export async function runInWorkers<I, O>(
  task: URL,
  inputs: readonly I[],
  options: RunInWorkersOptions = {},
): Promise<O[]> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const href = taskHref(task);
  const workers = inputs.map(() => acquire());
  const runs = workers.map((worker, i) =>
    runOnWorker<O>(worker, { task: href, input: inputs[i] }, (done) => onProgress?.(i, done)),
  );
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  let succeeded = false;
  try {
    const outputs = await Promise.race([Promise.all(runs.map((r) => r.result)), aborted]);
    succeeded = true;
    return outputs;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    for (const r of runs) r.stop();
    // Late rejections of detached runs must not surface as unhandled.
    for (const r of runs) r.result.catch(() => {});
    for (const worker of workers) {
      if (succeeded) release(worker);
      else void worker.terminate();
    }
  }
}
