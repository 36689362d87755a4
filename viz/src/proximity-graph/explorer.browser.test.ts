/**
 * The explorer in Chromium (WebGL2 on SwiftShader): it draws, hover names a node, a click
 * draws its edges, the degree histogram and component list highlight nodes in both panels,
 * the trace player steps, labels with markup stay text, the theme and resizes redraw.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWidgetPage, screenshotPath, type WidgetPage } from "../../test/page.js";
import { fixturePayload } from "../../test/proximity-graph-fixture.js";

let wp: WidgetPage;
before(async () => (wp = await openWidgetPage({ width: 1000, height: 700 })));
after(() => wp.close());

const XSS = "<img src=x onerror=alert(1)>";
const payload = fixturePayload({
  nodes: 400,
  edges: true,
  second: true,
  trace: true,
  labels: (i) => (i === 5 ? XSS : `n${i}`),
});

async function mount(p: unknown): Promise<void> {
  await wp.page.evaluate((p) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const root = document.getElementById("root")!;
    const spec = viz.WIDGETS.find(
      (w) => w.mimeType === "application/vnd.tessera.proximity-graph.v1+json",
    )!;
    (window as unknown as { handle: { dispose(): void } | undefined }).handle?.dispose();
    (window as unknown as { handle: unknown }).handle = viz.mountWidget(root, spec, p);
  }, p);
  await wp.page.waitForFunction(
    () =>
      Number(document.querySelector<HTMLElement>(".tessera-proximity-graph")?.dataset.drawn ?? 0) >
      0,
  );
}

/** Screen position of node `id` in panel `graph`: found by hovering (the tooltip names it). */
async function findNode(graph: number, id: number): Promise<[number, number]> {
  // Select it through the find box: the view centres on it.
  await wp.page.fill(".tessera-proximity-graph-toolbar input", String(id));
  await wp.page.press(".tessera-proximity-graph-toolbar input", "Enter");
  const box = (await wp.page.locator(".tessera-proximity-graph-stage").nth(graph).boundingBox())!;
  return [box.x + box.width / 2, box.y + box.height / 2];
}

