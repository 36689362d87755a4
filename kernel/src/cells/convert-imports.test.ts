import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  convertedScript as script,
  testConverter as converter,
} from "../../test/cell-converter.js";
import { loadTypeScript, type TS } from "./typescript.js";

// A cell that declares nothing is checked importing only the earlier names it mentions.
describe("CellConverter: earlier names in a cell that declares nothing", () => {
  let ts: TS;
  before(async () => {
    ts = await loadTypeScript();
  });

  test("a name's type from an earlier cell still applies where the cell does not name it", () => {
    const cells = converter(ts);
    script(cells.convert("interface Point { x: number }\nconst origin = (): Point => ({ x: 0 });"));
    const js = script(cells.convert("origin().x + 1"));
    assert.match(js, /\borigin\b/);
    const wrong = cells.convert("origin().y");
    assert.ok(!wrong.ok);
    assert.match(wrong.diagnostics[0]!.messageText, /Property 'y' does not exist on type 'Point'/);
  });

  test("a misspelt earlier name gets TypeScript's suggestion, as with every name imported", () => {
    const cells = converter(ts);
    script(cells.convert("const total = 1;"));
    const misspelt = cells.convert("totl + 1");
    assert.ok(!misspelt.ok);
    assert.deepEqual(
      misspelt.diagnostics.map((d) => [d.code, d.messageText]),
      [[2552, "Cannot find name 'totl'. Did you mean 'total'?"]],
    );
  });

  test("names it does not mention stay out of its script, and a later cell still sees them", () => {
    const cells = converter(ts);
    script(cells.convert("let count = 1;\nconst unused = 2;"));
    const js = script(cells.convert("count += 1"));
    assert.match(js, /\bcount\b/);
    assert.doesNotMatch(js, /\bunused\b|\bshown\b/);
    assert.match(script(cells.convert("unused + count")), /\bunused\b/);
  });
});
