/**
 * Interrupt state shared between the transport's worker thread and the main thread
 * (an Int32Array over a SharedArrayBuffer), so that an interrupt is never lost:
 * - `requested` counts interrupt requests; a cell notes the count when it starts and stops
 *   as soon as it sees a larger one (it may be compiling when the request arrives);
 * - `sync` says where the cell's synchronous part is: IDLE, RUNNING while the cell's own
 *   code runs inside vm's breakOnSigint (whose watchdog turns SIGINT into an interrupt, the
 *   one thing that stops a busy loop), RAISING while the transport raises SIGINT for it,
 *   RAISED once it has. SIGINT is raised only in RUNNING, and the main thread does not leave
 *   the run while the state is RAISING or RAISED: outside the watchdog's run, vm has taken
 *   away the process's SIGINT listeners and Node's default handler ends the process;
 * - `cellRunning` is 1 from the start of a cell's code to the end of its execution, and
 *   `acknowledged` the last request the main thread has taken: a request not taken while a
 *   cell runs means the cell keeps the thread busy after an await, where only V8's
 *   TerminateExecution reaches it (protocol/stop-main-thread.ts).
 */
export class InterruptState {
  readonly #cells: Int32Array;

  /** @param buffer share one buffer between threads; a fresh one by default. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(16)) {
    this.#cells = new Int32Array(buffer);
  }

  /** Counts a request and returns the new count. */
  request(): number {
    return Atomics.add(this.#cells, REQUESTED, 1) + 1;
  }

  get requested(): number {
    return Atomics.load(this.#cells, REQUESTED);
  }

  /**
   * Main thread, first thing inside the watchdog's run: SIGINT may be raised from now. It
   * also clears a RAISING or RAISED left by an earlier run that the signal ended.
   */
  enterSync(): void {
    Atomics.store(this.#cells, SYNC, RUNNING);
  }

  /**
   * Main thread, last thing inside the watchdog's run. Where the transport is raising
   * SIGINT, waits (at most `timeoutMs`) for the watchdog to act on it: V8's termination
   * ends this wait, and the run then throws vm's interrupted error.
   */
  leaveSync(timeoutMs: number): void {
    if (Atomics.compareExchange(this.#cells, SYNC, RUNNING, IDLE) === RUNNING) return;
    Atomics.wait(this.#cells, SYNC, RAISING, timeoutMs);
    Atomics.wait(this.#cells, SYNC, RAISED, timeoutMs);
    Atomics.store(this.#cells, SYNC, IDLE);
  }

  /** Transport thread: whether the cell's own code runs now, claimed for raising SIGINT. */
  claimSignal(): boolean {
    return Atomics.compareExchange(this.#cells, SYNC, RUNNING, RAISING) === RUNNING;
  }

  /**
   * Transport thread, after raising SIGINT: lets the main thread wait for it. Only from
   * RAISING: the signal may have ended the run already (V8's termination skips the run's
   * `finally`, so leaveSync never ran) and a next cell's run may have begun.
   */
  signalRaised(): void {
    Atomics.compareExchange(this.#cells, SYNC, RAISING, RAISED);
    Atomics.notify(this.#cells, SYNC);
  }

  /** Whether the cell's synchronous part runs (which SIGINT stops). */
  get runningSync(): boolean {
    return Atomics.load(this.#cells, SYNC) !== IDLE;
  }

  get cellRunning(): boolean {
    return Atomics.load(this.#cells, CELL_RUNNING) === 1;
  }

  set cellRunning(on: boolean) {
    Atomics.store(this.#cells, CELL_RUNNING, on ? 1 : 0);
  }

  /** The main thread has taken request `upTo`. */
  acknowledge(upTo: number): void {
    Atomics.store(this.#cells, ACKNOWLEDGED, upTo);
  }

  get acknowledged(): number {
    return Atomics.load(this.#cells, ACKNOWLEDGED);
  }
}

// The cells of the shared Int32Array.
const REQUESTED = 0;
const SYNC = 1;
const CELL_RUNNING = 2;
const ACKNOWLEDGED = 3;

// The values of SYNC.
const IDLE = 0;
const RUNNING = 1;
const RAISING = 2;
const RAISED = 3;
