/**
 * The transport side of input(): it sends a cell's input_request on the stdin channel and
 * passes the front end's input_reply (or an interrupt that ends the wait) back to the main
 * thread. Answers go through a MessagePort and a shared counter that is bumped after each
 * one, so the main thread can wait for an answer even while it is blocked (prompt() is
 * synchronous, as in browsers and Deno), where it cannot receive messages.
 */
import type { MessagePort } from "node:worker_threads";
import type { Message } from "./messages.js";

/** One answer per input_request, naming the request it answers. */
export type InputAnswer =
  { request: string; value: string } | { request: string; interrupted: true };

/** The main thread's end of the relay: the port answers arrive on, and the counter. */
export interface InputSignal {
  port: MessagePort;
  /** An Int32Array of one cell over a SharedArrayBuffer: answers sent so far. */
  answers: Int32Array;
}

export class InputRelay {
  readonly #port: MessagePort;
  readonly #answers: Int32Array;
  /** The msg_id of the input_request waiting for its reply. */
  #pending: string | undefined;

  constructor(port: MessagePort, answers: Int32Array) {
    this.#port = port;
    this.#answers = answers;
  }

  /** Notes the request before it is sent: the front end may answer at once. */
  request(msg: Message<unknown>): void {
    // A cell asks once at a time; an older request still pending was abandoned.
    if (this.#pending !== undefined) this.#answer({ request: this.#pending, interrupted: true });
    this.#pending = msg.header.msg_id;
  }

  /**
   * Takes an input_reply to the pending request; false for anything else. A reply with no
   * parent answers the pending request (jupyter_client's `input()` sends it so, as ipykernel
   * accepts); one whose parent is another request is stale.
   */
  reply(msg: Message): boolean {
    const pending = this.#pending;
    const parent = (msg.parent_header as { msg_id?: string }).msg_id;
    if (msg.header.msg_type !== "input_reply" || pending === undefined) return false;
    if (parent !== undefined && parent !== pending) return false;
    this.#answer({ request: pending, value: String(msg.content["value"] ?? "") });
    return true;
  }

  /** An interrupt ends the wait (the cell then stops with KeyboardInterrupt); true if one was. */
  interrupt(): boolean {
    if (this.#pending === undefined) return false;
    this.#answer({ request: this.#pending, interrupted: true });
    return true;
  }

  #answer(answer: InputAnswer): void {
    this.#pending = undefined;
    this.#port.postMessage(answer);
    // After the post: a woken main thread finds the answer on its port.
    Atomics.add(this.#answers, 0, 1);
    Atomics.notify(this.#answers, 0);
  }
}
