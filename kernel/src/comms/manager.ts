/**
 * Comms (Jupyter's custom messages between kernel and front end): a registry of targets
 * that front ends may open, and the comms that are open, whichever side opened them.
 */
import { randomUUID } from "node:crypto";

export type CommData = Record<string, unknown>;

/** What the manager sends to the front end; the kernel binds it to iopub. */
export type CommSend = (
  msgType: "comm_open" | "comm_msg" | "comm_close",
  content: CommData,
  buffers?: readonly Uint8Array[],
) => void;

export interface CommMessage {
  data: CommData;
  buffers: readonly Uint8Array[];
}

/**
 * One open comm.
 *
 * @example
 * const comm = openComm("tessera", { hello: 1 });
 * comm.onMessage(({ data }) => comm.send({ echo: data }));
 */
export class Comm {
  readonly #send: CommSend;
  readonly #onClose: () => void;
  readonly #messageHandlers: ((m: CommMessage) => void | Promise<void>)[] = [];
  readonly #closeHandlers: ((m: CommMessage) => void | Promise<void>)[] = [];
  #closed = false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    send: CommSend,
    onClose: () => void,
  ) {
    this.#send = send;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends `data` (JSON) and optional binary buffers to the front end. */
  send(data: CommData = {}, buffers: readonly Uint8Array[] = []): void {
    if (this.#closed)
      throw new Error(`Comm ${this.id} (${this.targetName}) is closed; open a new one.`);
    this.#send("comm_msg", { comm_id: this.id, data }, buffers);
  }

  /** Closes the comm on both sides. */
  close(data: CommData = {}): void {
    if (this.#closed) return;
    this.#send("comm_close", { comm_id: this.id, data });
    this.#finish();
  }

  onMessage(handler: (m: CommMessage) => void | Promise<void>): void {
    this.#messageHandlers.push(handler);
  }

  onClose(handler: (m: CommMessage) => void | Promise<void>): void {
    this.#closeHandlers.push(handler);
  }

  /** @internal a `comm_msg` from the front end. */
  async receive(m: CommMessage): Promise<void> {
    for (const h of this.#messageHandlers) await h(m);
  }

  /** @internal a `comm_close` from the front end. */
  async receiveClose(m: CommMessage): Promise<void> {
    this.#finish();
    for (const h of this.#closeHandlers) await h(m);
  }

  #finish() {
    this.#closed = true;
    this.#onClose();
  }
}

export type CommTargetHandler = (comm: Comm, open: CommMessage) => void | Promise<void>;

export class CommManager {
  readonly #targets = new Map<string, CommTargetHandler>();
  readonly #comms = new Map<string, Comm>();
  readonly #send: CommSend;

  constructor(send: CommSend) {
    this.#send = send;
  }

  /** Lets front ends open comms to `name`; `handler` receives each new comm. */
  registerTarget(name: string, handler: CommTargetHandler): void {
    this.#targets.set(name, handler);
  }

  unregisterTarget(name: string): void {
    this.#targets.delete(name);
  }

  /** Opens a comm from the kernel side. */
  open(targetName: string, data: CommData = {}, buffers: readonly Uint8Array[] = []): Comm {
    const comm = this.#create(randomUUID(), targetName);
    this.#send("comm_open", { comm_id: comm.id, target_name: targetName, data }, buffers);
    return comm;
  }

  /** Open comms, optionally of one target, as `comm_info_reply` lists them. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const c of this.#comms.values()) {
      if (targetName === undefined || c.targetName === targetName)
        out[c.id] = { target_name: c.targetName };
    }
    return out;
  }

  /** A front end's `comm_open`: unknown targets are answered with `comm_close`. */
  async handleOpen(content: CommData, buffers: readonly Uint8Array[]): Promise<void> {
    const id = String(content["comm_id"]);
    const target = String(content["target_name"]);
    const handler = this.#targets.get(target);
    if (handler === undefined) {
      this.#send("comm_close", {
        comm_id: id,
        data: { error: `No comm target "${target}" in this kernel.` },
      });
      return;
    }
    await handler(this.#create(id, target), { data: asData(content["data"]), buffers });
  }

  async handleMessage(content: CommData, buffers: readonly Uint8Array[]): Promise<void> {
    await this.#comms
      .get(String(content["comm_id"]))
      ?.receive({ data: asData(content["data"]), buffers });
  }

  async handleClose(content: CommData, buffers: readonly Uint8Array[]): Promise<void> {
    await this.#comms
      .get(String(content["comm_id"]))
      ?.receiveClose({ data: asData(content["data"]), buffers });
  }

  #create(id: string, target: string): Comm {
    const comm = new Comm(id, target, this.#send, () => this.#comms.delete(id));
    this.#comms.set(id, comm);
    return comm;
  }
}

function asData(x: unknown): CommData {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as CommData) : {};
}
