/**
 * The front end's half of a live widget (viz's LiveChannel) over a Jupyter comm on target
 * `tessera`, in the notebook's session. Messages: viz/src/widget/live-messages.ts.
 */
import type { ISessionContext } from "@jupyterlab/apputils";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import type { JSONObject } from "@lumino/coreutils";
import {
  LIVE_TARGET,
  type LiveChannel,
  type LiveReply,
  type LiveResponse,
  type LiveState,
} from "@tessera/viz/dom";

interface Pending {
  resolve: (reply: LiveReply) => void;
  reject: (error: Error) => void;
}

/**
 * Opens the comm on first use and keeps it while the kernel lives. Its state is "busy"
 * while the kernel runs a cell (requests then wait in the kernel's queue) and "offline"
 * when there is no kernel, the kernel restarted, or the kernel does not know the widget.
 */
export class CommLiveChannel implements LiveChannel {
  #state: LiveState = "connecting";
  #reason = "";
  #comm: Kernel.IComm | undefined;
  #kernel: Kernel.IKernelConnection | null = null;
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(state: LiveState) => void>();
  readonly #running = new Set<string>();

  constructor(
    private readonly session: ISessionContext,
    private readonly widgetId: string,
  ) {
    session.kernelChanged.connect(this.#onKernelChanged, this);
    session.statusChanged.connect(this.#onStatus, this);
    this.#attach(session.session?.kernel ?? null);
  }

  get state(): LiveState {
    return this.#state;
  }

  get reason(): string {
    return this.#reason;
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async request(
    method: string,
    params: Record<string, unknown> = {},
    buffers: readonly ArrayBufferView[] = [],
  ): Promise<LiveReply> {
    const comm = this.#comm;
    if (!comm || this.#state === "offline") {
      throw new Error(this.#reason || "the kernel is not connected");
    }
    const id = this.#next++;
    const reply = new Promise<LiveReply>((resolve, reject) =>
      this.#pending.set(id, { resolve, reject }),
    );
    comm.send({ request: id, method, params } as unknown as JSONObject, undefined, [...buffers]);
    return reply;
  }

  dispose(): void {
    this.session.kernelChanged.disconnect(this.#onKernelChanged, this);
    this.session.statusChanged.disconnect(this.#onStatus, this);
    this.#kernel?.iopubMessage.disconnect(this.#onIopub, this);
    this.#fail("the widget was closed");
    if (this.#comm && !this.#comm.isDisposed) this.#comm.dispose();
    this.#listeners.clear();
  }

  #attach(kernel: Kernel.IKernelConnection | null): void {
    this.#kernel?.iopubMessage.disconnect(this.#onIopub, this);
    this.#kernel = kernel;
    this.#running.clear();
    if (!kernel) {
      this.#setState("offline", "no kernel is running");
      return;
    }
    kernel.iopubMessage.connect(this.#onIopub, this);
    this.#setState("connecting");
    void this.#open(kernel);
  }

  async #open(kernel: Kernel.IKernelConnection): Promise<void> {
    try {
      await kernel.info; // the connection is up and the kernel answers
      if (kernel !== this.#kernel) return;
      const comm = kernel.createComm(LIVE_TARGET);
      comm.onMsg = (msg) => this.#onReply(msg);
      comm.onClose = (msg) => {
        const error = (msg.content.data as { error?: string }).error;
        this.#comm = undefined;
        this.#fail(error ?? "the kernel closed the widget's connection");
      };
      this.#comm = comm;
      await comm.open({ widget: this.widgetId }).done;
      if (this.#comm === comm) this.#setState(this.#running.size > 0 ? "busy" : "live");
    } catch (error) {
      this.#fail(`could not reach the kernel: ${(error as Error).message ?? String(error)}`);
    }
  }

  #onReply(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as unknown as LiveResponse;
    const pending = this.#pending.get(data.reply);
    if (!pending) return;
    this.#pending.delete(data.reply);
    if ("error" in data) pending.reject(new Error(data.error));
    else {
      const buffers = (msg.buffers ?? []).map((b) =>
        ArrayBuffer.isView(b)
          ? new DataView(b.buffer, b.byteOffset, b.byteLength)
          : new DataView(b),
      );
      pending.resolve({ data: data.result, buffers });
    }
  }

  /** A cell runs between the busy and the idle status of an execute_request. */
  #onIopub(_: Kernel.IKernelConnection, msg: KernelMessage.IIOPubMessage): void {
    if (msg.header.msg_type !== "status") return;
    const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
    if (parent.msg_type !== "execute_request" || parent.msg_id === undefined) return;
    const state = (msg as KernelMessage.IStatusMsg).content.execution_state;
    if (state === "busy") this.#running.add(parent.msg_id);
    else if (state === "idle") this.#running.delete(parent.msg_id);
    if (this.#state === "live" || this.#state === "busy") {
      this.#setState(this.#running.size > 0 ? "busy" : "live");
    }
  }

  #onKernelChanged(
    _: ISessionContext,
    change: { newValue: Kernel.IKernelConnection | null },
  ): void {
    this.#fail("the kernel changed");
    this.#comm = undefined;
    this.#attach(change.newValue);
  }

  #onStatus(_: ISessionContext, status: Kernel.Status): void {
    if (status === "restarting" || status === "autorestarting") {
      this.#comm = undefined;
      this.#fail("the kernel was restarted: run the cell again");
    } else if (status === "dead") {
      this.#comm = undefined;
      this.#fail("the kernel is dead: restart it and run the cell again");
    }
  }

  #fail(reason: string): void {
    for (const { reject } of this.#pending.values()) reject(new Error(reason));
    this.#pending.clear();
    this.#setState("offline", reason);
  }

  #setState(state: LiveState, reason = ""): void {
    // A new reason while offline (the kernel changed, then none started) is shown too.
    if (state === this.#state && reason === this.#reason) return;
    this.#reason = reason;
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
}
