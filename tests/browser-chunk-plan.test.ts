/**
 * The chunk-plan widget in a real JupyterLab with the real kernel: a cell shows the plan of
 * the GPT benchmark model (2 layers, 1,024 tokens); moving the budget slider with the keyboard
 * re-plans in the kernel through the comm, and the new plan fits the new budget; a budget
 * below the lowest reachable peak says what that peak is. Screenshots, light and dark, go to
 * tests/artifacts/.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  inPage,
  notebook,
  runCell,
  screenshot,
  startLab,
  switchTheme,
  type Lab,
} from "./jupyterlab.js";

const PLAN = `import { autochunk } from "@tessera/gpu";
import { chunkPlanView } from "@tessera/kernel";

const model = autochunk.gptPrefill({ seq: 1024, nLayer: 2 });
const estimate = autochunk.estimateMemory(model.graph);
const plan = await autochunk.autochunk(model.graph, { budget: Math.floor(0.3 * estimate.peakBytes) });
await chunkPlanView(plan, { title: "GPT benchmark model, 2 layers, 1,024 tokens" })`;

/** A cell that keeps the kernel busy for a few seconds. */
const BUSY = `await new Promise((resolve) => setTimeout(resolve, 4000));
"done"`;

let lab: Lab;
before(async () => {
  lab = await startLab({ "plan.ipynb": notebook([PLAN, BUSY]) });
});
after(() => lab?.stop());

/** The widget's numbers as it shows them (data attributes of its summary line). */
async function shown(page: Page): Promise<{ budget: number; peakAfter: number }> {
  const summary = page.locator(".tessera-chunk-plan [data-role=summary]");
  return {
    budget: Number(await summary.getAttribute("data-budget")),
    peakAfter: Number(await summary.getAttribute("data-peak-after")),
  };
}

async function showPlan(page: Page): Promise<void> {
  await runCell(page, 0, 180_000);
  const slider = page.locator(".tessera-chunk-plan-slider");
  await slider.waitFor({ timeout: 30_000 });
  // Live once the comm is open: the slider is enabled and the status note hides.
  await page.locator('.tessera-chunk-plan[data-live="live"]').waitFor({ timeout: 30_000 });
}

test(
  "the budget slider re-plans through the kernel; an impossible budget shows the lowest reachable",
  { timeout: 400_000 },
  () =>
    inPage(lab, "plan.ipynb", "browser-chunk-plan", async (page) => {
      await showPlan(page);
      const first = await shown(page);
      assert.ok(first.peakAfter <= first.budget && first.budget > 0, JSON.stringify(first));
      await screenshot(page, "browser-chunk-plan-light");

      // As a user: focus the slider and press ← a few times (it re-plans once it rests).
      await page.locator(".tessera-chunk-plan-slider").focus();
      for (let k = 0; k < 60; k++) await page.keyboard.press("ArrowLeft");
      const deadline = Date.now() + 30_000;
      while ((await shown(page)).budget >= first.budget && Date.now() < deadline) {
        await page.waitForTimeout(100);
      }
      const moved = await shown(page);
      assert.ok(moved.budget < first.budget, JSON.stringify({ first, moved }));
      assert.ok(
        moved.peakAfter <= moved.budget,
        `peak ${moved.peakAfter} over budget ${moved.budget}`,
      );
      assert.match(
        (await page.locator(".tessera-chunk-plan-budget-label").textContent()) ?? "",
        /^budget /,
      );

      await page.keyboard.press("Home");
      const message = page.locator(".tessera-chunk-plan-message");
      await message.getByText(/lowest peak reachable is/).waitFor({ timeout: 30_000 });
      const minimum = Number(await message.getAttribute("data-minimum-bytes"));
      const asked = Number(await message.getAttribute("data-budget-bytes"));
      assert.ok(minimum > asked && minimum <= moved.peakAfter, JSON.stringify({ minimum, asked }));
      await screenshot(page, "browser-chunk-plan-impossible", ".jp-OutputArea-output");

      // While another cell runs, the slider says it waits for the kernel.
      await page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".cm-content").click();
      await page.keyboard.press("Shift+Enter");
      const status = page.locator(".tessera-chunk-plan .tessera-live-status");
      await page.locator('.tessera-chunk-plan[data-live="busy"]').waitFor({ timeout: 10_000 });
      assert.match((await status.textContent()) ?? "", /Waiting for the kernel/);
      await page.locator('.tessera-chunk-plan[data-live="live"]').waitFor({ timeout: 30_000 });
      assert.equal(await status.isVisible(), false, "the note hides once the kernel is idle");
    }),
);

test("switching JupyterLab to its dark theme recolours the plan", { timeout: 300_000 }, () =>
  inPage(lab, "plan.ipynb", "browser-chunk-plan-dark", async (page) => {
    await showPlan(page);
    const rect = page.locator(".tessera-chunk-plan-node[data-node] rect").first();
    const light = await rect.getAttribute("fill");
    await switchTheme(page, "JupyterLab Dark");
    // The extension calls redraw on a theme change: the node colours follow the background.
    const deadline = Date.now() + 30_000;
    while ((await rect.getAttribute("fill")) === light && Date.now() < deadline) {
      await page.waitForTimeout(100);
    }
    assert.notEqual(await rect.getAttribute("fill"), light, "the node colours changed");
    await screenshot(page, "browser-chunk-plan-dark");
  }),
);
