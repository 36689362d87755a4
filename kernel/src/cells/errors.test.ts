import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Diagnostic } from "./convert.js";
import { diagnosticsError, runtimeError, type CellSource } from "./errors.js";

function diagnostic(
  code: number,
  messageText: string,
  start: [line: number, character: number],
  end: [line: number, character: number],
  fileName?: string,
): Diagnostic {
  return {
    start: { line: start[0], character: start[1] },
    end: { line: end[0], character: end[1] },
    messageText,
    code,
    ...(fileName === undefined ? {} : { fileName }),
  };
}

describe("diagnosticsError", () => {
  const assignability = "Type 'number' is not assignable to type 'string'.";

  test("a TS2322 diagnostic is a TypeError pointing at line and column with a caret", () => {
    const code = "const a = 1;\nconst s: string = 42;";
    const e = diagnosticsError([diagnostic(2322, assignability, [1, 6], [1, 7])], code);
    assert.equal(e.ename, "TypeError");
    assert.equal(e.evalue, `${assignability} (line 2, column 7)`);
    assert.deepEqual(e.traceback, [
      `line 2, column 7: error TS2322: ${assignability}`,
      "const s: string = 42;",
      "      ^",
    ]);
  });

  test("a TS1005 diagnostic is a SyntaxError", () => {
    const e = diagnosticsError([diagnostic(1005, "';' expected.", [0, 4], [0, 5])], "let x y");
    assert.equal(e.ename, "SyntaxError");
    assert.equal(e.evalue, "';' expected. (line 1, column 5)");
  });

  test("the caret spans the diagnostic's range on one line", () => {
    const e = diagnosticsError(
      [diagnostic(2304, "Cannot find name 'foo'.", [0, 8], [0, 11])],
      "let y = foo + 1;",
    );
    assert.equal(e.traceback[2], "        ^^^");
  });

  test("a diagnostic spanning lines gets a one-character caret", () => {
    const e = diagnosticsError([diagnostic(2322, "x", [0, 2], [2, 1])], "ab\ncd\nef");
    assert.equal(e.traceback[2], "  ^");
  });

  test("each diagnostic adds its lines; ename and evalue come from the first", () => {
    const e = diagnosticsError(
      [diagnostic(2322, "first", [0, 0], [0, 1]), diagnostic(1005, "second", [1, 0], [1, 1])],
      "a\nb",
    );
    assert.equal(e.ename, "TypeError");
    assert.equal(e.evalue, "first (line 1, column 1)");
    assert.deepEqual(e.traceback, [
      "line 1, column 1: error TS2322: first",
      "a",
      "^",
      "line 2, column 1: error TS1005: second",
      "b",
      "^",
    ]);
  });

  test("a diagnostic in another file names the file and shows no cell source", () => {
    const e = diagnosticsError(
      [diagnostic(2307, "Cannot find module 'x'.", [3, 1], [3, 2], "lib.ts")],
      "import 'x';",
    );
    assert.deepEqual(e.traceback, [
      "lib.ts line 4, column 2: error TS2307: Cannot find module 'x'.",
    ]);
  });
});

describe("runtimeError", () => {
  const source: CellSource = {
    code: [
      "const a = 1;",
      "function fail(n: number) {",
      '  throw new RangeError("bad " + n);',
      "}",
      "let z = fail(a);",
    ].join("\n"),
    compiled: [
      "(function (exports, require) {",
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      "exports.a = 1;",
      "function fail(n) {",
      '    throw new RangeError("bad " + n);',
      "}",
      "let z = fail(exports.a);",
      "})",
    ].join("\n"),
  };

  function withStack(stack: string[]): Error {
    const e = new RangeError("bad 1");
    e.stack = stack.join("\n");
    return e;
  }

  test("frames in cell.js point at the cell's lines", () => {
    const e = runtimeError(
      withStack(["RangeError: bad 1", "    at fail (cell.js:6:11)", "    at cell.js:8:9"]),
      source,
    );
    assert.equal(e.ename, "RangeError");
    assert.equal(e.evalue, "bad 1");
    assert.deepEqual(e.traceback, [
      "RangeError: bad 1",
      "    at fail (cell line 3)",
      "    at cell line 5",
    ]);
  });

  test("the stack is cut where the kernel's executor frames begin", () => {
    const e = runtimeError(
      withStack([
        "RangeError: bad 1",
        "    at fail (cell.js:6:11)",
        "    at globalThis.__tesseraRunCell (/repo/kernel/src/cells/executor.ts:170:10)",
        "    at evalmachine.<anonymous>:1:12",
        "    at Script.runInThisContext (node:vm:137:12)",
      ]),
      source,
    );
    assert.deepEqual(e.traceback, ["RangeError: bad 1", "    at fail (cell line 3)"]);
  });

  test("the stack is cut at node:vm frames too", () => {
    const e = runtimeError(
      withStack([
        "Error: x",
        "    at user (cell.js:6:11)",
        "    at runInThisContext (node:vm:1:1)",
      ]),
    );
    assert.deepEqual(e.traceback, ["Error: x", "    at user (cell.js:6:11)"]);
  });

  test("without a source, cell.js frames are left as they are", () => {
    const e = runtimeError(withStack(["RangeError: bad 1", "    at fail (cell.js:6:11)"]));
    assert.deepEqual(e.traceback, ["RangeError: bad 1", "    at fail (cell.js:6:11)"]);
  });

  test("a cell.js frame whose compiled line matches no cell line is left as it is", () => {
    const e = runtimeError(withStack(["RangeError: bad 1", "    at cell.js:99:1"]), source);
    assert.deepEqual(e.traceback, ["RangeError: bad 1", "    at cell.js:99:1"]);
  });

  test("a thrown non-Error becomes an Error named Uncaught with its text", () => {
    assert.deepEqual(runtimeError(42), {
      ename: "Error",
      evalue: "Uncaught 42",
      traceback: ["Uncaught 42"],
    });
    assert.equal(runtimeError("oops").evalue, "Uncaught oops");
  });

  test("an Error's own name and message become ename and evalue", () => {
    class CustomError extends Error {
      override name = "CustomError";
    }
    const e = runtimeError(new CustomError("custom"));
    assert.equal(e.ename, "CustomError");
    assert.equal(e.evalue, "custom");
    assert.equal(e.traceback[0], "CustomError: custom");
  });
});
