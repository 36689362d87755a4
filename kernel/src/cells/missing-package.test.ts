import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { missingPackageHint, missingSpecifier, packageName } from "./missing-package.js";

describe("missing packages", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "tessera-root-"));
  writeFileSync(
    path.join(root, "package.json"),
    JSON.stringify({ optionalDependencies: { "native-peer": "^1.0.0" } }),
  );
  after(() => rmSync(root, { recursive: true, force: true }));
  const folders = { cwd: "/notebooks", root };

  test("packageName names the package of a bare specifier only", () => {
    assert.equal(packageName("d3-array"), "d3-array");
    assert.equal(packageName("lodash/fp"), "lodash");
    assert.equal(packageName("@scope/pkg/deep/file.js"), "@scope/pkg");
    for (const s of ["./local", "../up", "/abs", "node:fs", "fs", "file:///x.js"])
      assert.equal(packageName(s), undefined, s);
  });

  test("an optional native dependency of Tessera's says why it is missing and how to add it", () => {
    const hint = missingPackageHint("native-peer/sub", folders);
    assert.match(hint ?? "", /"native-peer" is an optional dependency of Tessera/);
    assert.match(hint ?? "", /C\+\+ compiler/);
    assert.match(hint ?? "", new RegExp(`\`npm install native-peer\` in ${root}`));
  });

  test("any other package: the command, in the notebook's folder", () => {
    assert.equal(
      missingPackageHint("left-pad", folders),
      '"left-pad" is not installed. Add it with `npm install left-pad` in the notebook\'s folder (/notebooks).',
    );
    assert.equal(missingPackageHint("./mine.js", folders), undefined);
  });

  test("missingSpecifier reads TypeScript's and Node's messages", () => {
    assert.equal(
      missingSpecifier("Cannot find module 'x-y' or its corresponding type declarations."),
      "x-y",
    );
    assert.equal(missingSpecifier("Cannot find module '@a/b'\nRequire stack:\n- /cell.js"), "@a/b");
    assert.equal(missingSpecifier("Cannot find package 'zz' imported from /x.js"), "zz");
    assert.equal(missingSpecifier("something else"), undefined);
  });
});
