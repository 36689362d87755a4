import assert from "node:assert/strict";
import { test } from "node:test";
import { expandShorthandProperties } from "./shorthand.js";
import { loadTypeScript } from "./typescript.js";

test("shorthand properties are written out; everything else is left as it is", async () => {
  const { ts, converter } = await loadTypeScript(process.cwd());
  converter.close();
  const expand = (code: string) => expandShorthandProperties(ts, code);
  assert.equal(expand("f({ a, b: 1, c })"), "f({ a: a, b: 1, c: c })");
  assert.equal(expand("({ x = 1 } = o)"), "({ x: x = 1 } = o)");
  assert.equal(expand("const { a, b } = o;\nf({a})"), "const { a, b } = o;\nf({a: a})");
  assert.equal(expand("`${ {a} }`; // { b }"), "`${ {a: a} }`; // { b }");
  assert.equal(expand("class C { m() {} }"), "class C { m() {} }");
});
