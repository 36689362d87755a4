/*
 * The CPU executor's speed against PyTorch eager on the CPU, for the GPT block of issue 12
 * (768 wide, 12 heads, 1 layer) at several sequence lengths, with the same number of threads
 * on both sides (setCpuThreads, torch.set_num_threads) through the benchmark's PyTorch peer
 * (torch-peer.ts), twice: with glibc's default allocator and with one that keeps freed memory
 * (TorchAllocator), since on some hosts the default's page faults are most of PyTorch's time.
 * Runs alternate executor / PyTorch / PyTorch retained, so all see the same machine load; each
 * figure is a median, with every run and the load average recorded. Then the block's matrix
 * products alone on each side (blockProducts), which bound the executor from below: their sum
 * over PyTorch's whole block is the floor ratio. A quick check of the executor alone;
 * `npm run bench:autochunk` reports the same ratio among everything else.
 *
 * Standalone: node --import tsx bench/autochunk/executor-speed.ts [--threads N] [--runs N]
 * [--tokens 1024,2048] [--out FILE] writes FILE (default bench/results/autochunk-executor.json)
 * and prints a table.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  kernelBuild,
  setCpuThreads,
  whenThreadsReady,
} from "../../gpu/src/autochunk/executor/wasm/runtime.ts";
import { execute } from "../../gpu/src/autochunk/index.ts";
import { gptPrefill } from "../../gpu/src/autochunk/models/index.ts";
import { vectorExtensions } from "../machine.ts";
import { matmulWasm } from "../../gpu/src/autochunk/executor/wasm/ops.ts";
import { startTorchPeer, type MatrixProduct } from "./torch-peer.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Options of measureExecutorSpeed. */
export interface ExecutorSpeedOptions {
  /** Sequence lengths; default [1024, 2048]. */
  readonly tokens?: readonly number[];
  /** Threads for both sides; default every core. */
  readonly threads?: number;
  /** Timed runs of each side per length (after one warm-up each); default 5. */
  readonly runs?: number;
  readonly log?: (line: string) => void;
}

/** One sequence length's figures. */
export interface ExecutorSpeed {
  readonly tokens: number;
  readonly threads: number;
  readonly torch: string;
  readonly executor_s: readonly number[];
  readonly torch_s: readonly number[];
  /** PyTorch's runs with the "retained" allocator (torch-peer.ts). */
  readonly torch_retained_s: readonly number[];
  readonly executor_median_s: number;
  readonly torch_median_s: number;
  readonly torch_retained_median_s: number;
  /** Median executor time over median PyTorch time (issue 12's target: ≤ 1.5). */
  readonly executor_time_ratio_vs_torch: number;
  /** The same against PyTorch with the retained allocator: the ratio of the work itself. */
  readonly executor_time_ratio_vs_torch_retained: number;
  /** os.loadavg()[0] after each pair of runs. */
  readonly load: readonly number[];
  /** The block's matrix products timed alone on each side (blockProducts), median seconds. */
  readonly products: readonly (MatrixProduct & { executor_s: number; torch_s: number })[];
  readonly products_executor_s: number;
  readonly products_torch_s: number;
  readonly products_gflops_executor: number;
  readonly products_gflops_torch: number;
  /**
   * The executor's products alone over PyTorch's whole block (retained allocator): no executor
   * with these product kernels can get below this ratio.
   */
  readonly products_floor_ratio_vs_torch_retained: number;
}

/**
 * The matrix products of one GPT block at `seq` tokens: q, k, v together, the heads' scores
 * and weighted values, the output projection and the MLP's two linears.
 *
 * @example
 * blockProducts(1024, 768, 12)[1]; // { batch: 12, m: 1024, k: 64, n: 1024 }
 */
export function blockProducts(seq: number, width: number, heads: number): MatrixProduct[] {
  const d = width / heads;
  return [
    { batch: 1, m: seq, k: width, n: 3 * width },
    { batch: heads, m: seq, k: d, n: seq },
    { batch: heads, m: seq, k: seq, n: d },
    { batch: 1, m: seq, k: width, n: width },
    { batch: 1, m: seq, k: width, n: 4 * width },
    { batch: 1, m: seq, k: 4 * width, n: width },
  ];
}

/** Median seconds of `runs` calls of the executor's product kernel on random operands. */
async function executorMatmulSeconds(p: MatrixProduct, runs: number): Promise<number> {
  const { batch, m, k, n } = p;
  const a = Float32Array.from({ length: batch * m * k }, Math.random);
  const b = Float32Array.from({ length: batch * k * n }, Math.random);
  const out = new Float32Array(batch * m * n);
  const shape = { batch, m, n, k, aStride: m * k, bStride: k * n };
  await matmulWasm(a, b, undefined, out, shape);
  const seconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await matmulWasm(a, b, undefined, out, shape);
    seconds.push((performance.now() - start) / 1000);
  }
  return median(seconds);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Times the CPU executor and PyTorch eager on the GPT block, interleaved, per sequence length.
 *
 * @example
 * const rows = await measureExecutorSpeed({ tokens: [1024], threads: 2 });
 * rows[0].executor_time_ratio_vs_torch_retained; // e.g. 1.3
 */
