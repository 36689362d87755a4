/**
 * A minimal Jupyter client for the kernel benchmark: DEALER sockets on shell and control,
 * SUB on iopub, messages signed with the connection key. It reuses the Tessera kernel's
 * own wire code (signing, framing) so both kernels are spoken to in exactly the same way.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import * as zmq from "zeromq";
import type { ConnectionInfo, Header, Message } from "../kernel/src/protocol/messages.ts";
import {
  createSigner,
  decode,
  encode,
  newHeader,
  WireError,
  type Signer,
} from "../kernel/src/protocol/wire.ts";

/** The channels this client speaks on (no stdin: the bench never asks for input). */
export type ClientChannel = "shell" | "control" | "iopub";

type Match = (channel: ClientChannel, msg: Message) => boolean;

interface Waiter {
  match: Match;
  resolve: (msg: Message) => void;
  reject: (error: Error) => void;
}

export interface Execution {
  reply: Message;
  /** performance.now() when the later of execute_reply and the iopub idle arrived. */
  doneAt: number;
  /** The kernel never published the idle status for this request (see execute). */
  idleLost: boolean;
}

/** Ports the OS reports free; all five are held open together so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === "string") throw new Error("no TCP port");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A fresh connection: free loopback ports and a random key, as jupyter_client makes one. */
export async function newConnectionInfo(): Promise<ConnectionInfo> {
  const [shell, control, stdin, iopub, hb] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    transport: "tcp",
    ip: "127.0.0.1",
    shell_port: shell,
    control_port: control,
    stdin_port: stdin,
    iopub_port: iopub,
    hb_port: hb,
    key: randomUUID(),
    signature_scheme: "hmac-sha256",
  };
}

/** The msg_id of the request a message answers, or undefined for unparented messages. */
export function parentId(msg: Message): string | undefined {
  return (msg.parent_header as Partial<Header>).msg_id;
}

export class JupyterClient {
  readonly session = randomUUID();
  readonly #signer: Signer;
  readonly #sockets: { shell: zmq.Dealer; control: zmq.Dealer; iopub: zmq.Subscriber };
  readonly #waiters = new Set<Waiter>();
  /** zeromq.js allows one pending send per socket, so sends are chained per channel. */
  readonly #sendChains = new Map<ClientChannel, Promise<void>>();
  #failure: Error | undefined;

