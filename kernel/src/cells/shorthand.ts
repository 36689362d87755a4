import type * as tsTypes from "@tslab/typescript-for-tslab";
import type { TS } from "./typescript.js";

/**
 * `code` with every shorthand property (`{ x }`) written out as `{ x: x }`. tslab's converter
 * turns a name declared in an earlier cell into `exports.x`, but not inside a shorthand
 * property, so `({ threads })` would throw "threads is not defined". Nothing moves to another
 * line, so error positions keep their line.
 *
 * @example
 * expandShorthandProperties(ts, "f({ a, b: 1 })"); // "f({ a: a, b: 1 })"
 */
export function expandShorthandProperties(ts: TS, code: string): string {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true);
  const names: tsTypes.Identifier[] = [];
  const visit = (node: tsTypes.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) names.push(node.name);
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = "";
  let at = 0;
  for (const name of names.sort((a, b) => a.end - b.end)) {
    out += code.slice(at, name.end) + ": " + name.text;
    at = name.end;
  }
  return out + code.slice(at);
}
