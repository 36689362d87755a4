/*
 * The CPU kernels' WebAssembly runtime: the module compiled from ./assembly (by
 * `npm run build:wasm`, into gpu/dist/wasm, which both src and dist reach by the same relative
 * path), one shared memory holding the kernels' tensors (heap.ts), an instance on this thread
 * and one per pooled worker over the same memory, and a dispatcher that runs one kernel call per
 * thread: the first here, the others on workers (gpu/src/cpu/worker-pool.ts).
 *
 * It needs Node (the module's file, worker threads), and takes what it needs from Node only when
 * the CPU executor first runs, with no import of a Node built-in or of the worker pool at the top:
 * the AutoChunk entry then also loads in a browser, where plans run on WebGPU.
 */
import type { SharedWasmMemory, WasmModule } from "../../../cpu/wasm-instance.js";
import {
  compileWasmBuilds,
  nodeBuiltin,
  type WasmBuildName,
  type WasmBuilds,
} from "../../../cpu/node-builtin.js";
import { createSharedMemory, instantiateWithMemory } from "../../../cpu/wasm-instance.js";
import type * as WorkerPool from "../../../cpu/worker-pool.js";
import { WasmHeap } from "./heap.js";

/** The kernels' two builds (assembly/asconfig.json's targets), as compileWasmBuilds takes them. */
export const KERNEL_BUILDS: WasmBuilds = {
  simd: new URL("../../../../dist/wasm/autochunk-kernels.wasm", import.meta.url),
  relaxedSimd: new URL("../../../../dist/wasm/autochunk-kernels-relaxed.wasm", import.meta.url),
};
const TASK = new URL("./worker-task.js", import.meta.url);
// Imported by URL, not by a literal specifier: a bundler would inline the pool, and with it the
// static node:worker_threads imports of gpu/src/cpu, into a browser bundle of the entry.
const WORKER_POOL = new URL("../../../cpu/worker-pool.js", import.meta.url);

// The module declares its memory as 16 to 65536 pages (assembly/asconfig.json); 65536 pages
// is wasm32's 4 GiB, which a shared memory reserves as address space, not as memory.
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;
// The module keeps no data of its own; the first KiB stays unused so that 0 never names a tensor.
const HEAP_BASE = 1024;

