/**
 * Interrupt state shared between the transport's worker thread and the main thread
 * (an Int32Array over a SharedArrayBuffer), so that an interrupt is never lost:
 * - `requested` counts interrupt requests; a cell notes the count when it starts and stops
 *   as soon as it sees a larger one (it may be compiling when the request arrives);
 * - `runningSync` is 1 while a cell's synchronous part runs: only then does the worker
 *   raise SIGINT, the one thing that stops a busy loop (vm's breakOnSigint);
 * - `signalled` is the request count the worker raised SIGINT for, so that a signal that
 *   reaches the main thread's handler late (the loop had ended) is not taken for a new
 *   request that would stop the next cell;
 * - `cellRunning` is 1 from the start of a cell's code to the end of its execution, and
 *   `acknowledged` the last request the main thread has taken: a request not taken while a
 *   cell runs means the cell keeps the thread busy after an await, where only V8's
 *   TerminateExecution reaches it (protocol/stop-main-thread.ts).
 */
export class InterruptState {
  readonly #cells: Int32Array;

  /** @param buffer share one buffer between threads; a fresh one by default. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(20)) {
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

  get cellRunning(): boolean {
    return Atomics.load(this.#cells, 3) === 1;
  }

  set cellRunning(on: boolean) {
    Atomics.store(this.#cells, 3, on ? 1 : 0);
  }

  /** The main thread has taken request `upTo`. */
  acknowledge(upTo: number): void {
    Atomics.store(this.#cells, 4, upTo);
  }

  get acknowledged(): number {
    return Atomics.load(this.#cells, 4);
  }

  /** Notes that SIGINT is raised for request `upTo`. */
  signal(upTo: number): void {
    Atomics.store(this.#cells, 2, upTo);
  }

  /** The request a raised SIGINT stands for (once), or undefined for a signal from outside. */
  takeSignal(): number | undefined {
    const upTo = Atomics.exchange(this.#cells, 2, 0);
    return upTo === 0 ? undefined : upTo;
  }
}
