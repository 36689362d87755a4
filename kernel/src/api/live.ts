/**
 * The kernel side of live widgets: objects a widget's front end calls over a comm on target
 * `tessera` (the messages: viz/src/widget/live-messages.ts). A producer registers methods
 * and puts the returned reference in its payload; the widget opens a comm naming it, and
 * each request runs the method and sends its reply. A widget from an earlier kernel (a
 * reopened notebook, a restart) gets a comm_close saying so, and renders offline.
 */
// The messages' own module, not viz's entry: the kernel's start-up then loads no renderer
// code (42 modules and dagre fewer before the first kernel_info_reply).
import { LIVE_TARGET, type LiveRef, type LiveRequest } from "@tessera/viz/live-messages";
import { randomUUID } from "node:crypto";
import type { Comm, CommManager, CommMessage } from "../comms/manager.js";

/** What a live method returns: JSON data, and binary buffers for large arrays. */
export interface LiveResult {
  result: Record<string, unknown>;
  buffers?: Uint8Array[];
}

/** A live method: the request's parameters and buffers in, its reply out; throw to reply with an error. */
export type LiveMethod = (
  params: Record<string, unknown>,
  buffers: readonly Uint8Array[],
) => LiveResult | Promise<LiveResult>;

/** A registered live widget: the reference for its payload, and how to forget it. */
export interface LiveWidget {
  readonly ref: LiveRef;
  dispose(): void;
}

const widgets = new Map<string, Record<string, LiveMethod>>();

/**
 * Registers `methods` for a widget's front end to call while this kernel runs.
 *
 * @example
 * const live = liveWidget({ plan: async ({ budget }) => ({ result: await replan(Number(budget)) }) });
 * const payload = { version: 1, live: live.ref, ... };
 */
export function liveWidget(methods: Record<string, LiveMethod>): LiveWidget {
  const id = randomUUID();
  widgets.set(id, methods);
  return { ref: { target: LIVE_TARGET, id }, dispose: () => widgets.delete(id) };
}

/** Called once at kernel start: front ends open their widgets' comms on `tessera`. */
export function serveLiveWidgets(comms: CommManager): void {
  comms.registerTarget(LIVE_TARGET, (comm, open) => connect(comm, open));
}

function connect(comm: Comm, open: CommMessage): void {
  const id = open.data["widget"];
  const methods = typeof id === "string" ? widgets.get(id) : undefined;
  if (!methods) {
    comm.close({
      error:
        "this kernel did not make this widget (it was restarted or is a new one): run the cell again",
    });
    return;
  }
  comm.onMessage(async ({ data, buffers }) => {
    const { request, method, params } = data as Partial<LiveRequest>;
    if (typeof request !== "number") return; // not a request: nothing to answer
    const run =
      typeof method === "string" && Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!run) {
      comm.send({ reply: request, error: `the widget has no method "${String(method)}"` });
      return;
    }
    try {
      const out = await run(params ?? {}, buffers);
      if (!comm.closed) comm.send({ reply: request, result: out.result }, out.buffers ?? []);
    } catch (e) {
      if (!comm.closed) comm.send({ reply: request, error: (e as Error).message ?? String(e) });
    }
  });
}
