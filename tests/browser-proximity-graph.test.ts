/**
 * The proximity-graph explorer and plotly charts in a real JupyterLab with the real kernel:
 * a CAGRA index of SIFT-5k beside its kNN graph renders through the extension (not the SVG
 * fallback), hover names a node with its degrees (a label with markup stays text), a click
 * draws the node's edges, the 2-hop neighbourhood comes from the kernel over the comm, the
 * trace steps, a component chosen in one graph highlights in both, the dark theme redraws it,
 * and a recall–QPS chart renders with plotly.js. Screenshots go to tests/artifacts/.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SIFT_5K_DIR } from "../gpu/test/datasets.js";
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

const XSS = "<img src=x onerror=alert(1)>";

const EXPLORER = `import { cagra, cpuBackend, datasets } from "@tessera/gpu";
import { loadSift5k } from "@tessera/gpu/node";
import { proximityGraph } from "@tessera/kernel";

const sift = await loadSift5k(${JSON.stringify(SIFT_5K_DIR)});
const { base, queries } = datasets.holdOutQueries(sift.base, 100, 1);
const backend = cpuBackend(2);
const index = await cagra.build(backend, base, { intermediateGraphDegree: 64, graphDegree: 32 });
const knn = await cagra.bruteForceKnn(base, base, 32, "sqeuclidean", { excludeSelf: true, threads: 2 });
const labels = Array.from({ length: base.rows }, (_, i) => (i === 0 ? ${JSON.stringify(XSS)} : \`sift \${i}\`));
await proximityGraph(index, {
  title: "SIFT-5k",
  compare: { graph: knn, name: "kNN (degree 32)" },
  labels,
  trace: { queries, rows: [0, 1] },
})`;

const CHART = `import { recallQpsFigure } from "@tessera/kernel";
recallQpsFigure([
  { name: "CAGRA", points: [{ recall: 0.9, qps: 9000, label: "itopk 32" }, { recall: 0.99, qps: 2500, label: "itopk 128" }] },
  { name: "hnswlib", points: [{ recall: 0.93, qps: 4000, label: "ef 64" }] },
])`;

let lab: Lab;
before(async () => {
  lab = await startLab({ "graph.ipynb": notebook([EXPLORER, CHART]) });
});
after(() => lab?.stop());

test(
  "the explorer renders SIFT-5k's graphs, hovers, draws edges, expands a neighbourhood, steps a trace; the chart renders",
  { timeout: 300_000 },
  () =>
    inPage(lab, "graph.ipynb", "browser-proximity-graph", async (page) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await runCell(page, 0);
      const widget = page.locator(`.${WIDGET_CLASS}.tessera-proximity-graph`).first();
      await page.waitForFunction(
        'Number(document.querySelector(".tessera-proximity-graph")?.dataset.drawn) > 0',
        undefined,
        { timeout: 30_000 },
      );
      assert.equal(
        await page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"]').count(),
        0,
      );
      assert.equal(await widget.locator(".tessera-proximity-graph-stage").count(), 2);
      assert.match((await widget.textContent()) ?? "", /4,900 nodes, pca layout/);
      // The live note hides once the comm is open.
      await widget.locator(".tessera-live-status").waitFor({ state: "hidden", timeout: 30_000 });

      // Find node 0 (the view centres on it), hover it: its label stays text.
      const find = widget.locator(".tessera-proximity-graph-toolbar input");
      await find.fill("0");
      await find.press("Enter");
      const stage = widget.locator(".tessera-proximity-graph-stage").first();
      await stage.scrollIntoViewIfNeeded();
      const box = (await stage.boundingBox())!;
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(cx + 1, cy);
      const tip = stage.locator(".tessera-proximity-graph-tooltip");
      await tip.waitFor({ state: "visible" });
      const tipText = (await tip.textContent()) ?? "";
      assert.ok(tipText.includes(`node 0 “${XSS}”`), tipText);
      assert.match(tipText, /CAGRA \(degree 32\): out 32, in \d+, component #1 \(4,900 nodes\)/);
      assert.match(tipText, /kNN \(degree 32\): out 32, in \d+, component #\d+/);
      assert.equal(await page.locator(".jp-OutputArea img").count(), 0, "no <img> from the label");

      // Click: node 0's edges in both graphs.
      await page.mouse.click(cx, cy);
      const info = widget.locator(".tessera-proximity-graph-info");
      assert.match(
        (await info.textContent()) ?? "",
        /CAGRA \(degree 32\): 32 out-edges \(blue\), \d+ in-edges \(orange\)/,
      );

      // The 2-hop neighbourhood comes from the kernel over the comm.
      await info.locator("button", { hasText: "2-hop neighbourhood" }).click();
      await page.waitForFunction(
        '/^\\d+$/.test(document.querySelector(".tessera-proximity-graph")?.dataset.neighbourhood ?? "")',
        undefined,
        { timeout: 30_000 },
      );
      const hood = Number(await widget.getAttribute("data-neighbourhood"));
      assert.ok(hood > 32 && hood <= 1 + 32 + 32 * 32, `neighbourhood of ${hood} nodes`);
      assert.equal(Number(await widget.getAttribute("data-highlighted")), hood);
      assert.match(
        (await info.textContent()) ?? "",
        /2-hop neighbourhood of node 0 in CAGRA \(degree 32\): \d+ nodes/,
      );
      await screenshot(page, "browser-proximity-graph-neighbourhood", `.${WIDGET_CLASS}`);

      // Linked selection: the kNN graph's largest component highlights in both panels.
      const knnComponent = widget
        .locator(".tessera-proximity-graph-column")
        .nth(1)
        .locator("button[data-component='0']");
      const size = Number(
        ((await knnComponent.textContent()) ?? "").replace(/^#1: /, "").replace(/,/g, ""),
      );
      await knnComponent.click();
      assert.equal(Number(await widget.getAttribute("data-highlighted")), size);
      await knnComponent.click();

      // The search trace: step, then jump to the results.
      const trace = widget.locator(".tessera-proximity-graph-trace");
      await trace.locator("button[aria-label='next iteration']").click();
      assert.match(
        (await trace.textContent()) ?? "",
        /iteration 1 of \d+: 1 parent expanded, \d+ new candidates/,
      );
      await trace.locator("button[aria-label='next iteration']").click();
      await trace.locator("button[aria-label='next iteration']").click();
      await screenshot(page, "browser-proximity-graph-trace", `.${WIDGET_CLASS}`);
      const last = await trace.locator("input[type=range]").getAttribute("max");
      await trace.locator("input[type=range]").fill(last!);
      assert.match((await trace.textContent()) ?? "", /results: \d+ of 10 are exact neighbours/);

      // JupyterLab's dark theme: the extension asks for a redraw, which reads the new colours.
      const drawn = Number(await widget.getAttribute("data-drawn"));
      await switchTheme(page, "JupyterLab Dark");
      const deadline = Date.now() + 30_000;
      while (Number(await widget.getAttribute("data-drawn")) === drawn && Date.now() < deadline) {
        await page.waitForTimeout(100);
      }
      assert.ok(
        Number(await widget.getAttribute("data-drawn")) > drawn,
        "redrawn for the dark theme",
      );
      await page.waitForTimeout(500);
      await screenshot(page, "browser-proximity-graph-dark", `.${WIDGET_CLASS}`);

      // The chart: plotly.js loads and draws two traces.
      await runCell(page, 1);
      const chart = page.locator(".jp-Cell").nth(1).locator(`.${WIDGET_CLASS} .js-plotly-plot`);
      await chart.locator(".scatterlayer .trace").first().waitFor({ timeout: 60_000 });
      assert.equal(await chart.locator(".scatterlayer .trace").count(), 2);
      await screenshot(page, "browser-plotly-recall-qps", `.jp-Cell:nth-child(2) .${WIDGET_CLASS}`);
      // JupyterLab's debugger panel reports that no kernel here debugs: not ours.
      assert.deepEqual(
        errors.filter((e) => !/No active debugger session/.test(e)),
        [],
      );
    }),
);