test("renders, hovers with text only, and a click draws the node's edges", async () => {
  await mount(payload);
  const stages = wp.page.locator(".tessera-proximity-graph-stage");
  assert.equal(await stages.count(), 2, "two graphs side by side");
  const [x, y] = await findNode(0, 5);
  await wp.page.mouse.move(x + 1, y + 1);
  const tip = wp.page.locator(".tessera-proximity-graph-tooltip").first();
  await tip.waitFor({ state: "visible" });
  const text = (await tip.textContent()) ?? "";
  assert.ok(text.includes(`node 5 “${XSS}”`), text);
  assert.match(text, /ring: out 4, in 4, component #1 \(400 nodes\)/);
  assert.match(text, /pairs: out 1, in 1, component #3 \(2 nodes\)/);
  assert.equal(await wp.page.locator("#root img").count(), 0, "the label's markup was not parsed");
  // Click: select node 5; its 4 out-edges and 4 in-edges (ring) are reported and drawn.
  await wp.page.mouse.click(x, y);
  const info = wp.page.locator(".tessera-proximity-graph-info");
  assert.match(
    (await info.textContent()) ?? "",
    /ring: 4 out-edges \(blue\), 4 in-edges \(orange\), component #1; pairs: 1 out-edges/,
  );
  assert.equal(
    await wp.page.locator(".tessera-proximity-graph").getAttribute("data-selected"),
    "5",
  );
  // The neighbourhood needs the kernel: without one the button is disabled and says so.
  assert.equal(await info.locator("button", { hasText: "2-hop" }).isDisabled(), true);
  await wp.page.screenshot({ path: await screenshotPath("explorer-click") });
});

test("histogram brushing and component clicks highlight nodes in both panels", async () => {
  await mount(payload);
  const second = wp.page.locator(".tessera-proximity-graph-column").nth(1);
  await second.locator("button[data-component='0']").click();
  assert.equal(
    await wp.page.locator(".tessera-proximity-graph").getAttribute("data-highlighted"),
    "2",
  );
  await second.locator("button[data-component='0']").click();
  assert.equal(
    await wp.page.locator(".tessera-proximity-graph").getAttribute("data-highlighted"),
    "0",
  );
  // The first graph's histogram has one bar (in-degree 4 for all 400 nodes): clicking it selects them.
  const bars = wp.page
    .locator(".tessera-proximity-graph-column")
    .first()
    .locator(".tessera-proximity-graph-histogram svg");
  const box = (await bars.boundingBox())!;
  await wp.page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
  assert.equal(
    await wp.page.locator(".tessera-proximity-graph").getAttribute("data-highlighted"),
    "400",
  );
  assert.match(
    (await wp.page.locator(".tessera-proximity-graph-histogram").first().textContent()) ?? "",
    /in-degree 4–4: 400 nodes/,
  );
});

test("the trace player steps through seeds, iterations and results", async () => {
  await mount(payload);
  const trace = wp.page.locator(".tessera-proximity-graph-trace");
  assert.match((await trace.textContent()) ?? "", /seeds: 2 random entry points/);
  assert.ok(
    ((await trace.locator("option").first().textContent()) ?? "").includes("query <b>0</b>"),
  );
  await trace.locator("button[aria-label='next iteration']").click();
  assert.match(
    (await trace.textContent()) ?? "",
    /iteration 1 of 3: 1 parent expanded, 2 new candidates, top list of 2/,
  );
  await trace.locator("input[type=range]").fill("4");
  assert.match(
    (await trace.textContent()) ?? "",
    /results: 1 of 2 are exact neighbours \(3 iterations\)/,
  );
  await trace.locator("button", { hasText: "play" }).click();
  await wp.page.waitForFunction(
    () =>
      document.querySelector<HTMLElement>(".tessera-proximity-graph-trace")?.dataset.step === "4",
    undefined,
    { timeout: 5000 },
  );
  await wp.page.screenshot({ path: await screenshotPath("explorer-trace") });
});

test("theme changes and resizes redraw; dispose empties the element", async () => {
  await mount(payload);
  const drawn = async () =>
    Number(await wp.page.locator(".tessera-proximity-graph").getAttribute("data-drawn"));
  const before = await drawn();
  await wp.setTheme("dark");
  await wp.page.evaluate(() =>
    (window as unknown as { handle: { redraw(): void } }).handle.redraw(),
  );
  await wp.page.waitForFunction(
    (n) =>
      Number(document.querySelector<HTMLElement>(".tessera-proximity-graph")?.dataset.drawn) > n,
    before,
  );
  await wp.page.screenshot({ path: await screenshotPath("explorer-dark") });
  const mid = await drawn();
  await wp.page.evaluate(() => (document.getElementById("root")!.style.width = "700px"));
  await wp.page.waitForFunction(
    (n) =>
      Number(document.querySelector<HTMLElement>(".tessera-proximity-graph")?.dataset.drawn) > n,
    mid,
  );
  await wp.setTheme("light");
  const left = await wp.page.evaluate(() => {
    (window as unknown as { handle: { dispose(): void } }).handle.dispose();
    return document.getElementById("root")!.childNodes.length;
  });
  assert.equal(left, 0);
});

test("a graph without edges in the payload asks the kernel for a node's edges", async () => {
  const big = fixturePayload({ nodes: 400, edges: false });
  const info = await wp.page.evaluate(async (p) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const root = document.getElementById("root")!;
    const asked: unknown[] = [];
    const u32 = (a: number[]) => new DataView(new Uint32Array(a).buffer);
    const channel = {
      state: "live" as const,
      reason: "",
      request: (method: string, params?: Record<string, unknown>) => {
        asked.push({ method, params });
        return Promise.resolve({ data: {}, buffers: [u32([1, 2, 3]), u32([9, 8])] });
      },
      onState: () => () => {},
    };
    const w = window as unknown as { handle?: { dispose(): void } };
    w.handle?.dispose();
    const spec = viz.WIDGETS.find(
      (s) => s.mimeType === "application/vnd.tessera.proximity-graph.v1+json",
    )!;
    w.handle = viz.mountWidget(root, spec, p, { live: channel });
    const find = root.querySelector<HTMLInputElement>(".tessera-proximity-graph-toolbar input")!;
    find.value = "7";
    find.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await new Promise((r) => setTimeout(r, 50));
    return { asked, text: root.querySelector(".tessera-proximity-graph-info")!.textContent };
  }, big);
  assert.deepEqual(info.asked, [{ method: "edges", params: { graph: 0, node: 7 } }]);
  assert.match(info.text ?? "", /ring: 3 out-edges \(blue\), 2 in-edges \(orange\)/);
});
