/**
 * The last resort of an interrupt, run on the transport's thread. A cell that keeps the
 * main thread busy after an await (in a promise continuation or a timer, outside the
 * synchronous run that vm's breakOnSigint covers) never sees the interrupt message.
 * The inspector protocol's Runtime.terminateExecution, sent from here, makes V8 unwind the
 * JavaScript running there. Node, the vm context and the notebook's variables survive it,
 * but V8 drops the microtasks queued at that moment (checked on Node 20): the main
 * thread then recovers what it may have lost (Kernel.recoverFromTermination). A callback
 * of Node's (a timer, I/O) that is terminated leaves its async context on the stack, which
 * aborts the process unless Node runs with --no-force-async-hooks-checks (install.ts).
 */
import { Session } from "node:inspector";

let session: Session | undefined;

/**
 * Asks V8 to terminate the JavaScript the main thread runs now. The protocol's reply never
 * comes on Node 20 (the termination unwinds the dispatch that would send it), so nothing
 * waits for it. Throws if the inspector is missing from this Node.
 */
export function stopMainThread(): void {
  if (session === undefined) {
    const s = new Session();
    s.connectToMainThread();
    session = s;
  }
  session.post("Runtime.terminateExecution");
}

/** Disconnects before the process exits, which otherwise waits for this "debugger". */
export function releaseMainThread(): void {
  session?.disconnect();
  session = undefined;
}
