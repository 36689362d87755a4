import type { Diagnostic } from "./convert.js";

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

/** Where compiled cell code came from, to point runtime errors at the cell's lines. */
export interface CellSource {
  code: string;
  compiled: string;
}

/**
 * A thrown value as an error message. Frames in the cell point at the cell's lines;
 * the stack is cut where the kernel's own frames begin.
 */
export function runtimeError(e: unknown, source?: CellSource): CellError {
  if (!(e instanceof Error)) {
    return {
      ename: "Error",
      evalue: `Uncaught ${String(e)}`,
      traceback: [`Uncaught ${String(e)}`],
    };
  }
  const stack = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
  const cut = stack.findIndex((l) =>
    /\bcells[/\\]executor\.[jt]s|run-cell\.js|node:vm|evalmachine/.test(l),
  );
  const frames = cut > 0 ? stack.slice(0, cut) : stack;
  return {
    ename: e.name,
    evalue: e.message,
    traceback: source ? frames.map((l) => mapFrame(l, source)) : frames,
  };
}

/**
 * The compiled code has no source map (it is compiled twice: checked, then to CommonJS),
 * but it keeps the cell's statements in order and nearly verbatim, so a compiled line
 * finds its cell line by text.
 */
function mapFrame(frame: string, source: CellSource): string {
  return frame.replace(/cell\.js:(\d+):(\d+)/, (whole, line: string, column: string) => {
    const text = source.compiled.split("\n")[Number(line) - 1] ?? "";
    const lines = source.code.split("\n").map(normalize);
    // The whole line first; then the code from the failing column on (types are erased
    // in compiled code, so a declaration's line may differ while its body matches).
    for (const probe of [normalize(text), normalize(text.slice(Number(column) - 1)).slice(0, 24)]) {
      if (probe.length < 2) continue;
      const i = bestLine(lines, probe);
      if (i >= 0) return `cell line ${i + 1}`;
    }
    return whole;
  });
}

/** An equal line first, then one that contains the probe, then one the probe mostly covers. */
function bestLine(lines: readonly string[], probe: string): number {
  const equal = lines.indexOf(probe);
  if (equal >= 0) return equal;
  const containing = lines.findIndex((l) => l.includes(probe));
  if (containing >= 0) return containing;
  return lines.findIndex((l) => l.length * 2 >= probe.length && probe.includes(l));
}

/** Drops what compilation adds around names: `exports.`, `(0, module_1.f)`, `module_1.`. */
function normalize(line: string): string {
  return line
    .replace(/\(0,\s*([\w$]+_\d+\.)?([\w$]+)\)/g, "$2")
    .replace(/\b(?:exports|[\w$]+_\d+)\./g, "")
    .replace(/\b__tessera\.last\s*=/g, "")
    .replace(/[\s;]/g, "");
}