  /** Connects right away: the kernel may not be listening yet, and ZeroMQ retries for us. */
  constructor(info: ConnectionInfo) {
    this.#signer = createSigner(info.signature_scheme, info.key);
    const url = (port: number) => `tcp://${info.ip}:${port}`;
    // The default 100 ms reconnect interval would quantise the start-up figure; retrying
    // a refused loopback connection every 5 ms costs next to nothing.
    const options = { linger: 0, reconnectInterval: 5 };
    this.#sockets = {
      // `immediate`: a request waits in send() until the connection is up instead of
      // queueing on a half-open pipe, so start-up polling does not pile up requests.
      shell: new zmq.Dealer({ ...options, immediate: true }),
      control: new zmq.Dealer(options),
      iopub: new zmq.Subscriber(options),
    };
    this.#sockets.iopub.subscribe();
    this.#sockets.shell.connect(url(info.shell_port));
    this.#sockets.control.connect(url(info.control_port));
    this.#sockets.iopub.connect(url(info.iopub_port));
    for (const channel of ["shell", "control", "iopub"] as const) {
      this.#receive(channel).catch((e: unknown) => this.fail(asError(e)));
    }
  }

  /** A request with a fresh header; its msg_id is known before it is sent. */
  request(msgType: string, content: Record<string, unknown>): Message<unknown> {
    return {
      identities: [],
      header: newHeader(msgType, this.session),
      parent_header: {},
      metadata: {},
      content,
      buffers: [],
    };
  }

  send(channel: Exclude<ClientChannel, "iopub">, msg: Message<unknown>): Promise<void> {
    const socket = this.#sockets[channel];
    const frames = encode(msg, this.#signer);
    const prev = this.#sendChains.get(channel) ?? Promise.resolve();
    const next = prev.then(() => socket.send(frames));
    // A failed send must not wedge the chain; the caller still sees its own rejection.
    this.#sendChains.set(
      channel,
      next.catch(() => {}),
    );
    return next;
  }

  /**
   * Resolves with the first message (from now on) that satisfies `match`. Register the
   * wait before sending the request, or a fast reply may pass unseen.
   */
  next(match: Match, timeoutMs: number, what: string, signal?: AbortSignal): Promise<Message> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<Message>((resolve, reject) => {
      const stop = (error: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        reject(error);
      };
      const timer = setTimeout(
        () => stop(new Error(`no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const waiter: Waiter = {
        match,
        resolve: (msg) => {
          clearTimeout(timer);
          resolve(msg);
        },
        reject: stop,
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", () => stop(new Error(`wait for ${what} cancelled`)));
    });
  }

  /**
   * Sends kernel_info_request every `retryMs` until one is answered: until the kernel has
   * bound its sockets nothing can be delivered, and a kernel may drop early requests.
   */
  async firstKernelInfo(retryMs: number, timeoutMs: number): Promise<Message> {
    const reply = this.next(
      (ch, m) => ch === "shell" && m.header.msg_type === "kernel_info_reply",
      timeoutMs,
      "kernel_info_reply",
    );
    await this.#pollUntil(
      reply,
      () => this.send("shell", this.request("kernel_info_request", {})),
      retryMs,
    );
    return reply;
  }

  /**
   * Resolves once iopub is known to be connected: PUB drops messages for subscribers it
   * has not seen yet, so kernel_info is repeated until its status message shows up.
   */
  async iopubReady(retryMs: number, timeoutMs: number): Promise<void> {
    const status = this.next(
      (ch, m) => ch === "iopub" && m.header.msg_type === "status",
      timeoutMs,
      "status message on iopub",
    );
    await this.#pollUntil(
      status,
      () => this.send("shell", this.request("kernel_info_request", {})),
      retryMs,
    );
  }

  /**
   * Runs `code` and resolves once both the execute_reply and the iopub idle for it have
   * arrived. An idle that has not come `idleGraceMs` after the reply counts as lost rather
   * than failing the run: tslab 1.0.22 drops an iopub message now and then (it does not
   * await zeromq.js sends, and every 513th send on a socket is deferred, so a send right
   * after it fails with EBUSY).
   */
  async execute(code: string, timeoutMs: number, idleGraceMs: number): Promise<Execution> {
    const msg = this.request("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const id = msg.header.msg_id;
    const cancelIdle = new AbortController();
    const reply = this.next(
      (ch, m) => ch === "shell" && m.header.msg_type === "execute_reply" && parentId(m) === id,
      timeoutMs,
      "execute_reply",
    );
    const idleAt = this.next(
      (ch, m) =>
        ch === "iopub" &&
        m.header.msg_type === "status" &&
        m.content["execution_state"] === "idle" &&
        parentId(m) === id,
      timeoutMs,
      "iopub idle after execute_request",
      cancelIdle.signal,
    ).then(() => performance.now());
    // Marked handled now: whichever wait is not awaited on an error path may reject later.
    idleAt.catch(() => {});
    const [, result] = await Promise.all([this.send("shell", msg), reply]);
    const replyAt = performance.now();
    const idleTime = await within(idleAt, idleGraceMs);
    if (idleTime === undefined) cancelIdle.abort();
    if (result.content["status"] !== "ok") {
      throw new Error(`execute_request "${code}" failed: ${JSON.stringify(result.content)}`);
    }
    return {
      reply: result,
      doneAt: Math.max(replyAt, idleTime ?? replyAt),
      idleLost: idleTime === undefined,
    };
  }

  /** Rejects every pending and future wait, e.g. when the kernel process has died. */
  fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiters) w.reject(error);
    this.#waiters.clear();
  }

  close(): void {
    this.fail(new Error("client closed"));
    for (const s of Object.values(this.#sockets)) s.close();
  }

  /** Calls `attempt` every `retryMs` until `done` settles; the first call is immediate. */
  async #pollUntil(done: Promise<unknown>, attempt: () => Promise<void>, retryMs: number) {
    let settled = false;
    const finished = done.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      // A send blocks until the connection is up; the poll must not outlive `done`.
      await Promise.race([attempt(), finished]);
      if (!settled) await Promise.race([sleep(retryMs), finished]);
    }
  }

  async #receive(channel: ClientChannel): Promise<void> {
    try {
      for await (const frames of this.#sockets[channel]) this.#dispatch(channel, frames);
    } catch (e) {
      // Closing a socket ends its loop with an error; that is the normal way out.
      if (!this.#sockets[channel].closed) throw e;
    }
  }

  #dispatch(channel: ClientChannel, frames: Buffer[]): void {
    let msg: Message;
    try {
      msg = decode(frames, this.#signer).message;
    } catch (e) {
      // A bad signature means the bench and kernel disagree on the key: fail loudly.
      if (e instanceof WireError) throw new Error(`bad message on ${channel}: ${e.message}`);
      throw e;
    }
    for (const w of this.#waiters) {
      if (w.match(channel, msg)) {
        this.#waiters.delete(w);
        w.resolve(msg);
      }
    }
  }
}

/** `p`'s value, or undefined if it has not settled within `ms`; a rejection passes through. */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), ms)),
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
