#!/usr/bin/env node
/**
 * `tessera-kernel --connection-file FILE` runs the kernel (Jupyter starts it so);
 * `tessera-kernel install [--prefix DIR | --user]` installs its kernelspec.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { runtimeError } from "./cells/errors.js";
import { installKernelspec, NODE_FLAGS } from "./install.js";
import { Kernel } from "./kernel.js";
import { log } from "./log.js";
import type { ConnectionInfo } from "./protocol/messages.js";
import type { FromTransport, ToTransport, TransportData } from "./protocol/transport-worker.js";
import { InterruptState } from "./cells/interrupts.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function usage(): never {
  process.stderr.write(
    "usage: tessera-kernel --connection-file FILE\n       tessera-kernel install [--prefix DIR | --user]\n",
  );
  process.exit(2);
}

function readConnection(file: string): ConnectionInfo {
  const info = JSON.parse(readFileSync(file, "utf8")) as Partial<ConnectionInfo>;
  for (const k of [
    "ip",
    "shell_port",
    "control_port",
    "stdin_port",
    "iopub_port",
    "hb_port",
  ] as const) {
    if (info[k] === undefined) throw new Error(`connection file ${file} lacks "${k}"`);
  }
  return {
    transport: "tcp",
    key: "",
    signature_scheme: "hmac-sha256",
    ...info,
  } as ConnectionInfo;
}

function start(connectionFile: string): void {
  const info = readConnection(connectionFile);
  const interrupts = new InterruptState();
  const answers = new Int32Array(new SharedArrayBuffer(4));
  const inputs = new MessageChannel();
  const worker = new Worker(new URL("./protocol/transport-worker.js", import.meta.url), {
    workerData: {
      connection: info,
      interrupts: interrupts.buffer,
      inputAnswers: answers,
      inputPort: inputs.port2,
      canStop: NODE_FLAGS.every((flag) => process.execArgv.includes(flag)),
    } satisfies TransportData,
    transferList: [inputs.port2],
    stdout: false,
    stderr: false,
  });
  // Messages of one step (busy, outputs, reply, idle) cross to the worker in one post.
  let batch: Extract<ToTransport, { kind: "send" }>["messages"] = [];
  const flush = () => {
    worker.postMessage({ kind: "send", messages: batch } satisfies ToTransport);
    batch = [];
  };
  const kernel = new Kernel({
    send: (channel, msg) => {
      if (batch.push({ channel, msg }) === 1) queueMicrotask(flush);
    },
    cwd: process.cwd(),
    root: ROOT,
    interrupts,
    input: {
      signal: { port: inputs.port1, answers },
      // Posted at once, after the batch: a synchronous prompt() blocks this thread next.
      send: (request) => {
        if (batch.length > 0) flush();
        worker.postMessage({ kind: "input", request } satisfies ToTransport);
      },
    },
  });
  worker.on("message", (m: FromTransport) => {
    if (m.kind === "message") kernel.receive(m.channel, m.msg);
    else if (m.kind === "interrupt") {
      interrupts.acknowledge(m.upTo);
      kernel.interrupt(m.upTo);
    } else if (m.kind === "terminated") {
      // The flush queued as a microtask may be among those V8 dropped.
      if (batch.length > 0) flush();
      kernel.recoverFromTermination();
    } else if (m.kind === "shutdown") process.exit(0);
  });
  worker.on("error", (e) => {
    log(`transport failed: ${e.stack ?? e}`);
    process.exit(1);
  });

  // Cells write with console.log and process.stdout.write: both become stream outputs.
  for (const name of ["stdout", "stderr"] as const) {
    process[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      kernel.outputs.stream(
        name,
        typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"),
      );
      const cb = rest.find((x) => typeof x === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  }
  // Errors nobody catches are reported in the notebook; the kernel and its variables stay.
  process.on("unhandledRejection", (reason) => {
    kernel.outputs.stream("stderr", `Unhandled promise rejection: ${describe(reason)}\n`);
  });
  process.on("uncaughtException", (e) => {
    kernel.outputs.stream("stderr", `Uncaught exception: ${describe(e)}\n`);
  });
  exitWithParent(() => worker.postMessage({ kind: "close" } satisfies ToTransport));
  // A signal from outside (Ctrl-C, or a front end that sends SIGINT) interrupts too. The
  // transport raises its own only inside a cell's run, where vm's watchdog takes them.
  process.on("SIGINT", () => kernel.interrupt());
}

/**
 * Jupyter servers name themselves in JPY_PARENT_PID; when that process is gone (killed,
 * crashed), nothing will shut this kernel down, so it exits instead of lingering.
 */
function exitWithParent(exit: () => void): void {
  const parent = Number(process.env["JPY_PARENT_PID"]);
  if (!Number.isInteger(parent) || parent <= 1) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (e) {
      if ((e as { code?: string }).code === "ESRCH") {
        log(`parent process ${parent} is gone; exiting`);
        exit();
      }
    }
  }, 1000).unref();
}

function describe(e: unknown): string {
  return runtimeError(e).traceback.join("\n");
}

const args = process.argv.slice(2);
if (args[0] === "install") {
  const i = args.indexOf("--prefix");
  const dir = installKernelspec(
    i >= 0 ? { prefix: args[i + 1] ?? usage() } : { user: args.includes("--user") },
  );
  process.stdout.write(`Installed the "tessera" kernelspec in ${dir}\n`);
} else {
  const i = args.indexOf("--connection-file");
  const file = i >= 0 ? args[i + 1] : args[0];
  if (!file) usage();
  start(file);
}
