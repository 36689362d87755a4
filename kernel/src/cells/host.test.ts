import assert from "node:assert/strict";
import { before, test } from "node:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CellConverter } from "./convert.js";
import { compilerOptions, libraryFiles } from "./host.js";
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
  const library = libraryFiles(ts, options);
  assert.deepEqual(
    library.files,
    files.map((f) => f.fileName),
  );
  assert.equal(library.text, withoutReferences.join("\n"));
});

test("a package's /// <reference lib> still adds that library (here the DOM's)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-lib-"));
  try {
    const pkg = path.join(dir, "node_modules", "uses-dom");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, "package.json"), '{ "name": "uses-dom", "types": "index.d.ts" }');
    writeFileSync(
      path.join(pkg, "index.d.ts"),
      '/// <reference lib="dom" />\nexport declare function element(): HTMLElement;\n',
    );
    const c = new CellConverter(ts, { cwd: dir, root: dir, globals: [], globalsDeclaration: "" });
    const wrong = c.convert('import { element } from "uses-dom";\nconst n: number = element();');
    assert.ok(!wrong.ok && /HTMLElement/.test(wrong.diagnostics[0]!.messageText));
    assert.ok(c.convert('import { element } from "uses-dom";\nelement().tagName').ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
