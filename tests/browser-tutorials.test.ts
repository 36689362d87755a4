/**
 * The tutorials as a user meets them: opened in JupyterLab (copied to a folder outside the
 * repository), run from the Run menu's "Run All Cells", every cell finished without an
 * error, and their widgets drawn by the extension. Screenshots go to tests/artifacts/.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { inPage, screenshot, startLab, STDERR, WIDGET_CLASS, type Lab } from "./jupyterlab.js";
import { REPO } from "./support.js";

/** Each tutorial with the widgets its run must draw (the renderer's CSS class, at least how many). */
const TUTORIALS: Record<string, Record<string, number>> = {
  "02-autochunk.ipynb": { "tessera-chunk-plan": 2, "tessera-memory-timeline": 1 },
  "01-cagra-vector-search.ipynb": { "tessera-proximity-graph": 1, "tessera-plotly-chart": 2 },
};

let lab: Lab;
before(async () => {
  const notebooks = Object.fromEntries(
    Object.keys(TUTORIALS).map((name) => [
      name,
      JSON.parse(readFileSync(path.join(REPO, "notebooks", name), "utf8")) as object,
    ]),
  );
  lab = await startLab(notebooks);
});
after(() => lab?.stop());

/**
 * Runs every cell from the Run menu and waits until each code cell shows its number. A cell
 * that fails stops "Run All": the cells after it are aborted and show no number, so once the
 * kernel has stayed idle for a few seconds with cells unnumbered, the run has failed.
 */
async function runAll(page: Page, timeoutMs: number): Promise<void> {
  await page.locator(".jp-Notebook").click();
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  const status = page.locator(".jp-StatusBar-TextItem", { hasText: /TypeScript \(Tessera\) \|/ });
  const deadline = Date.now() + timeoutMs;
  let idleSince = Infinity;
  for (;;) {
    await page.waitForTimeout(500);
    const prompts = await page
      .locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt")
      .allTextContents();
    const waiting = prompts.filter((p) => !/\[\d+\]/.test(p)).length;
    if (prompts.length > 0 && waiting === 0) return;
    const idle = /\| Idle/.test((await status.first().textContent()) ?? "");
    idleSince = idle ? Math.min(idleSince, Date.now()) : Infinity;
    if (Date.now() - idleSince > 5_000 || Date.now() > deadline) {
      const stderr = await page
        .locator(`.jp-OutputArea-output[data-mime-type="${STDERR}"]`)
        .allTextContents();
      throw new Error(
        `${waiting} cells did not run (${idle ? "the kernel is idle: a cell failed" : "timed out"}); stderr:\n${stderr.join("\n")}`,
      );
    }
  }
}

for (const [name, widgets] of Object.entries(TUTORIALS)) {
  const artifact = `browser-tutorial-${path.basename(name, ".ipynb")}`;
  test(`${name} runs from the Run menu and draws its widgets`, { timeout: 900_000 }, () =>
    inPage(lab, name, artifact, async (page) => {
      await runAll(page, 840_000);
      for (const [css, atLeast] of Object.entries(widgets)) {
        // The class sits on the output's node itself or on an element inside it.
        const drawn = await page
          .locator(`:is(.${WIDGET_CLASS}.${css}, .${WIDGET_CLASS} .${css})`)
          .count();
        assert.ok(drawn >= atLeast, `${css}: ${drawn} drawn, expected at least ${atLeast}`);
      }
      const alerts = await page.locator(`.${WIDGET_CLASS} [role=alert]`).allTextContents();
      assert.deepEqual(alerts, [], "no widget showed an error box");
      await screenshot(page, artifact);
    }),
  );
}
