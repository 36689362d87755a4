import assert from "node:assert/strict";
import { before, test } from "node:test";
import path from "node:path";
import { CellConverter } from "./convert.js";
import { compilerOptions, libraryText } from "./host.js";
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

test("the library is one file of lib's files, in the order a program has them", () => {
  const options = compilerOptions(ts, []);
  const program = ts.createProgram({
    rootNames: [path.join(process.cwd(), "__tessera_none.ts")],
    options: { ...options, types: [] },
  });
  const files = program.getSourceFiles().filter((f) => program.isSourceFileDefaultLibrary(f));
  assert.ok(files.length > 10, "lib.es2023 and what it references");
  const withoutReferences = files.map((f) =>
    f.text.replace(/^\/\/\/\s*<reference\s+lib=.*$/gm, ""),
  );
  assert.equal(libraryText(ts, options), withoutReferences.join("\n"));
});
