import type { TS } from "./typescript.js";

export type Completeness =
  { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

/**
 * Whether `code` is a whole cell, for consoles that decide between executing and a new
 * line: a parse error at the very end (an unclosed bracket, string or comment) means more
 * is to come; a parse error elsewhere means the code can never be valid.
 *
 * @example
 * isComplete(ts, "function f() {"); // { status: "incomplete", indent: "  " }
 */
export function isComplete(ts: TS, code: string): Completeness {
  const file = ts.createSourceFile(
    "cell.ts",
    code,
    ts.ScriptTarget.Latest,
    false,
    ts.ScriptKind.TS,
  );
  const diagnostics = (file as unknown as { parseDiagnostics: { start: number }[] })
    .parseDiagnostics;
  if (diagnostics.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  if (diagnostics.every((d) => d.start >= end))
    return { status: "incomplete", indent: indentAfter(code) };
  return { status: "invalid" };
}

function indentAfter(code: string): string {
  const lastLine = code.trimEnd().split("\n").pop() ?? "";
  const current = /^\s*/.exec(lastLine)![0];
  return /[{([]\s*$/.test(lastLine) ? current + "  " : current;
}
