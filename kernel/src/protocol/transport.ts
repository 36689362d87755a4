/**
 * ZeroMQ transport: binds the five sockets of a connection file, verifies and decodes
 * incoming messages, signs and sends outgoing ones. It runs in a worker thread
 * (transport-worker.ts) so that heartbeats and control messages are answered while
 * the main thread runs a cell.
 */
import * as zmq from "zeromq";
import { log } from "../log.js";
import type { Channel, ConnectionInfo, Message } from "./messages.js";
import { createSigner, decode, encode, WireError } from "./wire.js";

export interface Transport {
  send(channel: Channel, msg: Message<unknown>): Promise<void>;
  close(): void;
}

/** Remembers recent signatures: a replayed message is dropped, as jupyter_client does. */
class ReplayGuard {
  readonly #seen = new Set<string>();
  readonly #order: string[] = [];
  constructor(readonly capacity = 4096) {}
  isReplay(signature: string): boolean {
    if (signature === "") return false;
    if (this.#seen.has(signature)) return true;
    this.#seen.add(signature);
    this.#order.push(signature);
    if (this.#order.length > this.capacity) this.#seen.delete(this.#order.shift()!);
    return false;
  }
}

function address(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}

/**
 * Binds the sockets and calls `onMessage` for each valid shell, control or stdin message.
 * Only the address in the connection file is bound.
 */
export async function openTransport(
  info: ConnectionInfo,
  onMessage: (channel: Channel, msg: Message) => void,
): Promise<Transport> {
  const signer = createSigner(info.signature_scheme, info.key);
  const replays = new ReplayGuard();
  const routers = {
    shell: new zmq.Router({ linger: 0 }),
    control: new zmq.Router({ linger: 0 }),
    stdin: new zmq.Router({ linger: 0 }),
  };
  const iopub = new zmq.Publisher({ linger: 0 });
  const hb = new zmq.Reply({ linger: 0 });
  await Promise.all([
    routers.shell.bind(address(info, info.shell_port)),
    routers.control.bind(address(info, info.control_port)),
    routers.stdin.bind(address(info, info.stdin_port)),
    iopub.bind(address(info, info.iopub_port)),
    hb.bind(address(info, info.hb_port)),
  ]);

  const receive = async (channel: "shell" | "control" | "stdin", socket: zmq.Router) => {
    for await (const frames of socket) {
      let decoded;
      try {
        decoded = decode(frames, signer);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        log(`dropped a message on ${channel}: ${e.message}`);
        continue;
      }
      if (replays.isReplay(decoded.signature)) {
        log(`dropped a replayed message on ${channel} (${decoded.message.header.msg_type})`);
        continue;
      }
      onMessage(channel, decoded.message);
    }
  };
  const echo = async () => {
    for await (const frames of hb) await hb.send(frames);
  };
  const onLoopEnd = (e: unknown) => {
    // Sockets end with an error when closed at shutdown; anything else is worth a line.
    if (!(e instanceof Error && /closed|terminated/i.test(e.message))) log(`socket loop: ${e}`);
  };
  for (const ch of ["shell", "control", "stdin"] as const)
    receive(ch, routers[ch]).catch(onLoopEnd);
  echo().catch(onLoopEnd);

  // Publisher/Router sends are queued per socket, as zeromq.js allows one send at a time.
  const queues = new Map<Channel, Promise<void>>();
  const sockets: Record<Channel, zmq.Router | zmq.Publisher> = { ...routers, iopub };
  let closed = false;
  return {
    send(channel, msg) {
      if (closed) return Promise.resolve();
      const frames = encode(msg, signer);
      const prev = queues.get(channel) ?? Promise.resolve();
      const next = prev
        .then(() => sockets[channel].send(frames))
        .catch((e) => log(`send on ${channel}: ${e}`));
      queues.set(channel, next);
      return next;
    },
    close() {
      closed = true;
      for (const s of [...Object.values(routers), iopub, hb]) s.close();
    },
  };
}
