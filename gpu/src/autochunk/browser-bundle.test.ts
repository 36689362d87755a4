import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./index.ts", import.meta.url));

test("the AutoChunk entry bundles for a browser with no static import of a Node built-in", async () => {
  // The options of the browser test harness (gpu/test/webgpu-browser.ts): Node built-ins stay
  // external, so a static one would fail the page's module at load.
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    external: ["node:*", "webgpu"],
    logLevel: "silent",
  });
  const staticNode = Object.entries(bundle.metafile.inputs).flatMap(([file, input]) =>
    input.imports
      .filter((i) => i.path.startsWith("node:") && i.kind !== "dynamic-import")
      .map((i) => `${file} imports ${i.path}`),
  );
  assert.deepEqual(staticNode, []);
  const text = bundle.outputFiles[0]!.text;
  assert.doesNotMatch(text, /^import [^;]*from "node:/m);
  // The executors are in it: the WebGPU one runs plans in a browser.
  assert.match(text, /function executeWebGpu\(/);
  assert.match(text, /function walkGraph\(/);
});
