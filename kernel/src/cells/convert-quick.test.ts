import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  convertedScript as script,
  testConverter as converter,
} from "../../test/cell-converter.js";
import type { CellConverter } from "./convert.js";
import { loadTypeScript, type TS } from "./typescript.js";

describe("CellConverter.quickConvert (the ECMAScript library alone)", () => {
  let ts: TS;
  before(async () => {
    ts = await loadTypeScript();
  });

  test("a cell that needs only the language gives convert's script", () => {
    const cells = [
      "[3, 1, 2].toSorted((a, b) => a - b)",
      "const squares = new Map([1, 2].map((n) => [n, n * n]));",
      "function twice(n: number) { return 2 * n; }\ntwice(4)",
    ];
    const quick = converter(ts);
    const full = converter(ts);
    for (const cell of cells)
      assert.equal(script(quick.quickConvert(cell)), script(full.convert(cell)));
  });

  test("a cell that needs Node, a package, an earlier name or has an error is left to convert", () => {
    const cells = [
      "console.log(1)",
      "Buffer.from('a')",
      'import { readFileSync } from "node:fs";',
      'import * as gpu from "@tessera/gpu";',
      "await import('node:os')",
      "shown(1)",
      "const s: string = 1;",
      "1 +",
    ];
    for (const cell of cells) assert.equal(converter(ts).quickConvert(cell), undefined, cell);
    // convert then gives the usual result: here, the type error.
    const typeError = converter(ts).convert("const s: string = 1;");
    assert.ok(!typeError.ok && typeError.diagnostics[0]!.code === 2322);
  });

  test("declarations made before Node's types are seen by later cells with their types", () => {
    const c = converter(ts);
    script(c.quickConvert("const words = ['a', 'bb'];"));
    // An earlier cell's name is only seen through the line that imports it: not quick.
    assert.equal(c.quickConvert("words.length"), undefined);
    script(c.convert("const lengths = words.map((w) => w.length);"));
    const wrong = c.convert("const first: string = lengths[0];");
    assert.ok(!wrong.ok, "number is not assignable to string");
  });

  test("a cell run again unchanged reuses its script, as convert does", () => {
    const c = converter(ts);
    c.convert("1");
    const first = c.quickConvert("2 + 2");
    assert.ok(first?.ok);
    assert.equal(c.quickConvert("2 + 2"), first, "the kept script, not a new check");
    script(c.convert("const later = 1;"));
    assert.notEqual(c.quickConvert("2 + 2"), first, "checked again after a declaration");
  });

  test("once Node's types are loaded, only a cell that names none of their globals is quick", () => {
    for (const load of [
      (c: CellConverter) => c.convert("1"),
      (c: CellConverter) => c.complete("Mat", 3),
      (c: CellConverter) => c.inspect("Math", 1),
    ]) {
      const c = converter(ts);
      load(c);
      // Declared by Node's types, and extended by them (Uint8Array): not quick.
      for (const cell of ["console.log(1)", "process.exitCode", "new Uint8Array(2)"])
        assert.equal(c.quickConvert(cell), undefined, cell);
      const cell = "[2, 1].toSorted((a, b) => a - b)";
      assert.equal(script(c.quickConvert(cell)), script(converter(ts).convert(cell)));
    }
  });
});
