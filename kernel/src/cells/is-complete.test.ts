import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { isComplete } from "./is-complete.js";
import { loadTypeScript, type TS } from "./typescript.js";

describe("isComplete", () => {
  let ts: TS;
  before(async () => {
    ts = await loadTypeScript();
  });

  test("a whole expression or statement is complete", () => {
    for (const code of ["1", "const x = 1;", "function f() { return 1; }", "", "let s = `a${1}b`;"])
      assert.deepEqual(isComplete(ts, code), { status: "complete" }, JSON.stringify(code));
  });

  test("an unclosed block is incomplete and the next line is indented two spaces", () => {
    assert.deepEqual(isComplete(ts, "function f() {"), { status: "incomplete", indent: "  " });
  });

  test("an unclosed array after a comma is incomplete, keeping the last line's indent", () => {
    assert.deepEqual(isComplete(ts, "const x = [1,"), { status: "incomplete", indent: "" });
    assert.deepEqual(isComplete(ts, "const x = ["), { status: "incomplete", indent: "  " });
  });

  test("the indent follows the last line's indent plus two after an opening bracket", () => {
    assert.deepEqual(isComplete(ts, "if (a) {\n  for (const x of y) {"), {
      status: "incomplete",
      indent: "    ",
    });
    assert.deepEqual(isComplete(ts, "if (a) {\n  f(1,\n    2"), {
      status: "incomplete",
      indent: "    ",
    });
  });

  test("an unclosed string or comment at the end is incomplete", () => {
    assert.equal(isComplete(ts, "const s = `abc").status, "incomplete");
    assert.equal(isComplete(ts, "/* note").status, "incomplete");
  });

  test("trailing whitespace after an unclosed bracket still means incomplete", () => {
    assert.equal(isComplete(ts, "call(\n\n").status, "incomplete");
  });

  test("a parse error before the end is invalid", () => {
    assert.deepEqual(isComplete(ts, "const = 1;"), { status: "invalid" });
    assert.deepEqual(isComplete(ts, "}"), { status: "invalid" });
    assert.deepEqual(isComplete(ts, "const x = ;\nfunction f() {"), { status: "invalid" });
  });
});
