/**
 * Interrupt state shared between the transport's worker thread and the main thread
 * (an Int32Array over a SharedArrayBuffer), so that an interrupt is never lost:
 * - `requested` counts interrupt requests; a cell notes the count when it starts and stops
 *   as soon as it sees a larger one (it may be compiling when the request arrives);
 * - `runningSync` is 1 while a cell's synchronous part runs: only then does the worker
 *   raise SIGINT, the one thing that stops a busy loop (vm's breakOnSigint).
 */
export class InterruptState {
  readonly #cells: Int32Array;

  /** @param buffer share one buffer between threads; a fresh one by default. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.#cells = new Int32Array(buffer);
  }

  /** Counts a request and returns the new count. */
  request(): number {
    return Atomics.add(this.#cells, 0, 1) + 1;
  }

  get requested(): number {
    return Atomics.load(this.#cells, 0);
  }

  get runningSync(): boolean {
    return Atomics.load(this.#cells, 1) === 1;
  }

  set runningSync(on: boolean) {
    Atomics.store(this.#cells, 1, on ? 1 : 0);
  }
}
