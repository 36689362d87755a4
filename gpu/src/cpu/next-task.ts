/*
 * Long CPU loops hand the event loop a turn now and then, so that an AbortSignal fired by a
 * kernel interrupt (or a timer) is delivered while they run.
 */

const schedule: (callback: () => void) => void =
  typeof setImmediate === "function" ? (cb) => setImmediate(cb) : (cb) => setTimeout(cb, 0);

/** Resolves on the next turn of the event loop (setImmediate in Node, a 0 ms timer elsewhere). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}

/**
 * A checkpoint for a long loop: call it between chunks of work. It yields to the event loop
 * once at least `intervalMs` have passed since the last yield, then throws the signal's reason
 * if it was aborted.
 *
 * @example
 * const checkpoint = createCheckpoint(signal);
 * for (const chunk of chunks) { work(chunk); await checkpoint(); }
 */
export function createCheckpoint(
  signal: AbortSignal | undefined,
  intervalMs = 25,
): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= intervalMs) {
      await nextTask();
      last = performance.now();
    }
    signal?.throwIfAborted();
  };
}
