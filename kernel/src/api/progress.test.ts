import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";
import { CommManager } from "../comms/manager.js";
import { Outputs } from "../session/outputs.js";
import { bindKernel } from "./context.js";
import { progress, renderProgress } from "./progress.js";

describe("renderProgress", () => {
  test("renderProgress gives a <progress value max> and a text bar with the percentage", () => {
    const r = renderProgress("", 5, 10, 2);
    assert.equal(
      r["text/html"],
      '<div class="tessera-progress"><progress value="5" max="10"></progress> <span>5/10 50% [2.0s]</span></div>',
    );
    assert.equal(r["text/plain"], `|${"█".repeat(15)}${" ".repeat(15)}| 5/10 50% [2.0s]`);
  });

  test("renderProgress puts the label first and escapes it in HTML", () => {
    const r = renderProgress('a<b & "c"', 1, 4, 0.04);
    assert.ok(
      r["text/html"].startsWith(
        '<div class="tessera-progress"><span>a&#60;b &#38; &#34;c&#34;</span> <progress',
      ),
    );
    assert.ok(r["text/plain"].startsWith('a<b & "c" |'));
    assert.ok(r["text/plain"].endsWith("| 1/4 25% [0.0s]"));
  });

  test("renderProgress rounds the percentage down and caps the bar at 100%", () => {
    assert.match(renderProgress("", 2, 3, 0)["text/plain"], / 2\/3 66% /);
    const over = renderProgress("", 12, 10, 0)["text/plain"];
    assert.equal(over, `|${"█".repeat(30)}| 12/10 100% [0.0s]`);
  });

  test("renderProgress without a total shows an indeterminate bar and the count", () => {
    const r = renderProgress("work", 7, undefined, 1.5);
    assert.equal(
      r["text/html"],
      '<div class="tessera-progress"><span>work</span> <progress></progress> <span>7 [1.5s]</span></div>',
    );
    assert.equal(r["text/plain"], "work 7 [1.5s]");
  });
});

describe("progress", () => {
  interface Published {
    msgType: string;
    content: Record<string, unknown>;
  }
  const published: Published[] = [];
  const outputs = new Outputs((msgType, content) => published.push({ msgType, content }));
  const text = (p: Published) => (p.content["data"] as Record<string, string>)["text/plain"]!;
  const displayId = (p: Published) =>
    (p.content["transient"] as Record<string, string>)["display_id"];

  before(() => bindKernel({ outputs, comms: new CommManager(() => {}) }));
  beforeEach(() => {
    published.length = 0;
  });

  test("progress(items) yields the items and shows one display then updates in place, ending at 100%", async () => {
    const seen: number[] = [];
    for (const x of progress([1, 2, 3])) seen.push(x);
    await outputs.settled();
    assert.deepEqual(seen, [1, 2, 3]);
    assert.ok(published.length >= 2);
    assert.equal(published[0]!.msgType, "display_data");
    assert.match(text(published[0]!), /0\/3 0%/);
    assert.deepEqual(
      published.slice(1).map((p) => p.msgType),
      published.slice(1).map(() => "update_display_data"),
    );
    const id = displayId(published[0]!);
    assert.equal(typeof id, "string");
    for (const p of published) assert.equal(displayId(p), id);
    assert.match(text(published.at(-1)!), /\|█{30}\| 3\/3 100% /);
    const html = (published.at(-1)!.content["data"] as Record<string, string>)["text/html"]!;
    assert.match(html, /<progress value="3" max="3">/);
  });

  test("progress(items) carries a bar that counts the items", () => {
    const it = progress(new Set(["a", "b"]));
    assert.equal(it.bar.total, 2);
    assert.deepEqual([...it], ["a", "b"]);
    assert.equal(it.bar.value, 2);
  });

  test("progress of an iterable without a length has no total", async () => {
    function* gen() {
      yield 1;
      yield 2;
    }
    const it = progress(gen());
    assert.equal(it.bar.total, undefined);
    assert.deepEqual([...it], [1, 2]);
    await outputs.settled();
    assert.match(text(published.at(-1)!), /^2 \[\d+\.\ds\]$/);
  });

  test("progress(asyncItems) yields the items and shows the final count", async () => {
    async function* gen() {
      yield "x";
      yield "y";
    }
    const seen: string[] = [];
    for await (const x of progress(gen(), { label: "async" })) seen.push(x);
    await outputs.settled();
    assert.deepEqual(seen, ["x", "y"]);
    assert.match(text(published.at(-1)!), /^async 2 /);
  });

  test("breaking out of the loop still shows the final state", async () => {
    for (const x of progress([1, 2, 3, 4])) if (x === 2) break;
    await outputs.settled();
    assert.match(text(published.at(-1)!), / 1\/4 25% /);
  });

  test("progress(total) gives a bar that advance and set move, throttled to intervalMs", async () => {
    const bar = progress(10, { label: "steps", intervalMs: 60_000 });
    bar.advance();
    bar.advance(3);
    assert.equal(bar.value, 4);
    await outputs.settled();
    assert.equal(published.length, 1, "updates within intervalMs are not shown");
    bar.set(10);
    await outputs.settled();
    assert.equal(published.length, 2, "reaching the total is always shown");
    assert.match(text(published[1]!), /^steps \|█{30}\| 10\/10 100% /);
    bar.done();
    await outputs.settled();
    assert.equal(published.length, 3);
    assert.equal(published[2]!.msgType, "update_display_data");
  });

  test("advancing a bar to its total is shown at once, whatever intervalMs", async () => {
    const bar = progress(3, { intervalMs: 60_000 });
    bar.advance(2);
    await outputs.settled();
    assert.equal(published.length, 1);
    bar.advance();
    await outputs.settled();
    assert.equal(published.length, 2);
    assert.match(text(published[1]!), / 3\/3 100% /);
  });

  test("progress(-1) throws a RangeError naming the total", () => {
    assert.throws(
      () => progress(-1),
      (e: unknown) =>
        e instanceof RangeError && /total must be a finite number ≥ 0, got -1/.test(e.message),
    );
    assert.throws(() => progress(Infinity), /got Infinity/);
    assert.throws(() => progress(NaN), /got NaN/);
  });

  test("progress of something neither a number nor iterable throws a TypeError", () => {
    assert.throws(() => progress({} as unknown as number[]), TypeError);
    assert.throws(
      () => progress("abc" as unknown as number[]),
      /takes a total \(number\) or an iterable/,
    );
  });
});
