import type { Diagnostic } from "tslab/dist/converter.js";

/** The content of an `error` message and of an error `execute_reply`. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** TypeScript diagnostics as one error, each line pointing at the cell's line and column. */
export function diagnosticsError(diagnostics: readonly Diagnostic[], code: string): CellError {
  const lines = code.split("\n");
  const traceback = diagnostics.flatMap((d) => {
    const where = `${d.fileName ? d.fileName + " " : ""}line ${d.start.line + 1}, column ${d.start.character + 1}`;
    const source = d.fileName ? undefined : lines[d.start.line];
    const caret =
      source === undefined
        ? []
        : [source, " ".repeat(d.start.character) + "^".repeat(Math.max(1, caretLength(d)))];
    return [`${where}: error TS${d.code}: ${d.messageText}`, ...caret];
  });
  const first = diagnostics[0]!;
  const syntax = first.code >= 1000 && first.code < 2000;
  return {
    ename: syntax ? "SyntaxError" : "TypeError",
    evalue: `${first.messageText} (line ${first.start.line + 1}, column ${first.start.character + 1})`,
    traceback,
  };
}

function caretLength(d: Diagnostic): number {
  return d.end.line === d.start.line ? d.end.character - d.start.character : 1;
}

/** A thrown value as an error message; the stack is cut at the kernel's own frames. */
export function runtimeError(e: unknown): CellError {
  if (e instanceof Error) {
    const stack = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
    const cut = stack.findIndex((l) => /\bcells[/\\]executor\.[jt]s|node:vm/.test(l));
    return {
      ename: e.name,
      evalue: e.message,
      traceback: cut > 0 ? stack.slice(0, cut) : stack,
    };
  }
  return { ename: "Error", evalue: `Uncaught ${String(e)}`, traceback: [`Uncaught ${String(e)}`] };
}
