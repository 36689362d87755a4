/*
 * The script every pooled worker runs: it waits for task requests, imports the task's module
 * (cached after the first time), runs its `run` export and posts progress and the result.
 */
import { parentPort } from "node:worker_threads";
import type { TaskReply, TaskRequest, WorkerTask } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("worker-entry: must run in a worker thread.");

/** ArrayBuffers of the (non-shared) typed arrays among the output's own properties. */
function transferables(output: unknown): ArrayBuffer[] {
  if (typeof output !== "object" || output === null) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const value of Object.values(output)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) buffers.add(value.buffer);
  }
  return [...buffers];
}

const post = (reply: TaskReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

// Task modules by URL: import() of a loaded module still costs a resolution each time (0.65 ms
// under tsx), which calls of many short tasks (NN-descent's phases) would pay per call.
const modules = new Map<string, Promise<{ run: WorkerTask<unknown, unknown> }>>();

port.on("message", async (request: TaskRequest) => {
  try {
    let loading = modules.get(request.task);
    if (loading === undefined) {
      loading = import(request.task) as Promise<{ run: WorkerTask<unknown, unknown> }>;
      modules.set(request.task, loading);
    }
    const module = await loading;
    const output = await module.run(request.input, (done) => post({ kind: "progress", done }));
    post({ kind: "done", output }, transferables(output));
  } catch (error) {
    post({ kind: "error", error });
  }
});
