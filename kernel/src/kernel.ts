/**
 * The kernel's main-thread side: state (executor, history, comms, outputs) and the
 * dispatcher that runs shell requests one at a time with busy/idle around each.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import * as cellGlobals from "./api/cell-globals.js";
import { bindStdin } from "./api/input.js";
import { bindKernel } from "./api/context.js";
import { CellExecutor } from "./cells/executor.js";
import type { InterruptState } from "./cells/interrupts.js";
import { CommManager } from "./comms/manager.js";
import { handlers } from "./handlers.js";
import { log } from "./log.js";
import type { Channel, Message } from "./protocol/messages.js";
import { replyType } from "./protocol/messages.js";
import { newHeader } from "./protocol/wire.js";
import { History } from "./session/history.js";
import { Outputs } from "./session/outputs.js";
import { Stdin, type StdinOptions } from "./session/stdin.js";

/** The cell API every cell sees as variables; its types come from this package. */
const CELL_GLOBALS: Record<string, unknown> = { ...cellGlobals };
const CELL_GLOBALS_DECLARATION =
  `import type * as __tessera from "@tessera/kernel/cell-globals";\n` +
  Object.keys(CELL_GLOBALS)
    .map((name) => `declare const ${name}: typeof __tessera.${name};\n`)
    .join("");

export interface KernelOptions {
  /** Sends a message on a channel; the transport signs it. */
  send: (channel: Channel, msg: Message<unknown>) => void;
  /** The notebook's folder: cells resolve packages from here first. */
  cwd: string;
  /** Tessera's root folder, the fallback for package resolution. */
  root: string;
  /** Shared with the transport thread, which counts interrupt requests in it. */
  interrupts?: InterruptState;
  /** How input() reaches the front end; without it, input() fails with a clear error. */
  input?: Pick<StdinOptions, "signal" | "send">;
}

export interface KernelState {
  readonly version: string;
  readonly typescriptVersion: string;
  executionCount: number;
  readonly executor: CellExecutor;
  readonly history: History;
  readonly comms: CommManager;
  readonly outputs: Outputs;
  readonly stdin: Stdin;
  abortQueuedExecutions(): void;
}

interface Queued {
  channel: Channel;
  msg: Message;
}

export class Kernel implements KernelState {
  readonly version: string;
  readonly typescriptVersion: string;
  executionCount = 0;
  readonly executor: CellExecutor;
  readonly history = new History(1);
  readonly comms: CommManager;
  readonly outputs: Outputs;
  readonly stdin: Stdin;
  readonly #send: KernelOptions["send"];
  readonly #queue: Queued[] = [];
  readonly #session = randomUUID();
  #running = false;

  constructor(options: KernelOptions) {
    const req = createRequire(import.meta.url);
    this.version = (req("../package.json") as { version: string }).version;
    this.typescriptVersion = (req("typescript/package.json") as { version: string }).version;
    this.#send = options.send;
    this.outputs = new Outputs((msgType, content, parent, buffers = []) =>
      this.#send("iopub", this.#message(msgType, content, parent, [], [...buffers])),
    );
    this.comms = new CommManager((msgType, content, buffers) =>
      this.outputs.publish(msgType, content, buffers),
    );
    bindKernel({ outputs: this.outputs, comms: this.comms });
    this.stdin = new Stdin(
      options.input && {
        signal: options.input.signal,
        // The prompt comes after what the cell printed before asking.
        send: (request) => {
          this.outputs.flush();
          options.input!.send(request);
        },
        message: (msgType, content, parent) =>
          this.#message(msgType, content, parent, parent.identities, []),
      },
    );
    bindStdin(this.stdin);
    this.executor = new CellExecutor({
      cwd: options.cwd,
      fallbackRoot: options.root,
      globals: CELL_GLOBALS,
      globalsDeclaration: CELL_GLOBALS_DECLARATION,
      ...(options.interrupts ? { interrupts: options.interrupts } : {}),
    });
  }

  /** Queues a request from the shell or control channel; requests run in arrival order. */
  receive(channel: Channel, msg: Message): void {
    this.#queue.push({ channel, msg });
    if (!this.#running) void this.#drain();
  }

  /** Interrupts the running cell; see CellExecutor.interrupt for `upTo`. */
  interrupt(upTo?: number): void {
    if (this.executor.interrupt(upTo)) this.stdin.interrupt();
  }

  /**
   * After the transport terminated a busy cell (protocol/stop-main-thread.ts): V8 dropped
   * the microtasks queued then, so output work they would have finished never settles.
   */
  recoverFromTermination(): void {
    this.outputs.abandonPending();
  }

  /** After a failing cell, queued cells are not run (JupyterLab's "run all" relies on this). */
  abortQueuedExecutions(): void {
    const kept: Queued[] = [];
    for (const q of this.#queue.splice(0)) {
      if (q.msg.header.msg_type !== "execute_request") {
        kept.push(q);
        continue;
      }
      this.#publishStatus("busy", q.msg);
      this.#send(
        q.channel,
        this.#reply(q.msg, { status: "aborted", execution_count: this.executionCount }),
      );
      this.#publishStatus("idle", q.msg);
    }
    this.#queue.push(...kept);
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let q = this.#queue.shift(); q; q = this.#queue.shift())
        await this.#dispatch(q.channel, q.msg);
    } finally {
      this.#running = false;
    }
  }

  async #dispatch(channel: Channel, msg: Message): Promise<void> {
    const type = msg.header.msg_type;
    const handler = handlers[type];
    if (handler === undefined) {
      log(`unhandled message type "${type}" on ${channel}`);
      return;
    }
    this.#publishStatus("busy", msg);
    this.outputs.parent = msg;
    // input() asks the front end of the running execute_request (on its stdin socket).
    this.stdin.parent = type === "execute_request" ? msg : undefined;
    try {
      const content = await handler(this, msg);
      if (content !== undefined) this.#send(channel, this.#reply(msg, content));
    } catch (e) {
      log(`handler for ${type} failed: ${(e as Error).stack ?? e}`);
      if (type.endsWith("_request")) {
        const err = e as Error;
        this.#send(
          channel,
          this.#reply(msg, {
            status: "error",
            ename: err.name ?? "Error",
            evalue: err.message ?? String(e),
            traceback: [],
          }),
        );
      }
    } finally {
      this.stdin.parent = undefined;
      this.outputs.flush();
      this.#publishStatus("idle", msg);
    }
  }

  #publishStatus(state: "busy" | "idle", parent: Message) {
    this.#send("iopub", this.#message("status", { execution_state: state }, parent, [], []));
  }

  #reply(request: Message, content: Record<string, unknown>): Message<unknown> {
    return this.#message(
      replyType(request.header.msg_type),
      content,
      request,
      request.identities,
      [],
    );
  }

  #message(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | undefined,
    identities: Buffer[],
    buffers: Uint8Array[],
  ): Message<unknown> {
    return {
      identities,
      header: newHeader(msgType, this.#session),
      parent_header: parent?.header ?? {},
      metadata: {},
      content,
      buffers: buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    };
  }
}
