import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { JUPYTER_DISPLAY, toBundle } from "./bundle.js";

describe("toBundle", () => {
  test("a plain value gives its util.inspect text as text/plain", async () => {
    assert.deepEqual(await toBundle(42), { data: { "text/plain": "42" }, metadata: {} });
    assert.deepEqual(await toBundle("hi"), { data: { "text/plain": "'hi'" }, metadata: {} });
    const value = { a: [1, 2], m: new Map([["k", 1]]) };
    assert.deepEqual(await toBundle(value), {
      data: { "text/plain": inspect(value) },
      metadata: {},
    });
  });

  test("a plain value's text shows nesting to depth 4 and arrays to 100 items", async () => {
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: 1 } } } } } };
    const text = (await toBundle(deep)).data["text/plain"] as string;
    assert.match(text, /l5: \[Object\]/);
    const long = Array.from({ length: 150 }, (_, i) => i);
    assert.match((await toBundle(long)).data["text/plain"] as string, /\.\.\. 50 more items/);
  });

  test("undefined and null give their names", async () => {
    assert.equal((await toBundle(undefined)).data["text/plain"], "undefined");
    assert.equal((await toBundle(null)).data["text/plain"], "null");
  });

  test("a displayable object gives its own bundle", async () => {
    const chart = {
      [JUPYTER_DISPLAY]: () => ({ "text/html": "<b>hi</b>", "text/plain": "hi" }),
    };
    assert.deepEqual(await toBundle(chart), {
      data: { "text/html": "<b>hi</b>", "text/plain": "hi" },
      metadata: {},
    });
  });

  test("a displayable object's async bundle is awaited", async () => {
    const chart = {
      [Symbol.for("Jupyter.display")]: async () => ({
        "image/svg+xml": "<svg/>",
        "text/plain": "svg",
      }),
    };
    assert.deepEqual((await toBundle(chart)).data, {
      "image/svg+xml": "<svg/>",
      "text/plain": "svg",
    });
  });

  test("a bundle without text/plain gets one listing its MIME types", async () => {
    const chart = {
      [JUPYTER_DISPLAY]: () => ({ "text/html": "<i>x</i>", "application/vnd.x+json": { a: 1 } }),
    };
    assert.deepEqual((await toBundle(chart)).data, {
      "text/html": "<i>x</i>",
      "application/vnd.x+json": { a: 1 },
      "text/plain": "<text/html, application/vnd.x+json>",
    });
  });

  test("a displayable class instance and a displayable function work", async () => {
    class Chart {
      [JUPYTER_DISPLAY]() {
        return { "text/markdown": "**c**" };
      }
    }
    assert.equal((await toBundle(new Chart())).data["text/markdown"], "**c**");
    const f = Object.assign(() => 1, { [JUPYTER_DISPLAY]: () => ({ "text/plain": "fn" }) });
    assert.deepEqual((await toBundle(f)).data, { "text/plain": "fn" });
  });

  test("a raw bundle is used as it is", async () => {
    assert.deepEqual(
      await toBundle({ "text/html": "<p>x</p>", "application/json": [1, 2] }, true),
      {
        data: {
          "text/html": "<p>x</p>",
          "application/json": [1, 2],
          "text/plain": "<text/html, application/json>",
        },
        metadata: {},
      },
    );
  });

  test("a raw bundle with a key that is not a MIME type throws, giving an example", async () => {
    assert.throws(
      () => toBundle({ html: "<p>x</p>" }, true),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message ===
          'display(value, { raw: true }) gave "html", which is not a MIME type (e.g. "text/html").',
    );
  });

  test("a raw bundle with object data for a non-JSON type throws, saying data must be a string", async () => {
    assert.throws(
      () => toBundle({ "text/html": { tag: "p" } }, true),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message.includes('"text/html" data must be a string') &&
        e.message.includes("only JSON MIME types take objects"),
    );
  });

  test("a raw value that is not an object throws, saying a MIME bundle is needed", async () => {
    for (const bad of ["<b>x</b>", null, [1]]) {
      assert.throws(() => toBundle(bad, true), /must give a MIME bundle object/);
    }
  });

  test("a displayable whose method gives a bad bundle throws naming the method", async () => {
    const bad = { [JUPYTER_DISPLAY]: () => ({ "text/plain": 1 }) };
    assert.throws(
      () => toBundle(bad),
      /\[Symbol\.for\("Jupyter\.display"\)\]\(\): "text\/plain" data must be a string/,
    );
  });

  test("an object with a non-function Jupyter.display property is shown as plain text", async () => {
    const value = { [JUPYTER_DISPLAY]: "not a function" };
    assert.deepEqual(Object.keys((await toBundle(value)).data), ["text/plain"]);
  });
});
