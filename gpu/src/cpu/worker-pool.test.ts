import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import type { BruteForceTaskInput } from "../cagra/knn/brute-force-task.js";
import { runInWorkers } from "./worker-pool.js";

const task = new URL("../cagra/knn/brute-force-task.js", import.meta.url);

/** A real task input: two 2-d points, each query row its own range. */
function input(first: number, k: number): BruteForceTaskInput {
  const data = new Float32Array(new SharedArrayBuffer(16));
  data.set([0, 0, 3, 4]);
  const base = { dataset: data, datasetRows: 2, queries: data, dim: 2 };
  return { ...base, metric: "sqeuclidean", k, excludeSelf: false, first, count: 1 };
}

test("runInWorkers returns each task's output in input order", async () => {
  const outputs = await runInWorkers<BruteForceTaskInput, { neighbors: Uint32Array }>(task, [
    input(0, 2),
    input(1, 2),
  ]);
  assert.deepEqual(
    outputs.map((o) => [...o.neighbors]),
    [
      [0, 1],
      [1, 0],
    ],
  );
});

test("runInWorkers rejects with the error a task throws", async () => {
  // k = −1 makes the task allocate an array of negative length inside the worker.
  await assert.rejects(runInWorkers(task, [input(0, 2), input(0, -1)]), RangeError);
  // The pool still works afterwards.
  const [out] = await runInWorkers<BruteForceTaskInput, { neighbors: Uint32Array }>(task, [
    input(1, 1),
  ]);
  assert.deepEqual([...out!.neighbors], [1]);
});

test("runInWorkers rejects a task module that does not exist", async () => {
  await assert.rejects(
    runInWorkers(new URL("./no-such-task.js", import.meta.url), [1]),
    /neither .*no-such-task\.js nor its \.ts source exists/,
  );
});

test("workers do not keep the process alive after use", () => {
  const bruteForce = new URL("../cagra/knn/brute-force.ts", import.meta.url).href;
  const script = `
    import { bruteForceKnn } from ${JSON.stringify(bruteForce)};
    const m = { data: new Float32Array(400 * 8).map((_, i) => Math.sin(i)), rows: 400, cols: 8 };
    const knn = await bruteForceKnn(m, m, 4, "sqeuclidean", { threads: 2 });
    console.log("rows", knn.size);
  `;
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 20_000 },
  );
  assert.equal(child.signal, null, "the child did not exit by itself");
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /rows 400/);
});
