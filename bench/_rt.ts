import { performance } from "node:perf_hooks";
import { runCalls, setCpuThreads, whenThreadsReady } from "../gpu/src/autochunk/executor/wasm/runtime.ts";
setCpuThreads(2);
await whenThreadsReady();
const call = { kernel: "binaryScalar" as const, args: [0, 0, 0, 0, 0, 0] };
for (const n of [1, 2]) {
  for (let w = 0; w < 200; w++) await runCalls(Array(n).fill(call));
  const s = performance.now();
  const N = 2000;
  for (let i = 0; i < N; i++) await runCalls(Array(n).fill(call));
  console.log(`${n} call(s): ${(((performance.now() - s) / N) * 1000).toFixed(1)} µs per runCalls`);
}
process.exit(0);
