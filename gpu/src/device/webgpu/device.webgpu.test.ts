import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openBrowserGpu, type BrowserGpu } from "../../../test/webgpu-browser.js";

const PROBE = fileURLToPath(new URL("../../../test/fixtures/device-probe.ts", import.meta.url));
let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([PROBE]);
});
after(() => gpu.close());

test("Chromium's WebGPU runs on SwiftShader", () => {
  assert.equal(gpu.adapter.architecture, "swiftshader");
});

test("a workgroup-barrier kernel runs; buffers are tracked; pipelines are cached", async () => {
  const data = Uint32Array.from({ length: 256 }, (_, i) => i * 3);
  const r = await gpu.call<{
    out: Uint32Array;
    features: { subgroups: boolean };
    liveBytes: number;
    events: string[];
    samePipeline: boolean;
  }>(PROBE, "reverse256", data);
  assert.deepEqual([...r.out], [...data].reverse());
  assert.equal(r.liveBytes, 0);
  assert.deepEqual(r.events, [
    "alloc src 1024",
    "alloc dst 1024",
    "alloc dst (readback) 1024",
    "free dst (readback) 1024",
    "free src 1024",
    "free dst 1024",
  ]);
  assert.equal(r.samePipeline, true);
  assert.equal(typeof r.features.subgroups, "boolean");
});

test("WGSL that does not compile is an error naming the kernel and the line", async () => {
  const message = await gpu.call<string>(PROBE, "brokenKernel");
  assert.match(message, /WGSL kernel "test\/broken" does not compile:\n\s+line 1:/);
});

test("a buffer beyond the device's limit is a clear RangeError", async () => {
  const message = await gpu.call<string>(PROBE, "hugeBuffer");
  assert.match(message, /Buffer "huge" needs \d+ bytes, more than this device allows/);
  assert.match(message, /smaller batches/);
});

test("after the device is lost, operations fail with a DeviceLostError", async () => {
  const r = await gpu.call<{ reason: string; after: string }>(PROBE, "loseDevice");
  assert.match(r.reason, /The WebGPU device was lost \(destroyed/);
  assert.match(r.after, /The WebGPU device was lost/);
});

test("a session continues on the CPU after its device is lost, with a one-line notice", async () => {
  const r = await gpu.call<{ before: string; after: string; notices: string[] }>(
    PROBE,
    "sessionAfterLoss",
  );
  assert.deepEqual([r.before, r.after], ["webgpu", "cpu"]);
  assert.equal(r.notices.length, 1);
  assert.match(
    r.notices[0]!,
    /^Tessera: The WebGPU device was lost .*; continuing on the CPU backend\.$/,
  );
});
