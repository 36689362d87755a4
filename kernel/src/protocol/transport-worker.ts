/**
 * Worker-thread side of the transport. It answers heartbeats and the control messages
 * that must work while the main thread is busy (interrupt, shutdown), and forwards
 * everything else to the main thread.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { Channel, ConnectionInfo, Message } from "./messages.js";
import { replyType } from "./messages.js";
import { InterruptState } from "../cells/interrupts.js";
import { InputRelay } from "./input-relay.js";
import { log } from "../log.js";
import { releaseMainThread, stopMainThread } from "./stop-main-thread.js";
import { openTransport } from "./transport.js";
import { newHeader } from "./wire.js";

/**
 * How long the main thread has to take an interrupt before a cell that keeps it busy is
 * terminated: ample for any step of the kernel's own, short against the 1 s a user waits.
 */
const BUSY_MS = 200;

/** Worker → main. */
export type FromTransport =
  | { kind: "message"; channel: Channel; msg: Message }
  | { kind: "interrupt"; upTo: number }
  | { kind: "terminated" }
  | { kind: "shutdown"; restart: boolean };

/**
 * Main → worker: messages to send, in order (batched per microtask to save wake-ups), a
 * cell's input_request (its reply comes back through the input relay), or a request to close.
 */
export type ToTransport =
  | { kind: "send"; messages: { channel: Channel; msg: Message<unknown> }[] }
  | { kind: "input"; request: Message<unknown> }
  | { kind: "close" };

/** What the main thread passes to the worker. */
export interface TransportData {
  connection: ConnectionInfo;
  interrupts: SharedArrayBuffer;
  /** input()'s answers: the counter and the port of protocol/input-relay.ts. */
  inputAnswers: Int32Array;
  inputPort: MessagePort;
  /** Node runs with the options (install.ts) that let a busy cell be terminated. */
  canStop: boolean;
}

const port = parentPort!;
const data = workerData as TransportData;
const info = data.connection;
const interrupts = new InterruptState(data.interrupts);
const inputs = new InputRelay(data.inputPort, data.inputAnswers);

const transport = await openTransport(info, (channel, msg) => {
  if (channel === "control" && msg.header.msg_type === "interrupt_request") return interrupt(msg);
  if (channel === "control" && msg.header.msg_type === "shutdown_request") return shutdown(msg);
  // The main thread may be blocked in prompt(): the answer goes to it through the relay.
  if (channel === "stdin" && inputs.reply(msg)) return;
  port.postMessage({ kind: "message", channel, msg } satisfies FromTransport);
});

port.on("message", (m: ToTransport) => {
  if (m.kind === "close") return close(false);
  if (m.kind === "input") {
    inputs.request(m.request);
    return void transport.send("stdin", revive(m.request));
  }
  for (const { channel, msg } of m.messages) void transport.send(channel, revive(msg));
});

function reply(request: Message, channel: Channel, content: unknown) {
  const session = request.header.session;
  const status = (state: string): Message<unknown> => ({
    identities: [],
    header: newHeader("status", session),
    parent_header: request.header,
    metadata: {},
    content: { execution_state: state },
    buffers: [],
  });
  void transport.send("iopub", status("busy"));
  const done = transport.send(channel, {
    identities: request.identities,
    header: newHeader(replyType(request.header.msg_type), session),
    parent_header: request.header,
    metadata: {},
    content,
    buffers: [],
  });
  void transport.send("iopub", status("idle"));
  return done;
}

function interrupt(msg: Message) {
  const upTo = interrupts.request();
  // A cell waiting for input (prompt() blocks the main thread) wakes with the relay's answer.
  const waited = inputs.interrupt();
  // A synchronous cell blocks the main thread: a signal is the one thing that reaches it
  // there (vm's breakOnSigint). Awaited work ends through the message.
  if (!waited && interrupts.claimSignal()) {
    try {
      process.kill(process.pid, "SIGINT");
    } finally {
      interrupts.signalRaised();
    }
  }
  port.postMessage({ kind: "interrupt", upTo } satisfies FromTransport);
  void reply(msg, "control", { status: "ok" });
  if (!waited && interrupts.cellRunning) setTimeout(() => stopIfBusy(upTo), BUSY_MS);
}

/** Terminates a cell that keeps the main thread from taking interrupt `upTo`. */
function stopIfBusy(upTo: number) {
  // Taken, finished, or in the synchronous part (which SIGINT stops): nothing to do.
  if (interrupts.acknowledged >= upTo || !interrupts.cellRunning || interrupts.runningSync) return;
  if (!data.canStop) {
    return log(
      "a cell is busy after an await; start Node with --no-force-async-hooks-checks to stop it",
    );
  }
  try {
    stopMainThread();
  } catch (e) {
    return log(`could not stop the main thread: ${e}`);
  }
  // Taken by the main thread once it is free again, after the interrupt itself.
  port.postMessage({ kind: "terminated" } satisfies FromTransport);
}

function shutdown(msg: Message) {
  const restart = msg.content["restart"] === true;
  // A main thread blocked in prompt() must wake to take the shutdown message.
  inputs.interrupt();
  void reply(msg, "control", { status: "ok", restart }).then(() => close(restart));
}

/** Sockets close here before the process exits: zeromq aborts if they are still open. */
function close(restart: boolean) {
  transport.close();
  releaseMainThread();
  port.postMessage({ kind: "shutdown", restart } satisfies FromTransport);
}

/** Structured clone turns Buffers into Uint8Arrays; zeromq wants Buffers back. */
function revive(msg: Message<unknown>): Message<unknown> {
  const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  return { ...msg, identities: msg.identities.map(buf), buffers: msg.buffers.map(buf) };
}