/** The module's exports; pointers are byte offsets into the shared memory. */
export interface WasmKernels {
  gemm(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    accumulate: number,
    pack: number,
  ): void;
  batchedGemmRows(
    a: number,
    aStride: number,
    b: number,
    bStride: number,
    c: number,
    m: number,
    n: number,
    k: number,
    rowStart: number,
    rowEnd: number,
    accumulate: number,
    pack: number,
  ): void;
  stridedGemmRows(
    a: number,
    saT: number,
    saM: number,
    saK: number,
    b: number,
    sbT: number,
    sbK: number,
    sbN: number,
    c: number,
    scT: number,
    scM: number,
    scN: number,
    m: number,
    n: number,
    k: number,
    rowStart: number,
    rowEnd: number,
    pack: number,
  ): void;
  softmaxRows(x: number, out: number, len: number, rowStart: number, rowEnd: number): void;
  layerNormRows(
    x: number,
    w: number,
    b: number,
    out: number,
    width: number,
    eps: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  binaryPeriodic(
    op: number,
    a: number,
    b: number,
    out: number,
    period: number,
    blockStart: number,
    blockEnd: number,
  ): void;
  binaryScalar(op: number, a: number, s: number, out: number, start: number, end: number): void;
  geluRange(x: number, out: number, start: number, end: number): void;
  unaryRange(op: number, x: number, out: number, start: number, end: number): void;
  permuteUnits(
    src: number,
    dst: number,
    desc: number,
    outer: number,
    unitStart: number,
    unitEnd: number,
  ): void;
}

/** Constants the module exports (as WebAssembly globals) for the code that calls it. */
export type WasmConstant =
  "GEMM_SCRATCH_BYTES" | "GEMM_ROWS" | "GEMM_BATCH_BLOCK" | "GEMM_BATCH_COLUMNS" | "PERMUTE_STRIP";

function constantOf(kernels: WasmKernels, name: WasmConstant): number {
  return (kernels as unknown as Record<WasmConstant, { value: number }>)[name].value;
}

/**
 * A constant of the kernel module, e.g. the rows per unit of work of `permuteUnits`.
 *
 * @example
 * kernelConstant("PERMUTE_STRIP"); // 16
 */
export function kernelConstant(name: WasmConstant): number {
  return constantOf(kernelRuntime().kernels, name);
}

/** A kernel of the module by name. */
export type KernelName = keyof WasmKernels;

/** One call of a kernel: what one thread runs. */
export interface KernelCall {
  readonly kernel: KernelName;
  readonly args: readonly number[];
}

/** What a worker receives (worker-task.ts). */
export interface WorkerCall extends KernelCall {
  readonly module: WasmModule;
  readonly memory: SharedWasmMemory;
  /** Tells a worker's cached instance whether it is over this memory (a posted memory is a new object). */
  readonly memoryId: number;
}

/** The process's kernel runtime. */
export interface KernelRuntime {
  readonly heap: WasmHeap;
  readonly kernels: WasmKernels;
  /**
   * Threads a kernel is spread over now (this one included): 1 until the pool's workers have
   * started, then the number asked for (setCpuThreads).
   */
  readonly threads: number;
  /** Per thread asked for, the gemm packing scratch (GEMM_SCRATCH_BYTES each) in the heap. */
  readonly packs: readonly number[];
}

interface Current extends KernelRuntime {
  readonly memoryId: number;
  /** The threads asked for. */
  readonly wanted: number;
}

let module: WasmModule | undefined;
let build: WasmBuildName | undefined;
let memory: SharedWasmMemory | undefined;
let current: Current | undefined;
let nextMemoryId = 0;
let requestedThreads: number | undefined;
let warming: Promise<void> = Promise.resolve();
// Loaded by warm(), so before the kernels run on more than one thread.
let pool: typeof WorkerPool | undefined;

const NEEDS_NODE =
  "AutoChunk's CPU executor runs its WebAssembly kernels in Node.js 20.16 or later (it " +
  "reads the kernels' file and starts worker threads). In a browser, plan and run on " +
  "WebGPU: autochunk(graph, { budget, backend, costModel }) with backend = await " +
  "selectBackend(), or executeWebGpu().";

function loadModule(): WasmModule {
  const loaded = compileWasmBuilds(KERNEL_BUILDS, "AutoChunk CPU kernels", NEEDS_NODE);
  build = loaded.build;
  return loaded.module;
}

function defaultThreads(): number {
  const fromEnv = Number(process.env.TESSERA_CPU_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0
    ? fromEnv
    : nodeBuiltin("node:os", NEEDS_NODE).availableParallelism();
}

/**
 * Sets how many threads the CPU kernels use (default: the TESSERA_CPU_THREADS variable, else
 * every core); 1 keeps them on the calling thread. Call it between runs.
 *
 * @example
 * setCpuThreads(2); // as torch.set_num_threads(2)
 */
export function setCpuThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`setCpuThreads: threads must be a positive integer, got ${threads}`);
  }
  requestedThreads = threads;
  if (current === undefined || current.wanted === threads) return;
  for (let i = threads; i < current.packs.length; i++) current.heap.free(current.packs[i]!);
  current = {
    ...current,
    wanted: threads,
    threads: Math.min(current.threads, threads),
    packs: packsFor(current.heap, current.kernels, threads, current.packs),
  };
  warm(threads);
}

/**
 * Resolves once the kernels run on every thread asked for (rejects if a worker failed to
 * start; the kernels then stay on the calling thread).
 *
 * @example
 * setCpuThreads(2);
 * await whenThreadsReady(); // before timing
 */
export function whenThreadsReady(): Promise<void> {
  kernelRuntime();
  return warming;
}

