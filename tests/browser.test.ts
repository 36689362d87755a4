/**
 * Tessera in a real JupyterLab (tests/jupyterlab.ts): the widget layer as a user meets it.
 * A memory timeline displayed by a cell renders through the extension (not the SVG
 * fallback), and a payload that breaks the contract shows the error box naming the field.
 * Screenshots go to tests/artifacts/. First, JupyterLab itself must find the prebuilt
 * extension compatible with its core packages (shared singletons), or it would not load it.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  inPage,
  notebook,
  runCell,
  screenshot,
  startLab,
  WIDGET_CLASS,
  type Lab,
} from "./jupyterlab.js";
import { run, VENV } from "./support.js";

const TIMELINE = `import { MemoryTracker } from "@tessera/gpu";
import { memoryTimeline } from "@tessera/kernel";

const mem = new MemoryTracker();
const mib = 2 ** 20;
const q = mem.alloc(16 * mib, "q", "linear");
const scores = mem.alloc(64 * mib, "scores", "matmul");
const probs = mem.alloc(64 * mib, "probs", "softmax");
mem.free(scores);
mem.free(probs);
mem.free(q);
memoryTimeline(mem)`;

const INVALID = `display({
  "application/vnd.tessera.memory-timeline.v1+json": { version: 1, events: [{ index: 0, kind: "alloc", allocation: 0, bytes: -5, label: "x", op: "y", timeMs: 0 }] },
  "text/plain": "an invalid timeline",
}, { raw: true })`;

test("JupyterLab lists the extension as enabled and compatible", async () => {
  const r = await run(path.join(VENV, "bin", "jupyter"), ["labextension", "list"], {
    timeoutMs: 60_000,
  });
  // "X" instead of "OK" (and a "not compatible" section) when a dependency's range misses the core's.
  assert.match(r.output, /@tessera\/jupyterlab v[\d.]+ \S*enabled\S* \S*OK/);
  assert.doesNotMatch(r.output, /incompatible|not compatible/);
});

let lab: Lab;
before(async () => {
  lab = await startLab({ "layer.ipynb": notebook([TIMELINE, INVALID]) });
});
after(() => lab?.stop());

test(
  "widgets render through the extension; an invalid payload shows the error box",
  { timeout: 300_000 },
  () =>
    inPage(lab, "layer.ipynb", "browser-layer", async (page) => {
      await runCell(page, 0);
      const outputs = page.locator(`.jp-OutputArea-output.${WIDGET_CLASS}`);
      // memoryTimeline() sends v2, drawn on a canvas (v1 outputs still render as SVG).
      await outputs.first().locator("canvas").waitFor({ timeout: 30_000 });
      assert.match((await outputs.first().textContent()) ?? "", /peak 144 MiB/);
      // JupyterLab's own SVG renderer marks its outputs with data-mime-type: not used here.
      assert.equal(
        await page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"]').count(),
        0,
      );
      await screenshot(page, "browser-memory-timeline");

      await runCell(page, 1);
      const alert = page.locator(".jp-Cell").nth(1).locator(`.${WIDGET_CLASS} [role=alert]`);
      await alert.waitFor({ timeout: 30_000 });
      assert.match(
        (await alert.textContent()) ?? "",
        /events\[0\]\.bytes: expected a non-negative integer, got -5/,
      );
    }),
);
