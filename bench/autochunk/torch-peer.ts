/*
 * PyTorch eager on the CPU as the AutoChunk benchmark's peer: a Python child process
 * (torch_peer.py beside this file) that loads one model at a time and runs it on request, so its
 * runs interleave with the executor's in the same session.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Model } from "../../gpu/src/autochunk/models/index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, "torch_peer.py");

/** A running peer. */
export interface TorchPeer {
  /** Loads `model` (the reference's `name`) with `threads` intra-op threads and warms it up. */
  load(
    model: Model<unknown>,
    name: "gpt" | "vit" | "evoformer" | "unet",
    threads: number,
  ): Promise<{ threads: number; torch: string }>;
  /** Wall seconds of one forward pass. */
  time(): Promise<number>;
  /** Peak bytes allocated during one forward pass, from the profiler's memory events. */
  peakBytes(): Promise<number>;
  /** Median wall seconds of `runs` products [batch, m, k] · [batch, k, n] (torch.matmul). */
  matmul(product: MatrixProduct, runs: number): Promise<number>;
  close(): void;
}

/** A batched matrix product [batch, m, k] · [batch, k, n]. */
export interface MatrixProduct {
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * How the peer's process allocates: "default" is glibc as it comes, which serves each tensor
 * above 32 MiB (an attention's scores at 1,024 tokens are 48 MiB) by mmap and returns it on free,
 * so every forward pass faults those pages in again; on a VM where a page fault is costly (seen
 * on one host here: 88 ms to allocate and fill a fresh 48 MiB tensor, 0.7 ms to refill one)
 * that is most of PyTorch's time. "retained" sets glibc's tunables (GLIBC_TUNABLES) so that
 * nothing is mmap'd and freed memory is kept, as the jemalloc or tcmalloc that PyTorch's CPU
 * tuning guides recommend would: pages fault once, in the warm-up.
 */
export type TorchAllocator = "default" | "retained";

const RETAINED_TUNABLES =
  "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=18446744073709551615";

/** The Python with PyTorch: $TESSERA_PYTHON, else the clone's .venv (requirements-test.txt). */
export function torchPython(): string {
  return process.env.TESSERA_PYTHON ?? path.resolve(HERE, "..", "..", ".venv", "bin", "python");
}

/**
 * Starts the peer, or says why it cannot (no Python, or one without PyTorch).
 *
 * @example
 * const peer = startTorchPeer(); // or startTorchPeer("retained")
 * if (!("missing" in peer)) await peer.load(gptPrefill({ seq: 1024, nLayer: 1 }), "gpt", 1);
 */
export function startTorchPeer(
  allocator: TorchAllocator = "default",
): TorchPeer | { missing: string } {
  const python = torchPython();
  if (!existsSync(python)) {
    return {
      missing: `no Python at ${python} (set TESSERA_PYTHON, or run scripts/setup.sh --test)`,
    };
  }
  try {
    execFileSync(python, ["-c", "import torch"], { stdio: "pipe", timeout: 120_000 });
  } catch {
    return {
      missing: `${python} has no PyTorch (scripts/setup.sh --test installs requirements-test.txt)`,
    };
  }
  const env =
    allocator === "retained" ? { ...process.env, GLIBC_TUNABLES: RETAINED_TUNABLES } : process.env;
  const child = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async <T>(message: object): Promise<T> => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
    const { value, done } = await lines.next();
    if (done === true) {
      throw new Error(`torch_peer.py exited (code ${child.exitCode}): ${stderr.trim()}`);
    }
    return JSON.parse(value as string) as T;
  };
  return {
    load(model, name, threads) {
      const params = model.graph.nodes
        .filter((n) => n.op === "param")
        .map((n) => [n.name, n.shape]);
      const inputs = model.inputs.map((i) => [i.name, i.shape, i.dtype, i.values]);
      return ask({ cmd: "load", model: name, config: model.config, threads, params, inputs });
    },
    time: async () => (await ask<{ seconds: number }>({ cmd: "time" })).seconds,
    peakBytes: async () => (await ask<{ peak_bytes: number }>({ cmd: "memory" })).peak_bytes,
    matmul: async (product, runs) =>
      (await ask<{ seconds: number }>({ cmd: "matmul", ...product, runs })).seconds,
    close: () => child.stdin.end(),
  };
}
