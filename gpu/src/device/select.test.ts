import { test } from "node:test";
import assert from "node:assert/strict";
import { selectBackend, cpuBackend } from "./select.js";
import { Session } from "./session.js";

function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const old = process.env.TESSERA_BACKEND;
  if (value === undefined) delete process.env.TESSERA_BACKEND;
  else process.env.TESSERA_BACKEND = value;
  return fn().finally(() => {
    if (old === undefined) delete process.env.TESSERA_BACKEND;
    else process.env.TESSERA_BACKEND = old;
  });
}

/** A GPU entry point with no adapter, as Dawn reports on a machine without a GPU driver. */
const noAdapter = { requestAdapter: async () => null } as unknown as GPU;

test("an explicit cpu backend wins and takes the thread count", async () => {
  const notices: string[] = [];
  const b = await selectBackend({ backend: "cpu", threads: 3, notice: (l) => notices.push(l) });
  assert.equal(b.kind, "cpu");
  assert.equal(b.kind === "cpu" && b.threads, 3);
  assert.deepEqual(notices, []);
});

test("TESSERA_BACKEND picks the backend when no option does", async () => {
  const b = await withEnv("cpu", () => selectBackend({ gpu: noAdapter }));
  assert.equal(b.kind, "cpu");
  await assert.rejects(
    withEnv("cuda", () => selectBackend()),
    /TESSERA_BACKEND must be "cpu" or "webgpu", got "cuda"/,
  );
});

test("without an adapter the CPU is used, with a one-line notice", async () => {
  const notices: string[] = [];
  const b = await withEnv(undefined, () =>
    selectBackend({ gpu: noAdapter, notice: (l) => notices.push(l) }),
  );
  assert.equal(b.kind, "cpu");
  assert.deepEqual(notices, ["Tessera: no WebGPU adapter found; using the CPU backend."]);
});

test("asking for WebGPU where there is none is an error that says what to do", async () => {
  await assert.rejects(
    selectBackend({ backend: "webgpu", gpu: noAdapter }),
    /WebGPU was requested but no adapter was found.*backend: "cpu"/s,
  );
});

test("Dawn in Node without a GPU gives no adapter, so the default is the CPU", async () => {
  const notices: string[] = [];
  const b = await withEnv(undefined, () => selectBackend({ notice: (l) => notices.push(l) }));
  // On a machine with a GPU and Vulkan this would be webgpu; CI machines have none.
  if (b.kind === "cpu") assert.equal(notices.length, 1);
  else assert.equal(b.kind, "webgpu");
});

test("a session on the CPU keeps its backend", async () => {
  const s = await Session.open({ backend: "cpu", threads: 2 });
  assert.equal(s.backend.kind, "cpu");
});

test("cpuBackend rejects a bad thread count", () => {
  assert.throws(() => cpuBackend(0), /threads must be a positive integer, got 0/);
});
