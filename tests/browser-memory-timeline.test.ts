/**
 * The v2 memory timeline in a real JupyterLab: a kernel cell runs a small GPT prefill
 * unchunked and chunked by AutoChunk (gpu/src/autochunk), and shows both runs in one
 * timeline aligned by node, with the budget and the plan's predictions. The test checks what
 * is drawn, the hover text at a point, a wheel zoom, and that a switch to JupyterLab's dark
 * theme redraws it, with screenshots in both themes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { formatBytes } from "@tessera/viz";
import {
  inPage,
  notebook,
  runCell,
  screenshot,
  startLab,
  switchTheme,
  WIDGET_CLASS,
  type Lab,
} from "./jupyterlab.js";

const RUNS = `import { autochunk } from "@tessera/gpu";
import { memoryTimeline } from "@tessera/kernel";

const model = autochunk.gptPrefill({ seq: 256, nEmbd: 64, nHead: 2, nLayer: 1, vocab: 128 });
const inputs = model.makeInputs();
const budget = Math.floor(0.6 * autochunk.estimateMemory(model.graph).peakBytes);
const plan = await autochunk.autochunk(model.graph, { budget });
const plain = await autochunk.execute(model.graph, inputs);
const chunked = await autochunk.execute(plan.chunked, inputs);
console.log(JSON.stringify({
  peaks: [plain.peakBytes, chunked.peakBytes],
  budget,
  labels: [...new Set(plain.events.map((e) => e.label))],
}));
memoryTimeline(
  { unchunked: plain.events, chunked: chunked.events },
  {
    title: "GPT prefill: unchunked vs AutoChunk",
    budgetBytes: budget,
    predicted: {
      unchunked: plan.nodes.map((n) => ({ node: n.name, bytes: n.beforeBytes })),
      chunked: plan.nodes.map((n) => ({ node: n.name, bytes: n.afterBytes })),
    },
  },
)`;

// A PyTorch snapshot written by viz/test/fixtures/torch-snapshot.py (torch's own format).
const SNAPSHOT = fileURLToPath(
  new URL("../viz/test/fixtures/torch-snapshot-p5.pickle", import.meta.url),
);
const TORCH = `import { readFileSync } from "node:fs";
import { memoryTimeline } from "@tessera/kernel";

memoryTimeline.fromTorchSnapshot(readFileSync(${JSON.stringify(SNAPSHOT)}), { title: "a training step" })`;

let lab: Lab;
before(async () => {
  lab = await startLab({ "timeline.ipynb": notebook([RUNS, TORCH]) });
});
after(() => lab?.stop());

// The widget's geometry (viz/src/memory-timeline/render-v2.ts): plots start 68 px from the
// canvas's left; with two runs each panel is 190 px tall under an 18 px title.
const LEFT = 68;
const TITLE = 18;
const PANEL = 190;

async function showTimeline(page: Page) {
  await runCell(page, 0, 180_000);
  const output = page.locator(`.jp-OutputArea-output.${WIDGET_CLASS}`).first();
  const canvas = output.locator(".tessera-memory-timeline canvas");
  await canvas.waitFor({ timeout: 30_000 });
  const printed = JSON.parse(
    (await page
      .locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']")
      .first()
      .textContent()) ?? "{}",
  ) as { peaks: [number, number]; budget: number; labels: string[] };
  return { output, canvas, printed };
}

test(
  "a kernel cell shows an AutoChunk run unchunked and chunked in one timeline; hover, zoom and the dark theme work",
  { timeout: 400_000 },
  () =>
    inPage(lab, "timeline.ipynb", "browser-memory-timeline", async (page) => {
      const { output, canvas, printed } = await showTimeline(page);
      const toolbar =
        (await output.locator(".tessera-memory-timeline-toolbar").textContent()) ?? "";
      assert.match(toolbar, /GPT prefill: unchunked vs AutoChunk/);
      assert.ok(toolbar.includes(`unchunked: peak ${formatBytes(printed.peaks[0])}`), toolbar);
      assert.ok(toolbar.includes(`chunked: peak ${formatBytes(printed.peaks[1])}`), toolbar);
      assert.ok(printed.peaks[1] <= printed.budget && printed.peaks[0] > printed.budget);
      // No static SVG beside it: the extension rendered the widget itself.
      assert.equal(await output.locator("svg").count(), 0);

      // Hover the bottom of the unchunked stack in the middle of the run, moving along it as a
      // user would until a block answers (one point alone failed about one run in five).
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const plotWidth = box.width - LEFT - 14;
      const tooltip = output.locator(".tessera-memory-timeline-tooltip");
      for (const at of [0.5, 0.45, 0.55, 0.4, 0.6]) {
        await page.mouse.move(box.x + LEFT + plotWidth * at, box.y + TITLE + PANEL - 3);
        if (await tooltip.isVisible()) break;
        await page.waitForTimeout(250);
        if (await tooltip.isVisible()) break;
      }
      await tooltip.waitFor({ state: "visible", timeout: 5_000 });
      const text = (await tooltip.textContent()) ?? "";
      const lines = text.split("\n");
      assert.equal(lines[0], "run: unchunked");
      assert.ok(
        printed.labels.includes(lines[1]!),
        `hovered label ${lines[1]} is one of the run's`,
      );
      assert.match(lines[3]!, /^[\d.]+ (B|KiB|MiB)$/);
      assert.match(
        lines[4]!,
        /^allocated at event \d+ \([\d.,]+ ms\), (freed at event \d+ \([\d.,]+ ms\)|still live at the end)$/,
      );
      assert.match(text, /\nlive here: [\d.]+ (KiB|MiB) after event \d+ \(peak /);
      await screenshot(
        page,
        "browser-memory-timeline-v2-light",
        `.jp-OutputArea-output.${WIDGET_CLASS}`,
      );

      // The wheel zooms the shared x axis.
      const root = output.locator(".tessera-memory-timeline");
      const before =
        Number(await root.getAttribute("data-x1")) - Number(await root.getAttribute("data-x0"));
      await page.mouse.wheel(0, -500);
      await page.waitForFunction(
        ([el, w]) => {
          const data = (el as unknown as { dataset: Record<string, string> }).dataset;
          return Number(data.x1) - Number(data.x0) < (w as number) * 0.8;
        },
        [await root.elementHandle(), before] as const,
      );

      // A PyTorch snapshot in the same widget: hover an allocation for its stack.
      await runCell(page, 1, 60_000);
      const torch = page.locator(`.jp-OutputArea-output.${WIDGET_CLASS}`).nth(1);
      const torchCanvas = torch.locator(".tessera-memory-timeline canvas");
      await torchCanvas.waitFor({ timeout: 30_000 });
      assert.match(
        (await torch.locator(".tessera-memory-timeline-toolbar").textContent()) ?? "",
        /a training step.*peak 25\.0 MiB, 6 allocations/,
      );
      await torchCanvas.scrollIntoViewIfNeeded();
      const tbox = (await torchCanvas.boundingBox())!;
      const yMax = Number(
        await torch.locator(".tessera-memory-timeline").getAttribute("data-y-max"),
      );
      // After event 2 the stack is 2 + 3 MiB from before the trace, then fc1's 8 MiB.
      const tw = tbox.width - LEFT - 14;
      await page.mouse.move(
        tbox.x + LEFT + tw * (2.5 / 10),
        tbox.y + TITLE + 280 - ((9 * 2 ** 20) / yMax) * 280,
      );
      const tip = torch.locator(".tessera-memory-timeline-tooltip");
      await tip.waitFor({ state: "visible", timeout: 5_000 });
      assert.match(
        (await tip.textContent()) ?? "",
        /^fc1 \(model\.py:10\)\nc10::cuda::CUDACachingAllocator::malloc\n8\.00 MiB\n[\s\S]*\nfc1 at model\.py:10\ntrain_step at train\.py:42$/,
      );
      await screenshot(
        page,
        "browser-memory-timeline-v2-torch",
        `.jp-OutputArea-output.${WIDGET_CLASS} >> nth=1`,
      );

      // Switch JupyterLab to its dark theme (the extension calls redraw): the plot follows.
      await switchTheme(page, "JupyterLab Dark");
      await page.waitForFunction(
        (el) => {
          const c = el as unknown as {
            width: number;
            getContext(kind: "2d"): {
              getImageData(...xywh: number[]): { data: ArrayLike<number> };
            };
          };
          // A pixel of the plot above the stack: the theme's background.
          const d = c.getContext("2d").getImageData(c.width - 20, 22, 1, 1).data;
          return d[0]! + d[1]! + d[2]! < 150;
        },
        await canvas.elementHandle(),
        { timeout: 20_000 },
      );
      await screenshot(
        page,
        "browser-memory-timeline-v2-dark",
        `.jp-OutputArea-output.${WIDGET_CLASS}`,
      );
    }),
);
