/**
 * The main thread's side of the compiler thread: each call posts a request and resolves
 * with its reply. The thread starts with the client, so TypeScript loads and parses its
 * library files while the kernel starts up; the main thread never loads TypeScript and
 * stays free to answer the front end while a cell is checked.
 */
import { startModuleWorker } from "@tessera/gpu/worker";
import type { Worker } from "node:worker_threads";
import type {
  CompilerData,
  CompilerMethod,
  CompilerMethods,
  CompilerReply,
  CompilerRequest,
} from "./compiler-protocol.js";

type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void };

/** The compiler thread's methods, asynchronous. */
export type Compiler = {
  [M in CompilerMethod]: (
    ...args: Parameters<CompilerMethods[M]>
  ) => Promise<ReturnType<CompilerMethods[M]>>;
};

/**
 * Starts the compiler thread for a notebook.
 *
 * @example
 * const compiler = startCompiler({ cwd, root, globals: [], globalsDeclaration: "" });
 * const conversion = await compiler.convert("const x = 1");
 */
export function startCompiler(data: CompilerData): Compiler & { close(): Promise<void> } {
  const pending = new Map<number, Pending>();
  let next = 0;
  let stopped: Error | undefined;
  const worker: Worker = startModuleWorker(new URL("./compiler-worker.js", import.meta.url), {
    workerData: data,
  });
  // Idle, the thread does not keep the process alive; a pending call does.
  worker.unref();
  const fail = (e: Error) => {
    stopped ??= e;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };
  worker.on("message", (reply: CompilerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`TypeScript failed: ${reply.error}`));
  });
  worker.on("error", (e) => fail(stoppedError(String(e.stack ?? e))));
  worker.on("exit", (code) => fail(stoppedError(`it exited with code ${code}`)));

  const call = <M extends CompilerMethod>(method: M, args: Parameters<CompilerMethods[M]>) =>
    new Promise<ReturnType<CompilerMethods[M]>>((resolve, reject) => {
      if (stopped) return reject(stopped);
      const id = next++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ id, method, args } as CompilerRequest);
    });
  return {
    convert: (...args) => call("convert", args),
    complete: (...args) => call("complete", args),
    inspect: (...args) => call("inspect", args),
    isComplete: (...args) => call("isComplete", args),
    async close() {
      stopped ??= new Error("the compiler thread was closed");
      await worker.terminate();
    },
  };
}

function stoppedError(why: string): Error {
  return new Error(
    `The TypeScript compiler thread stopped (${why}); cells cannot be checked any more. ` +
      "Restart the kernel (Kernel → Restart Kernel).",
  );
}