export async function measureExecutorSpeed(
  options: ExecutorSpeedOptions = {},
): Promise<ExecutorSpeed[]> {
  const threads = options.threads ?? os.availableParallelism();
  const runs = options.runs ?? 5;
  const log = options.log ?? (() => {});
  const peer = startTorchPeer();
  if ("missing" in peer) throw new Error(`measureExecutorSpeed: ${peer.missing}`);
  const retained = startTorchPeer("retained");
  if ("missing" in retained) throw new Error(`measureExecutorSpeed: ${retained.missing}`);
  setCpuThreads(threads);
  await whenThreadsReady();
  const rows: ExecutorSpeed[] = [];
  try {
    for (const tokens of options.tokens ?? [1024, 2048]) {
      const model = gptPrefill({ seq: tokens, nLayer: 1 });
      const inputs = model.makeInputs();
      const { torch } = await peer.load(model, "gpt", threads);
      await retained.load(model, "gpt", threads);
      await execute(model.graph, inputs);
      const executorS: number[] = [];
      const torchS: number[] = [];
      const retainedS: number[] = [];
      const load: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        await execute(model.graph, inputs);
        executorS.push((performance.now() - start) / 1000);
        torchS.push(await peer.time());
        retainedS.push(await retained.time());
        load.push(os.loadavg()[0]!);
        log(
          `${tokens} tokens, run ${r + 1}: executor ${executorS.at(-1)!.toFixed(3)} s, ` +
            `torch ${torchS.at(-1)!.toFixed(3)} s, retained ${retainedS.at(-1)!.toFixed(3)} s, ` +
            `load ${load.at(-1)!.toFixed(1)}`,
        );
      }
      const executor = median(executorS);
      const reference = median(torchS);
      const referenceRetained = median(retainedS);
      const { nEmbd, nHead } = model.config;
      const products = [];
      for (const p of blockProducts(tokens, nEmbd, nHead)) {
        const executorP = await executorMatmulSeconds(p, runs);
        const torchP = await retained.matmul(p, runs);
        products.push({ ...p, executor_s: executorP, torch_s: torchP });
      }
      const flop = products.reduce((sum, p) => sum + 2 * p.batch * p.m * p.k * p.n, 0);
      const productsExecutor = products.reduce((sum, p) => sum + p.executor_s, 0);
      const productsTorch = products.reduce((sum, p) => sum + p.torch_s, 0);
      log(
        `${tokens} tokens, products alone: executor ${productsExecutor.toFixed(3)} s, ` +
          `torch ${productsTorch.toFixed(3)} s`,
      );
      rows.push({
        tokens,
        threads,
        torch,
        executor_s: executorS,
        torch_s: torchS,
        torch_retained_s: retainedS,
        executor_median_s: executor,
        torch_median_s: reference,
        torch_retained_median_s: referenceRetained,
        executor_time_ratio_vs_torch: executor / reference,
        executor_time_ratio_vs_torch_retained: executor / referenceRetained,
        load,
        products,
        products_executor_s: productsExecutor,
        products_torch_s: productsTorch,
        products_gflops_executor: flop / productsExecutor / 1e9,
        products_gflops_torch: flop / productsTorch / 1e9,
        products_floor_ratio_vs_torch_retained: productsExecutor / referenceRetained,
      });
    }
  } finally {
    peer.close();
    retained.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      threads: { type: "string" },
      runs: { type: "string" },
      tokens: { type: "string" },
      out: { type: "string" },
    },
  });
  const started = performance.now();
  const rows = await measureExecutorSpeed({
    threads: values.threads === undefined ? undefined : Number(values.threads),
    runs: values.runs === undefined ? undefined : Number(values.runs),
    tokens: values.tokens?.split(",").map(Number),
    log: (line) => console.log(line),
  });
  const result = {
    machine: {
      cpus: os.cpus()[0]?.model,
      vector_extensions: vectorExtensions(),
      cores: os.availableParallelism(),
      node: process.version,
      wasm_build: kernelBuild(),
    },
    wall_s: (performance.now() - started) / 1000,
    rows,
  };
  const out = path.resolve(values.out ?? path.join(ROOT, "bench/results/autochunk-executor.json"));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    "\n| tokens | threads | executor (s) | PyTorch (s) | ratio | PyTorch retained (s) | ratio | products alone: executor (s), GFLOP/s | PyTorch (s), GFLOP/s | floor ratio | load |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.tokens} | ${r.threads} | ${r.executor_median_s.toFixed(3)} | ` +
        `${r.torch_median_s.toFixed(3)} | ${r.executor_time_ratio_vs_torch.toFixed(2)} | ` +
        `${r.torch_retained_median_s.toFixed(3)} | ` +
        `${r.executor_time_ratio_vs_torch_retained.toFixed(2)} | ` +
        `${r.products_executor_s.toFixed(3)}, ${r.products_gflops_executor.toFixed(0)} | ` +
        `${r.products_torch_s.toFixed(3)}, ${r.products_gflops_torch.toFixed(0)} | ` +
        `${r.products_floor_ratio_vs_torch_retained.toFixed(2)} | ` +
        `${Math.min(...r.load).toFixed(1)}–${Math.max(...r.load).toFixed(1)} |`,
    );
  }
  console.log(`written to ${out}`);
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  await main();
}
