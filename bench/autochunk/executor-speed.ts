/*
 * The CPU executor's speed against PyTorch eager on the CPU, for the GPT block of issue 12
 * (768 wide, 12 heads, 1 layer) at several sequence lengths, with the same number of threads
 * on both sides (setCpuThreads, torch.set_num_threads) and the same weights and inputs (written
 * as .npy for torch_gpt_block.py). Runs alternate executor / PyTorch, so both see the same
 * machine load; each figure is a median, with every run and the load average recorded.
 *
 * Standalone: node --import tsx bench/autochunk/executor-speed.ts [--threads N] [--runs N]
 * [--tokens 1024,2048] [--out FILE] writes FILE (default bench/results/autochunk-executor.json)
 * and prints a table.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { execute } from "../../gpu/src/autochunk/index.ts";
import { setCpuThreads, whenThreadsReady } from "../../gpu/src/autochunk/executor/wasm/runtime.ts";
import type { TensorData } from "../../gpu/src/autochunk/ir/dtype.ts";
import { materializeParam } from "../../gpu/src/autochunk/ir/param-init.ts";
import { gptPrefill } from "../../gpu/src/autochunk/models/index.ts";
import { encodeNpy, npyArray } from "../../gpu/src/datasets/npy.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PYTHON = path.join(ROOT, ".venv/bin/python");
const SCRIPT = fileURLToPath(new URL("./torch_gpt_block.py", import.meta.url));

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
  readonly executor_s: readonly number[];
  readonly torch_s: readonly number[];
  readonly executor_median_s: number;
  readonly torch_median_s: number;
  /** Median executor time over median PyTorch time (issue 12's target: ≤ 1.5). */
  readonly executor_time_ratio_vs_torch: number;
  /** os.loadavg()[0] after each pair of runs. */
  readonly load: readonly number[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function writeNpy(file: string, data: TensorData, shape: readonly number[]): void {
  const array =
    data instanceof Int32Array ? npyArray("<i4", shape, data) : npyArray("<f4", shape, data);
  writeFileSync(file, encodeNpy(array));
}

/** PyTorch's side: a long-lived process that times one forward per `run()`. */
async function startTorch(
  dir: string,
  threads: number,
): Promise<{ run(): Promise<number>; stop(): void }> {
  const child = spawn(PYTHON, [SCRIPT, dir, String(threads)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`torch_gpt_block.py exited (code ${child.exitCode})`);
    return line.value;
  };
  const ready = await next();
  if (ready !== "ready") throw new Error(`torch_gpt_block.py: expected "ready", got "${ready}"`);
  return {
    run: async () => {
      child.stdin.write("run\n");
      return Number(await next());
    },
    stop: () => child.stdin.end(),
  };
}

/**
 * Times the CPU executor and PyTorch eager on the GPT block, interleaved, per sequence length.
 *
 * @example
 * const rows = await measureExecutorSpeed({ tokens: [1024], threads: 2 });
 * rows[0].executor_time_ratio_vs_torch; // e.g. 1.3
 */
export async function measureExecutorSpeed(
  options: ExecutorSpeedOptions = {},
): Promise<ExecutorSpeed[]> {
  const threads = options.threads ?? os.availableParallelism();
  const runs = options.runs ?? 5;
  const log = options.log ?? (() => {});
  setCpuThreads(threads);
  await whenThreadsReady();
  const rows: ExecutorSpeed[] = [];
  for (const tokens of options.tokens ?? [1024, 2048]) {
    const model = gptPrefill({ seq: tokens, nLayer: 1 });
    const inputs = model.makeInputs();
    const dir = mkdtempSync(path.join(os.tmpdir(), "executor-speed-"));
    try {
      mkdirSync(path.join(dir, "params"));
      mkdirSync(path.join(dir, "inputs"));
      for (const node of model.graph.nodes) {
        if (node.op !== "param") continue;
        const data = materializeParam(node.attrs.init, node.shape, node.dtype);
        writeNpy(path.join(dir, "params", `${node.name}.npy`), data, node.shape);
      }
      for (const [name, t] of Object.entries(inputs)) {
        writeNpy(path.join(dir, "inputs", `${name}.npy`), t.data, t.shape);
      }
      writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ config: model.config }));
      const torch = await startTorch(dir, threads);
      try {
        await execute(model.graph, inputs);
        const executorS: number[] = [];
        const torchS: number[] = [];
        const load: number[] = [];
        for (let r = 0; r < runs; r++) {
          const start = performance.now();
          await execute(model.graph, inputs);
          executorS.push((performance.now() - start) / 1000);
          torchS.push(await torch.run());
          load.push(os.loadavg()[0]!);
          log(
            `${tokens} tokens, run ${r + 1}: executor ${executorS.at(-1)!.toFixed(3)} s, ` +
              `torch ${torchS.at(-1)!.toFixed(3)} s, load ${load.at(-1)!.toFixed(1)}`,
          );
        }
        const executor = median(executorS);
        const reference = median(torchS);
        rows.push({
          tokens,
          threads,
          executor_s: executorS,
          torch_s: torchS,
          executor_median_s: executor,
          torch_median_s: reference,
          executor_time_ratio_vs_torch: executor / reference,
          load,
        });
      } finally {
        torch.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    machine: { cpus: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version },
    wall_s: (performance.now() - started) / 1000,
    rows,
  };
  const out = path.resolve(values.out ?? path.join(ROOT, "bench/results/autochunk-executor.json"));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log("\n| tokens | threads | executor (s) | PyTorch (s) | ratio | load |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.tokens} | ${r.threads} | ${r.executor_median_s.toFixed(3)} | ` +
        `${r.torch_median_s.toFixed(3)} | ${r.executor_time_ratio_vs_torch.toFixed(2)} | ` +
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
