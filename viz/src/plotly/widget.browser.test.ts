/** The plotly renderer in Chromium: plotly.js loads on first use, draws, follows the theme. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWidgetPage, type WidgetPage } from "../../test/page.js";

let wp: WidgetPage;
before(async () => (wp = await openWidgetPage({ width: 700, height: 420, theme: "dark" })));
after(() => wp.close());

test("a figure renders with plotly.js in the theme's colours; a name with markup stays text", async () => {
  const name = "<img src=x onerror=alert(1)>";
  await wp.page.evaluate((name) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const spec = viz.WIDGETS.find((w) => w.mimeType === "application/vnd.plotly.v1+json")!;
    viz.mountWidget(document.getElementById("root")!, spec, {
      data: [
        {
          type: "scatter",
          mode: "lines+markers",
          name,
          x: [0.9, 0.95, 0.99],
          y: [9000, 5000, 1200],
        },
      ],
      layout: { title: { text: "recall against QPS" }, yaxis: { type: "log" }, showlegend: true },
    });
  }, name);
  await wp.page.waitForFunction(
    () => Number(document.querySelector<HTMLElement>(".tessera-plotly")?.dataset.drawn) > 0,
  );
  assert.equal(await wp.page.locator("#root .js-plotly-plot .scatterlayer .trace").count(), 1);
  assert.equal(await wp.page.locator("#root img").count(), 0);
  assert.ok(((await wp.page.locator("#root .legendtext").textContent()) ?? "").includes(name));
  // Dark theme: the title is drawn in the theme's light foreground.
  const fill = await wp.page.locator("#root .gtitle").evaluate((e) => getComputedStyle(e).fill);
  assert.equal(fill, "rgb(255, 255, 255)");
});
