/**
 * Where a cell's outputs go: iopub messages parented to the request being executed
 * (or, for callbacks that fire later, to the last one), with stdout/stderr batched.
 */
import type { Message } from "../protocol/messages.js";
import type { DisplayContent } from "../display/bundle.js";

export type Publish = (
  msgType: string,
  content: Record<string, unknown>,
  parent: Message | undefined,
  buffers?: readonly Uint8Array[],
) => void;

/** Streams are flushed at least this often while a cell writes, so long loops show progress. */
const STREAM_FLUSH_MS = 50;

export class Outputs {
  /** The request outputs belong to. */
  parent: Message | undefined;
  readonly #publish: Publish;
  readonly #pending = new Set<Promise<unknown>>();
  #ordered: Promise<void> | undefined;
  #stream: { name: "stdout" | "stderr"; text: string; since: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #abandon: (() => void) | undefined;

  constructor(publish: Publish) {
    this.#publish = publish;
  }

  publish(
    msgType: string,
    content: Record<string, unknown>,
    buffers?: readonly Uint8Array[],
  ): void {
    this.flush();
    this.#publish(msgType, content, this.parent, buffers);
  }

  stream(name: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    if (this.#stream && this.#stream.name !== name) this.flush();
    if (this.#stream) this.#stream.text += text;
    else this.#stream = { name, text, since: Date.now() };
    if (Date.now() - this.#stream.since >= STREAM_FLUSH_MS) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const s = this.#stream;
    this.#stream = undefined;
    if (s) this.#publish("stream", { name: s.name, text: s.text }, this.parent);
  }

  display(content: DisplayContent, displayId: string, update: boolean): void {
    this.publish(update ? "update_display_data" : "display_data", {
      ...content,
      transient: { display_id: displayId },
    });
  }

  clear(wait: boolean): void {
    this.publish("clear_output", { wait });
  }

  /**
   * Publishes in call order even when some outputs are computed asynchronously: at once
   * while nothing is waiting, else after what is.
   */
  inOrder<T>(work: T | Promise<T>, publish: (t: T) => void, fail: (e: unknown) => void): void {
    if (this.#ordered === undefined && !(work instanceof Promise)) {
      publish(work);
      return;
    }
    const next: Promise<void> = (this.#ordered ?? Promise.resolve())
      .then(() => work)
      .then(publish, fail)
      .finally(() => {
        if (this.#ordered === next) this.#ordered = undefined;
      });
    this.#ordered = next;
    this.track(next);
  }

  /** Tracks asynchronous output work so the reply waits for it. */
  track(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Resolves when tracked work has finished (or is abandoned) and streams are flushed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) {
      const abandoned = new Promise<void>((resolve) => (this.#abandon = resolve));
      await Promise.race([Promise.allSettled([...this.#pending]), abandoned]);
    }
    this.#abandon = undefined;
    this.flush();
  }

  /**
   * Stops waiting for tracked work: after V8 terminated a busy cell, work whose next step
   * was a dropped microtask never settles, and the reply must not wait for it.
   */
  abandonPending(): void {
    this.#pending.clear();
    this.#ordered = undefined;
    this.#abandon?.();
  }
}