// Starting a worker takes tens of milliseconds, seconds under tsx on a loaded machine, so the
// kernels stay on this thread until the workers have started and instantiated the module.
function warm(wanted: number): void {
  if (wanted <= current!.threads) return;
  const noop = workerCall({ kernel: "binaryScalar", args: [0, 0, 0, 0, 0, 0] });
  const calls = Array.from({ length: wanted - 1 }, () => noop);
  warming = (import(WORKER_POOL.href) as Promise<typeof WorkerPool>)
    .then((loaded) => (pool = loaded).runInWorkers<WorkerCall, null>(TASK, calls))
    .then(() => {
      if (current?.wanted === wanted) current = { ...current, threads: wanted };
    });
  warming.catch(() => {});
}

function workerCall(call: KernelCall): WorkerCall {
  return { ...call, module: module!, memory: memory!, memoryId: current!.memoryId };
}

function packsFor(
  heap: WasmHeap,
  kernels: WasmKernels,
  threads: number,
  have: readonly number[],
): number[] {
  const bytes = constantOf(kernels, "GEMM_SCRATCH_BYTES");
  const packs = have.slice(0, threads);
  while (packs.length < threads) packs.push(heap.alloc(bytes));
  return packs;
}

/**
 * Which build of the kernels runs: "relaxedSimd" (fused multiply-add) where the engine has
 * relaxed SIMD, else "simd" (node-builtin.ts, compileWasmBuilds).
 *
 * @example
 * kernelBuild(); // "relaxedSimd" in Node 20.16+ on x64 and arm64
 */
export function kernelBuild(): WasmBuildName {
  kernelRuntime();
  return build!;
}

/** The runtime, created on first use. */
export function kernelRuntime(): KernelRuntime {
  if (current !== undefined) return current;
  module ??= loadModule();
  memory = createSharedMemory(INITIAL_PAGES, MAXIMUM_PAGES);
  const kernels = instantiateWithMemory(module, memory) as unknown as WasmKernels;
  const heap = new WasmHeap(memory, HEAP_BASE);
  const wanted = requestedThreads ?? defaultThreads();
  current = {
    heap,
    kernels,
    threads: 1,
    wanted,
    packs: packsFor(heap, kernels, wanted, []),
    memoryId: nextMemoryId++,
  };
  warm(wanted);
  return current;
}

// Calls of one kernel run share the per-thread packing scratch, so two kernels (two runs awaited
// together) must not overlap: each waits for the one before.
let previous: Promise<void> = Promise.resolve();

/**
 * Runs `calls` at once, one per thread: the first on this thread, the others on pooled workers
 * over the same memory; resolves when all are done (also when one fails, so that no worker
 * still writes into memory the caller frees next). Kernels run one after another.
 *
 * @example
 * await runCalls([{ kernel: "geluRange", args: [x, out, 0, n] }]);
 */
export function runCalls(calls: readonly KernelCall[]): Promise<void> {
  const run = previous.then(() => runNow(calls));
  previous = run.catch(() => {});
  return run;
}

async function runNow(calls: readonly KernelCall[]): Promise<void> {
  const rt = kernelRuntime();
  const [first, ...rest] = calls;
  if (first === undefined) return;
  const pending =
    rest.length === 0 ? null : pool!.runInWorkers<WorkerCall, null>(TASK, rest.map(workerCall));
  try {
    (rt.kernels[first.kernel] as (...args: number[]) => void)(...first.args);
  } finally {
    await pending;
  }
}

/**
 * Splits [0, total) into at most `parts` contiguous ranges of whole multiples of `align` (the
 * last may end unaligned at `total`), none shorter than `minPerPart` unless it is the only one.
 *
 * @example
 * splitRange(10, 3, 4, 1); // [[0, 4], [4, 8], [8, 10]]
 */
export function splitRange(
  total: number,
  parts: number,
  align: number,
  minPerPart: number,
): [number, number][] {
  const count = Math.max(1, Math.min(parts, Math.floor(total / Math.max(minPerPart, 1))));
  const units = Math.ceil(total / align);
  const ranges: [number, number][] = [];
  let start = 0;
  for (let p = 0; p < count && start < total; p++) {
    const end = Math.min(total, Math.round((units * (p + 1)) / count) * align);
    if (end > start) ranges.push([start, end]);
    start = end;
  }
  return ranges;
}
