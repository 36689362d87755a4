/**
 * Runs TypeScript cells: tslab's converter type-checks and compiles a cell against the
 * declarations of earlier cells; the code runs in this context with shared `exports`
 * (the notebook's variables), so state survives errors and interrupts.
 */
import { expandShorthandProperties } from "./shorthand.js";
import vm from "node:vm";
import type { Converter } from "tslab/dist/converter.js";
import { diagnosticsError, runtimeError, type CellError } from "./errors.js";
import { InterruptState } from "./interrupts.js";
import { isComplete, type Completeness } from "./is-complete.js";
import { createCellRequire, requiredSpecifiers, type CellRequire } from "./require.js";
import { loadTypeScript, type TS } from "./typescript.js";

export type CellResult =
  { status: "ok"; hasValue: boolean; value?: unknown } | ({ status: "error" } & CellError);

export interface ExecutorOptions {
  /** Folder that packages resolve from first (the notebook's). */
  cwd: string;
  /** Folder whose node_modules serve as a fallback (Tessera's own). */
  fallbackRoot: string;
  /** Values every cell sees as variables (display, progress, …). */
  globals: Record<string, unknown>;
  /** TypeScript declarations of `globals`, as a module's top-level statements. */
  globalsDeclaration: string;
  /** Shared with the transport thread; a private one by default. */
  interrupts?: InterruptState;
}

export interface Completion {
  start: number;
  end: number;
  matches: string[];
}

export interface Inspection {
  text: string;
  documentation: string;
}

export class Interrupted extends Error {
  override name = "KeyboardInterrupt";
  constructor() {
    super("Execution interrupted");
  }
}

export class CellExecutor {
  readonly #options: ExecutorOptions;
  readonly #require: CellRequire;
  readonly #exports: Record<string, unknown>;
  readonly #interrupts: InterruptState;
  #declarations: string;
  #interrupt: (() => void) | undefined;
  /** The interrupt count when the running cell started. */
  #startedAt = Infinity;

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#require = createCellRequire(options.cwd, options.fallbackRoot);
    this.#exports = createExports(options.globals);
    this.#declarations = options.globalsDeclaration;
    this.#interrupts = options.interrupts ?? new InterruptState();
  }

  /** Starts loading TypeScript so the first cell does not wait for it. */
  warmUp(): Promise<void> {
    return this.#tools().then(() => undefined);
  }

  /** The notebook's variables, by name. */
  get variables(): Readonly<Record<string, unknown>> {
    return this.#exports;
  }

  async execute(code: string): Promise<CellResult> {
    this.#startedAt = this.#interrupts.requested;
    try {
      return await this.#execute(code);
    } finally {
      this.#startedAt = Infinity;
      this.#interrupt = undefined;
    }
  }

  async #execute(code: string): Promise<CellResult> {
    const { ts, converter } = await this.#tools();
    const converted = converter.convert(this.#declarations, expandShorthandProperties(ts, code));
    if (converted.diagnostics.length > 0) {
      return { status: "error", ...diagnosticsError(converted.diagnostics, code) };
    }
    // Declarations count even when the cell later throws: what ran before the throw exists.
    this.#declarations = converted.declOutput ?? this.#declarations;
    if (converted.output === undefined) return { status: "ok", hasValue: false };
    const interrupted = new Promise<never>((_, reject) => {
      this.#interrupt = () => reject(new Interrupted());
    });
    interrupted.catch(() => {});
    const wrapped =
      (converted.hasToplevelAwait
        ? "(async function (exports, require) {"
        : "(function (exports, require) {") +
      converted.output +
      "\n})";
    try {
      await Promise.race([
        this.#require.preload(requiredSpecifiers(converted.output)),
        interrupted,
      ]);
      // An interrupt that came while the cell compiled stops it before it runs.
      if (this.#interrupts.requested > this.#startedAt) throw new Interrupted();
      const cell = vm.runInThisContext(wrapped, {
        filename: "cell.js",
        displayErrors: false,
      }) as CellFunction;
      const result = this.#runSync(() => cell(this.#exports, this.#require));
      if (converted.hasToplevelAwait) await Promise.race([result, interrupted]);
    } catch (e) {
      return { status: "error", ...runtimeError(interruptedError(e), { code, compiled: wrapped }) };
    }
    const last = converted.lastExpressionVar;
    if (last === undefined || !(last in this.#exports)) return { status: "ok", hasValue: false };
    const value = this.#exports[last];
    delete this.#exports[last];
    return { status: "ok", hasValue: value !== undefined, value };
  }

  /**
   * Runs `f` under vm's breakOnSigint, so SIGINT throws out of a synchronous busy loop.
   * The option applies to a script's run, so a one-line script calls `f` from a global.
   */
  #runSync(f: () => unknown): unknown {
    const g = globalThis as Record<string, unknown>;
    g[RUN] = f;
    this.#interrupts.runningSync = true;
    try {
      return RUN_SCRIPT.runInThisContext({ breakOnSigint: true, displayErrors: false });
    } finally {
      this.#interrupts.runningSync = false;
      delete g[RUN];
    }
  }

  /**
   * Interrupts the running cell: counts the request, and ends the awaited part of the cell
   * (SIGINT ends its synchronous part). `upTo`, the request count of an interrupt sent
   * from another thread, keeps a late-arriving request from stopping a newer cell.
   */
  interrupt(upTo = this.#interrupts.request()): void {
    if (this.#startedAt < upTo) this.#interrupt?.();
  }

  async complete(code: string, position: number): Promise<Completion> {
    const { converter } = await this.#tools();
    const info = converter.complete(this.#declarations, code, position);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  async inspect(code: string, position: number): Promise<Inspection | undefined> {
    const { ts, converter } = await this.#tools();
    const info = converter.inspect(this.#declarations, code, position);
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
  }

  async isComplete(code: string): Promise<Completeness> {
    const { ts } = await this.#tools();
    return isComplete(ts, code);
  }

  #tools(): Promise<{ ts: TS; converter: Converter }> {
    return loadTypeScript(this.#options.fallbackRoot);
  }
}

/**
 * tslab's compiled cells write their top-level declarations with defineProperty;
 * a plain object that accepts redefinition keeps them rewritable across cells.
 */
function createExports(globals: Record<string, unknown>): Record<string, unknown> {
  const target: Record<string, unknown> = { ...globals };
  return new Proxy(target, {
    defineProperty(_t, prop, attrs) {
      if (prop === "__esModule") return true;
      target[prop as string] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
}

type CellFunction = (exports: unknown, require: unknown) => unknown;

const RUN = "__tesseraRunCell";
const RUN_SCRIPT = new vm.Script(`globalThis.${RUN}()`, { filename: "run-cell.js" });

function interruptedError(e: unknown): unknown {
  const code = (e as { code?: string } | null)?.code;
  return code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" ? new Interrupted() : e;
}
