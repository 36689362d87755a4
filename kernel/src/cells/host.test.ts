import assert from "node:assert/strict";
import { before, test } from "node:test";
import { CellConverter } from "./convert.js";
import { loadTypeScript, type TS } from "./typescript.js";

let ts: TS;
before(async () => {
  ts = await loadTypeScript();
});

test("Node's modules keep @types/node's types, with and without node:", () => {
  const c = new CellConverter(ts, {
    cwd: process.cwd(),
    root: process.cwd(),
    globals: [],
    globalsDeclaration: "",
  });
  const codes = (code: string) => {
    const r = c.convert(code);
    return r.ok ? [] : r.diagnostics.map((d) => d.code);
  };
  assert.deepEqual(codes('import { sep } from "node:path";\nconst n: number = sep;'), [2322]);
  assert.deepEqual(codes('import { readFileSync } from "fs";\nreadFileSync();'), [2554]);
  assert.deepEqual(codes('import { EOL } from "node:os";\nconst s: string = EOL;'), []);
  assert.deepEqual(codes('import { nothing } from "node:os";'), [2305]);
});
