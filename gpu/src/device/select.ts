/// <reference types="@webgpu/types" />
import { MemoryTracker } from "../memory/tracker.js";
import type { Backend, BackendKind, CpuBackend } from "./backend.js";
import { openWebGpu } from "./webgpu/device.js";

/** How to pick a backend; every field is optional. */
export interface BackendOptions {
  /** Force a backend; otherwise `TESSERA_BACKEND`, else WebGPU when an adapter exists, else CPU. */
  backend?: BackendKind;
  /** The WebGPU entry point; default `navigator.gpu`, or Dawn (the `webgpu` package) in Node. */
  gpu?: GPU;
  /** Threads for the CPU backend; default: the machine's cores (1 in a browser). */
  threads?: number;
  /** Where the one-line notices go (falling back to the CPU); default console.warn. */
  notice?: (line: string) => void;
  /** The tracker that records every allocation; default a new one. */
  memory?: MemoryTracker;
}

/**
 * Picks and opens a backend by DESIGN.md's rule: the explicit option, else the
 * `TESSERA_BACKEND` variable, else WebGPU if an adapter is found, else the CPU with a
 * one-line notice. Asking for WebGPU where there is none is an error, not a silent fallback.
 *
 * @example
 * const backend = await selectBackend();          // WebGPU on a GPU machine, else the CPU
 * const cpu = await selectBackend({ backend: "cpu", threads: 2 });
 */
export async function selectBackend(options: BackendOptions = {}): Promise<Backend> {
  const wanted = options.backend ?? backendFromEnvironment();
  const memory = options.memory ?? new MemoryTracker();
  const notice = options.notice ?? ((line: string) => console.warn(line));
  const threads = options.threads ?? (await defaultThreads());
  if (wanted === "cpu") return cpuBackend(threads, memory);
  const gpu = options.gpu ?? (await defaultGpu());
  const webgpu = gpu ? await openWebGpu(gpu, { memory }) : undefined;
  if (webgpu) return webgpu;
  if (wanted === "webgpu") {
    throw new Error(
      "WebGPU was requested but no adapter was found (no GPU, or no Vulkan/Metal/D3D driver). " +
        'Use { backend: "cpu" } or unset TESSERA_BACKEND; in a browser, check chrome://gpu.',
    );
  }
  notice("Tessera: no WebGPU adapter found; using the CPU backend.");
  return cpuBackend(threads, memory);
}

/** A CPU backend with `threads` threads (default 1: the calling thread only). */
export function cpuBackend(threads = 1, memory = new MemoryTracker()): CpuBackend {
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}.`);
  }
  return { kind: "cpu", threads, memory };
}

function backendFromEnvironment(): BackendKind | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.TESSERA_BACKEND;
  if (env === undefined || env === "") return undefined;
  if (env === "cpu" || env === "webgpu") return env;
  throw new RangeError(`TESSERA_BACKEND must be "cpu" or "webgpu", got "${env}".`);
}

/** The machine's cores in Node (node:os); 1 in a browser. */
async function defaultThreads(): Promise<number> {
  if (isNode()) {
    const os = await import("node:os");
    return Math.max(1, os.availableParallelism());
  }
  // In a browser the CPU kernels run on the calling thread: the worker pool is Node's.
  return 1;
}

function isNode(): boolean {
  return (
    (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !==
    undefined
  );
}

async function defaultGpu(): Promise<GPU | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) return undefined;
  const { nodeGpu } = await import("./webgpu/node-gpu.js");
  return nodeGpu();
}
