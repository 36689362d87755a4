import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createCellRequire, requiredSpecifiers } from "./require.js";

/** Writes a package into `<dir>/node_modules/<name>`. */
function writePackage(dir: string, name: string, files: Record<string, string>): void {
  const pkg = path.join(dir, "node_modules", name);
  mkdirSync(pkg, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(pkg, file), text);
}

describe("createCellRequire", () => {
  const root = process.cwd();
  let notebook: string;

  before(() => {
    notebook = mkdtempSync(path.join(tmpdir(), "tessera-require-"));
    writePackage(notebook, "local-only", {
      "package.json": '{ "name": "local-only", "main": "index.js" }',
      "index.js": 'module.exports = { where: "notebook" };',
    });
    // Shadows the repository's d3-array: the notebook's folder wins.
    writePackage(notebook, "d3-array", {
      "package.json": '{ "name": "d3-array", "main": "index.js" }',
      "index.js": "module.exports = { shadowed: true };",
    });
    // An ES module with top-level await cannot be required on any Node version.
    writePackage(notebook, "esm-tla", {
      "package.json": '{ "name": "esm-tla", "type": "module", "main": "index.js" }',
      "index.js": "await Promise.resolve();\nexport const answer = 42;\n",
    });
  });

  after(() => rmSync(notebook, { recursive: true, force: true }));

  test("a package resolves from the notebook's folder", () => {
    const req = createCellRequire(notebook, root);
    assert.deepEqual(req("local-only"), { where: "notebook" });
  });

  test("the notebook's folder wins over the fallback root", () => {
    const req = createCellRequire(notebook, root);
    assert.deepEqual(req("d3-array"), { shadowed: true });
  });

  test("a package missing from the notebook's folder resolves from the fallback root", () => {
    const req = createCellRequire(notebook, root);
    const gpu = req("@tessera/gpu") as { MemoryTracker: unknown };
    assert.equal(typeof gpu.MemoryTracker, "function");
  });

  test("a package found nowhere throws Node's MODULE_NOT_FOUND error", () => {
    const req = createCellRequire(notebook, root);
    assert.throws(
      () => req("no-such-package-xyz"),
      (e: unknown) =>
        (e as { code?: string }).code === "MODULE_NOT_FOUND" &&
        /no-such-package-xyz/.test((e as Error).message),
    );
  });

  test("built-in modules load with and without the node: prefix", () => {
    const req = createCellRequire(notebook, root);
    assert.equal(req("node:path"), path);
    assert.equal(req("path"), path);
  });

  test("preload makes an ES module with top-level await available to require", async () => {
    const req = createCellRequire(notebook, root);
    assert.throws(() => req("esm-tla"));
    await req.preload(["esm-tla"]);
    assert.equal((req("esm-tla") as { answer: number }).answer, 42);
  });

  test("preload skips built-ins and missing packages, leaving errors to require", async () => {
    const req = createCellRequire(notebook, root);
    await req.preload(["node:fs", "fs", "no-such-package-xyz"]);
    assert.throws(() => req("no-such-package-xyz"), /Cannot find module/);
  });

  test("preload of a CommonJS package loads it", async () => {
    const req = createCellRequire(notebook, root);
    await req.preload(["local-only"]);
    assert.deepEqual(req("local-only"), { where: "notebook" });
  });
});

describe("requiredSpecifiers", () => {
  test("requiredSpecifiers lists the specifiers passed to require() in order", () => {
    const js = [
      'const d3_array_1 = require("d3-array");',
      'const gpu_1 = __importDefault(require("@tessera/gpu"));',
      'const fs = require("node:fs");',
      "const other = myrequire('single-quoted');",
    ].join("\n");
    assert.deepEqual(requiredSpecifiers(js), ["d3-array", "@tessera/gpu", "node:fs"]);
  });

  test("requiredSpecifiers of code without require() is empty", () => {
    assert.deepEqual(requiredSpecifiers("const x = 1;"), []);
  });
});
