import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openBrowserGpu, type BrowserGpu } from "../../../test/webgpu-browser.js";
import type { ParamFields, ParamValues } from "./param-block.js";

const FIXTURE = fileURLToPath(new URL("../../../test/fixtures/param-block.ts", import.meta.url));
let gpu: BrowserGpu;
before(async () => {
  gpu = await openBrowserGpu([FIXTURE]);
});
after(() => gpu.close());

/** The bits of every component in table order, as the kernel should read them. */
function expectedBits(fields: ParamFields, values: ParamValues<ParamFields>): number[] {
  const view = new DataView(new ArrayBuffer(4));
  return Object.entries(fields).flatMap(([name, type]) => {
    const v = values[name]!;
    return (typeof v === "number" ? [v] : [...v]).map((x) => {
      if (type.includes("f32")) view.setFloat32(0, x, true);
      else if (type.includes("i32")) view.setInt32(0, x, true);
      else view.setUint32(0, x, true);
      return view.getUint32(0, true);
    });
  });
}

test("a kernel reads every field as packed: scalars, vec2/3/4, a scalar in a vec3's last word", async () => {
  const fields = {
    a: "u32",
    v3: "vec3<f32>",
    tail: "i32",
    v2: "vec2<u32>",
    f: "f32",
    v4: "vec4<i32>",
    u3: "vec3<u32>",
    h: "vec2<f32>",
    last: "u32",
  } as const satisfies ParamFields;
  const values = {
    a: 0xfffffffe,
    v3: [1.5, -0.25, 3e38],
    tail: -123456,
    v2: [7, 0x80000000],
    f: -1e-30,
    v4: [-(2 ** 31), 2 ** 31 - 1, 0, -1],
    u3: [1, 2, 3],
    h: [0.1, 1e6],
    last: 42,
  } as const;
  const read = await gpu.call<Uint32Array>(FIXTURE, "roundTrip", fields, values);
  assert.deepEqual([...read], expectedBits(fields, values));
});

test("the search kernels' shapes of block round-trip: 10 u32s, 5 u32s, 2 u32s", async () => {
  for (const names of [10, 5, 2]) {
    const fields = Object.fromEntries(
      Array.from({ length: names }, (_, i) => [`p${i}`, "u32" as const]),
    );
    const values = Object.fromEntries(Object.keys(fields).map((k, i) => [k, 1000 + i]));
    const read = await gpu.call<Uint32Array>(FIXTURE, "roundTrip", fields, values);
    assert.deepEqual([...read], Object.values(values));
  }
});
