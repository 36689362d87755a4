/**
 * Reading the user's text for input() and prompt(): an input_request on the stdin channel
 * to the front end whose execute_request is running, and the answer the transport relays
 * (protocol/input-relay.ts). Waits end with the front end's input_reply or an interrupt.
 */
import { receiveMessageOnPort } from "node:worker_threads";
import { Interrupted } from "../cells/executor.js";
import type { InputAnswer, InputSignal } from "../protocol/input-relay.js";
import type { Message } from "../protocol/messages.js";

/** Raised where the front end cannot answer (allow_stdin: false), as ipykernel names it. */
export class StdinNotImplementedError extends Error {
  override name = "StdinNotImplementedError";
}

export interface StdinOptions {
  signal: InputSignal;
  /** Sends an input_request to the transport, after the outputs queued before it. */
  send: (request: Message<unknown>) => void;
  /** Builds a message parented to the running request, routed to its front end. */
  message: (msgType: string, content: Record<string, unknown>, parent: Message) => Message<unknown>;
}

export class Stdin {
  /** The execute_request being run; undefined between cells. */
  parent: Message | undefined;
  readonly #options: StdinOptions | undefined;
  /** Ends the asynchronous wait, for interrupts that do not pass the relay (SIGINT). */
  #cancel: (() => void) | undefined;

  /** Without options (a kernel with no transport), every read fails with a clear error. */
  constructor(options?: StdinOptions) {
    this.#options = options;
  }

  /** Asks and blocks this thread until the answer (prompt()). */
  readSync(prompt: string, password: boolean, caller: string): string {
    const { signal, request } = this.#send(prompt, password, caller);
    for (;;) {
      const seen = Atomics.load(signal.answers, 0);
      const answer = this.#take(signal, request);
      if (answer) return valueOf(answer);
      Atomics.wait(signal.answers, 0, seen);
    }
  }

  /** Asks and resolves with the answer (input()); other work of the cell goes on meanwhile. */
  async read(prompt: string, password: boolean, caller: string): Promise<string> {
    const { signal, request } = this.#send(prompt, password, caller);
    let cancelled = false;
    const cancel = new Promise<void>((resolve) => {
      this.#cancel = () => {
        cancelled = true;
        resolve();
      };
    });
    try {
      for (;;) {
        const seen = Atomics.load(signal.answers, 0);
        const answer = this.#take(signal, request);
        if (answer) return valueOf(answer);
        const woken = waitAsync(signal.answers, 0, seen);
        if (woken.async) await Promise.race([woken.value, cancel]);
        if (cancelled) throw new Interrupted();
      }
    } finally {
      this.#cancel = undefined;
    }
  }

  /** Ends an asynchronous wait with KeyboardInterrupt. */
  interrupt(): void {
    this.#cancel?.();
  }

  #send(prompt: string, password: boolean, caller: string) {
    const parent = this.parent;
    if (parent === undefined) {
      throw new StdinNotImplementedError(
        `${caller} works while a cell runs: there is no cell to ask the question from.`,
      );
    }
    if (parent.content["allow_stdin"] === false) {
      throw new StdinNotImplementedError(
        `${caller} needs a front end that answers input requests, and this one does not ` +
          `(its execute_request says allow_stdin: false, as nbconvert, nbclient and papermill do). ` +
          `Set the value in the cell instead.`,
      );
    }
    if (this.#options === undefined) {
      throw new StdinNotImplementedError(`${caller}: this kernel has no stdin channel.`);
    }
    const msg = this.#options.message("input_request", { prompt, password }, parent);
    this.#options.send(msg);
    return { signal: this.#options.signal, request: msg.header.msg_id };
  }

  /** The answer to `request`, if it has come; answers to abandoned requests are dropped. */
  #take(signal: InputSignal, request: string): InputAnswer | undefined {
    for (;;) {
      const received = receiveMessageOnPort(signal.port);
      if (received === undefined) return undefined;
      const answer = received.message as InputAnswer;
      if (answer.request === request) return answer;
    }
  }
}

/** Atomics.waitAsync (Node 16+), which the ES2023 lib the kernel builds with does not declare. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      cells: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

function valueOf(answer: InputAnswer): string {
  if ("interrupted" in answer) throw new Interrupted();
  return answer.value;
}
