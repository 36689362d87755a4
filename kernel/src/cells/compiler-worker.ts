/**
 * The compiler thread: loads TypeScript and checks an empty cell as soon as the kernel
 * starts, in parallel with the main thread's start-up (two cores do both at once), then
 * answers the main thread's requests in order (see compiler-protocol.ts). Parsed library
 * files and earlier cells' declarations live here for the kernel's lifetime.
 *
 * The empty cell is checked twice: against the ECMAScript library alone, then with Node's
 * types (two thirds of the first program's parse and bind). Cells are checked without
 * Node's types where that gives the same result (see CellConverter.quickConvert): a first
 * cell that needs none waits only for the first, and later ones cost a smaller program.
 */
import { parentPort, workerData } from "node:worker_threads";
import type {
  CompilerData,
  CompilerMethods,
  CompilerReply,
  CompilerRequest,
} from "./compiler-protocol.js";
import { CellConverter } from "./convert.js";
import { isComplete } from "./is-complete.js";
import { loadTypeScript, saveCompiledTypeScript, type TS } from "./typescript.js";

const data = workerData as CompilerData;
const port = parentPort!;

function methods(ts: TS): CompilerMethods {
  const converter = new CellConverter(ts, data);
  // The first programs parse and bind the library files: done before any cell asks. Node's
  // types come after the requests waiting by then (messages are handled before immediates).
  converter.quickConvert("");
  setImmediate(() => converter.complete("", 0));
  let saved = false;
  return {
    convert(code) {
      const conversion = converter.quickConvert(code) ?? converter.convert(code);
      // The compiler has now run every phase a cell needs: its code is worth keeping.
      if (!saved) setImmediate(saveCompiledTypeScript);
      saved = true;
      return conversion;
    },
    complete: (code, position) => converter.complete(code, position),
    inspect(code, position) {
      const info = converter.inspect(code, position);
      if (!info) return undefined;
      return {
        text: ts.displayPartsToString(info.displayParts),
        documentation: [
          ts.displayPartsToString(info.documentation),
          ...(info.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`),
        ]
          .filter((s) => s !== "")
          .join("\n"),
      };
    },
    isComplete: (code) => isComplete(ts, code),
  };
}

const ready = loadTypeScript().then(methods);

port.on("message", (request: CompilerRequest) => {
  void ready
    .then((m) => (m[request.method] as (...args: unknown[]) => unknown)(...request.args))
    .then(
      (result) => port.postMessage({ id: request.id, ok: true, result } as CompilerReply),
      (e: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          error: (e as Error)?.stack ?? String(e),
        } satisfies CompilerReply),
    );
});
