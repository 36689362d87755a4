import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeXml } from "./xml.js";

test("escapeXml escapes markup and quotes", () => {
  assert.equal(
    escapeXml(`<b a='1'>"x" & y</b>`),
    "&lt;b a=&#39;1&#39;&gt;&quot;x&quot; &amp; y&lt;/b&gt;",
  );
});

test("escapeXml drops control characters XML cannot carry, keeps tabs, newlines and Unicode", () => {
  assert.equal(escapeXml("a\u0000b\u0007c\u001bd"), "abcd");
  assert.equal(escapeXml("line\n\ttab é 漢 🚀"), "line\n\ttab é 漢 🚀");
});
