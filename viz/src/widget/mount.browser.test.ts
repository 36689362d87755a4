/**
 * The widget layer in Chromium: an invalid payload shows the error box naming the field,
 * labels with markup stay text, a valid payload renders, update and dispose work.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWidgetPage, type WidgetPage } from "../../test/page.js";

let wp: WidgetPage;
before(async () => (wp = await openWidgetPage({ width: 800, height: 400 })));
after(() => wp.close());

const MIME = "application/vnd.tessera.memory-timeline.v1+json";
const XSS = "<img src=x onerror=alert(1)>";

function timeline(label: string, bytes = 1024) {
  return {
    version: 1,
    events: [
      { index: 0, kind: "alloc", allocation: 0, bytes, label, op: "matmul", timeMs: 0 },
      { index: 1, kind: "free", allocation: 0, bytes, label, op: "matmul", timeMs: 1 },
    ],
  };
}

/** Mounts `payload` with the spec of `mime` into a fresh #root; returns its text and markup. */
async function mount(payload: unknown): Promise<{ text: string; html: string }> {
  return wp.page.evaluate(
    ({ mime, payload }) => {
      const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
      const root = document.getElementById("root")!;
      const spec = viz.WIDGETS.find((w) => w.mimeType === mime)!;
      viz.mountWidget(root, spec, payload);
      return { text: root.textContent ?? "", html: root.innerHTML };
    },
    { mime: MIME, payload },
  );
}

test("an invalid payload shows the error box naming the field", async () => {
  const bad = timeline("a");
  (bad.events[0] as { bytes: unknown }).bytes = -5;
  const { text } = await mount(bad);
  assert.match(text, /does not match application\/vnd\.tessera\.memory-timeline\.v1\+json/);
  assert.match(text, /events\[0\]\.bytes: expected a non-negative integer, got -5/);
  assert.equal(await wp.page.locator("#root [role=alert]").count(), 1);
});

test("labels with markup are shown as text, never parsed", async () => {
  const { text, html } = await mount(timeline(XSS));
  assert.ok(text.includes(XSS), "the label is shown verbatim");
  assert.equal(await wp.page.locator("#root img").count(), 0, "no <img> was created");
  assert.ok(!html.includes("<img"), "the markup holds no <img> element");
});

test("update replaces the drawing in place; dispose empties the element", async () => {
  const counts = await wp.page.evaluate((mime) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const root = document.getElementById("root")!;
    const spec = viz.WIDGETS.find((w) => w.mimeType === mime)!;
    const ev = (bytes: number) => ({
      version: 1,
      events: [{ index: 0, kind: "alloc", allocation: 0, bytes, label: "a", op: "x", timeMs: 0 }],
    });
    const handle = viz.mountWidget(root, spec, ev(1 << 20));
    const before = root.textContent ?? "";
    handle.update(ev(1 << 21));
    const after = root.textContent ?? "";
    const svgs = root.querySelectorAll("svg").length;
    handle.dispose();
    return { before, after, svgs, left: root.childNodes.length };
  }, MIME);
  assert.match(counts.before, /peak 1.00 MiB/);
  assert.match(counts.after, /peak 2.00 MiB/);
  assert.equal(counts.svgs, 1);
  assert.equal(counts.left, 0);
});

test("options derived from the payload: validated once; another live channel draws afresh", async () => {
  const seen = await wp.page.evaluate((mime) => {
    const viz = (window as unknown as { tesseraViz: typeof import("../dom.js") }).tesseraViz;
    const root = document.getElementById("root")!;
    const base = viz.WIDGETS.find((w) => w.mimeType === mime)!;
    let validations = 0;
    let renders = 0;
    const spec = {
      ...base,
      validate: (x: unknown) => (validations++, base.validate(x)),
      render: (...args: Parameters<typeof base.render>) => (renders++, base.render(...args)),
    };
    const channels = [{}, {}] as unknown as import("../dom.js").LiveChannel[];
    const ev = (bytes: number) => ({
      version: 1,
      events: [{ index: 0, kind: "alloc", allocation: 0, bytes, label: "a", op: "x", timeMs: 0 }],
    });
    const handle = viz.mountWidget(root, spec, ev(1024), (p: { events: { bytes: number }[] }) => ({
      live: channels[p.events[0]!.bytes > 4096 ? 1 : 0],
    }));
    const first = { validations, renders };
    handle.update(ev(2048)); // same channel: updated in place
    const same = { validations, renders };
    handle.update(ev(8192)); // another channel: drawn afresh
    handle.dispose();
    return { first, same, other: { validations, renders } };
  }, MIME);
  assert.deepEqual(seen.first, { validations: 1, renders: 1 });
  assert.deepEqual(seen.same, { validations: 2, renders: 1 });
  assert.deepEqual(seen.other, { validations: 3, renders: 2 });
});
