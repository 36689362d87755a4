/* A CellConverter as the cells tests use it, and the script a conversion that must succeed gives. */
import assert from "node:assert/strict";
import { CellConverter, type Conversion } from "../src/cells/convert.js";
import type { TS } from "../src/cells/typescript.js";

/** A converter in this folder whose cells also see `shown`, as the kernel's see `display`. */
export function testConverter(ts: TS): CellConverter {
  return new CellConverter(ts, {
    cwd: process.cwd(),
    root: process.cwd(),
    globals: ["shown"],
    globalsDeclaration: "declare const shown: (value: unknown) => void;",
  });
}

/** The JavaScript of a conversion, failing the test when there is none or it has diagnostics. */
export function convertedScript(conversion: Conversion | undefined): string {
  assert.ok(conversion, "the cell should have been converted");
  assert.ok(conversion.ok, JSON.stringify(conversion));
  return conversion.js;
}
