import assert from "node:assert/strict";
import { test } from "node:test";
import { OPS, SOURCE_OPS, VIEW_OPS, cpuKernels } from "../../internal.js";
import { webgpuKernels } from "./table.js";

test("the WebGPU and CPU kernel tables both cover every op but sources and views", () => {
  const kernelOps = OPS.filter((op) => !SOURCE_OPS.has(op) && !VIEW_OPS.has(op)).sort();
  assert.deepEqual(Object.keys(webgpuKernels).sort(), kernelOps);
  assert.deepEqual(Object.keys(cpuKernels).sort(), kernelOps);
  for (const kernel of Object.values(webgpuKernels)) assert.equal(typeof kernel, "function");
});
