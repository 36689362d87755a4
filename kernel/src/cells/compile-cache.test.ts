import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { requireCached } from "./compile-cache.js";

describe("requireCached", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-cache-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "lib.js");
  // A CommonJS file that uses require, module.exports and __dirname, as TypeScript's does.
  writeFileSync(
    file,
    'const path = require("node:path");\n' +
      "function square(x) { return x * x; }\n" +
      "module.exports = { square, folder: path.basename(__dirname) };\n",
  );
  const cache = path.join(dir, "cache");

  test("the first load runs the file and saves its compiled code", () => {
    const first = requireCached<{ square(x: number): number; folder: string }>(file, cache);
    assert.equal(first.fromCache, false);
    assert.equal(first.exports.square(7), 49);
    assert.equal(first.exports.folder, path.basename(dir));
    first.save();
    assert.equal(readdirSync(cache).length, 1);
  });

  test("the next process starts from the saved code; a damaged cache is rejected and the file still loads", () => {
    // In fresh processes (with the same options, which the cache's name depends on): this
    // one's V8 keeps the compiled file in memory and would not look at the cache at all.
    const child = (code: string) => {
      const script =
        `import { requireCached } from ${JSON.stringify(path.join(import.meta.dirname, "compile-cache.ts"))};\n` +
        `const m = requireCached(${JSON.stringify(file)}, ${JSON.stringify(cache)});\n` +
        code;
      const argv = ["--import", "tsx", "--input-type=module", "-e", script];
      return JSON.parse(execFileSync(process.execPath, argv).toString()) as unknown;
    };
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(child("m.save(); console.log(JSON.stringify(m.fromCache));"), false);
    assert.deepEqual(child("console.log(JSON.stringify(m.fromCache));"), true);
    for (const name of readdirSync(cache)) writeFileSync(path.join(cache, name), "not V8's code");
    assert.deepEqual(child("console.log(JSON.stringify([m.fromCache, m.exports.square(3)]));"), [
      false,
      9,
    ]);
  });

  test("saving keeps the newest caches of the file and removes older ones", () => {
    const folder = path.join(dir, "pruned");
    mkdirSync(folder, { recursive: true });
    const old = (k: number) => path.join(folder, `lib.js-old${k}-v0-x64.v8cache`);
    for (let k = 0; k < 5; k++) {
      writeFileSync(old(k), "stale");
      utimesSync(old(k), new Date(2020, 0, 1 + k), new Date(2020, 0, 1 + k));
    }
    writeFileSync(path.join(folder, "other.js-x-v0-x64.v8cache"), "another file's");
    requireCached(file, folder).save();
    const left = readdirSync(folder).sort();
    // The new cache and the three newest old ones; another file's cache is not touched.
    assert.equal(left.length, 5);
    assert.ok(left.includes("other.js-x-v0-x64.v8cache"));
    assert.deepEqual(
      left.filter((n) => n.includes("-old")),
      [2, 3, 4].map((k) => path.basename(old(k))),
    );
  });

  test("a changed file does not use the old cache", () => {
    writeFileSync(file, "module.exports = { square: (x) => x * x * 1 };\n");
    const loaded = requireCached<{ square(x: number): number }>(file, cache);
    assert.equal(loaded.fromCache, false);
    assert.equal(loaded.exports.square(5), 25);
  });

  test("a file with non-ASCII text keeps it (only ASCII files are read as Latin-1)", () => {
    const other = path.join(dir, "text.js");
    writeFileSync(other, 'module.exports = "naïve ✓ 𝑥";\n');
    assert.equal(requireCached<string>(other, cache).exports, "naïve ✓ 𝑥");
  });
});
