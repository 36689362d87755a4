/**
 * Runs TypeScript cells: the converter (convert.ts), in the compiler thread, type-checks
 * and compiles a cell against the declarations of earlier cells; the code runs in this
 * context, binding its names into the notebook's scope, so state survives errors and
 * interrupts.
 */
import vm from "node:vm";
import { startCompiler, type Compiler } from "./compiler-client.js";
import type { Inspection } from "./compiler-protocol.js";
import { SCOPE_MODULE, type Completion, type Conversion } from "./convert.js";
import { diagnosticsError, runtimeError, type CellError } from "./errors.js";
import { InterruptState } from "./interrupts.js";
import { missingPackageHint, missingSpecifier } from "./missing-package.js";
import type { Completeness } from "./is-complete.js";
import { createCellRequire, requiredSpecifiers, type CellRequire } from "./require.js";
import { RUNTIME } from "./transform.js";

export type { Completion } from "./convert.js";
export type { Inspection } from "./compiler-protocol.js";

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

export class Interrupted extends Error {
  override name = "KeyboardInterrupt";
  constructor() {
    super("Execution interrupted");
  }
}

export class CellExecutor {
  readonly #options: ExecutorOptions;
  readonly #require: CellRequire;
  /** The notebook's variables: plain properties (globals) and cells' live accessors. */
  readonly #scope: Record<string, unknown>;
  readonly #interrupts: InterruptState;
  readonly #compiler: Compiler & { close(): Promise<void> };
  #interrupt: (() => void) | undefined;
  /** The interrupt count when the running cell started. */
  #startedAt = Infinity;

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#require = createCellRequire(options.cwd, options.fallbackRoot);
    this.#scope = { ...options.globals };
    this.#interrupts = options.interrupts ?? new InterruptState();
    // Starts loading TypeScript now, beside the rest of the kernel's start-up.
    this.#compiler = startCompiler({
      cwd: options.cwd,
      root: options.fallbackRoot,
      globals: Object.keys(options.globals),
      globalsDeclaration: options.globalsDeclaration,
    });
  }

  /** Stops the compiler thread; the executor cannot check cells afterwards. */
  close(): Promise<void> {
    return this.#compiler.close();
  }

  /** The notebook's variables, by name. */
  get variables(): Readonly<Record<string, unknown>> {
    return this.#scope;
  }

  async execute(code: string): Promise<CellResult> {
    this.#startedAt = this.#interrupts.requested;
    try {
      return await this.#execute(code);
    } finally {
      this.#interrupts.cellRunning = false;
      this.#startedAt = Infinity;
      this.#interrupt = undefined;
    }
  }

  async #execute(code: string): Promise<CellResult> {
    let converted: Conversion;
    try {
      converted = await this.#compiler.convert(code);
    } catch (e) {
      // The compiler thread failed or stopped: shown in the notebook like any cell error.
      const message = (e as Error).message;
      return { status: "error", ename: "CompilerError", evalue: message, traceback: [message] };
    }
    if (!converted.ok) {
      const error = diagnosticsError(converted.diagnostics, code);
      const missing = converted.diagnostics
        .filter((d) => d.code === CANNOT_FIND_MODULE)
        .map((d) => missingSpecifier(d.messageText));
      return { status: "error", ...this.#withHints(error, missing) };
    }
    const interrupted = new Promise<never>((_, reject) => {
      this.#interrupt = () => reject(new Interrupted());
    });
    interrupted.catch(() => {});
    const wrapped =
      (converted.hasTopLevelAwait ? "(async function " : "(function ") +
      `(exports, require, module, ${RUNTIME}) {` +
      converted.js +
      "\n})";
    const runtime = { last: undefined as unknown, bind: bindInto(this.#scope) };
    try {
      await Promise.race([
        this.#require.preload(
          requiredSpecifiers(converted.js).filter((s) => !s.startsWith(SCOPE_MODULE)),
        ),
        interrupted,
      ]);
      // An interrupt that came while the cell compiled stops it before it runs.
      if (this.#interrupts.requested > this.#startedAt) throw new Interrupted();
      this.#interrupts.cellRunning = true;
      const cell = vm.runInThisContext(wrapped, {
        filename: "cell.js",
        displayErrors: false,
      }) as CellFunction;
      const exports = {};
      const require = (specifier: string) =>
        specifier.startsWith(SCOPE_MODULE) ? this.#scope : this.#require(specifier);
      const result = this.#runSync(() => cell(exports, require, { exports }, runtime));
      if (converted.hasTopLevelAwait) await Promise.race([result, interrupted]);
    } catch (e) {
      const error = runtimeError(interruptedError(e), { code, compiled: wrapped });
      const missing = isModuleNotFound(e) ? [missingSpecifier((e as Error).message)] : [];
      return { status: "error", ...this.#withHints(error, missing) };
    }
    const value = runtime.last;
    return value === undefined
      ? { status: "ok", hasValue: false }
      : { status: "ok", hasValue: true, value };
  }

  /** Adds to an error how to install the packages it could not find. */
  #withHints(error: CellError, specifiers: readonly (string | undefined)[]): CellError {
    const folders = { cwd: this.#options.cwd, root: this.#options.fallbackRoot };
    const hints = [
      ...new Set(
        specifiers.map((s) => (s === undefined ? undefined : missingPackageHint(s, folders))),
      ),
    ].filter((h) => h !== undefined);
    return hints.length === 0 ? error : { ...error, traceback: [...error.traceback, ...hints] };
  }

  /**
   * Runs `f` under vm's breakOnSigint, so SIGINT throws out of a synchronous busy loop.
   * The option applies to a script's run, so a one-line script calls `f` from a global;
   * the transport may raise SIGINT only while that global runs (see InterruptState).
   */
  #runSync(f: () => unknown): unknown {
    const g = globalThis as Record<string, unknown>;
    const interrupts = this.#interrupts;
    const startedAt = this.#startedAt;
    g[RUN] = () => {
      interrupts.enterSync();
      try {
        // A request the transport made before it could see enterSync raised no signal.
        if (interrupts.requested > startedAt) throw new Interrupted();
        return f();
      } finally {
        interrupts.leaveSync(SIGNAL_WAIT_MS);
      }
    };
    try {
      return RUN_SCRIPT.runInThisContext({ breakOnSigint: true, displayErrors: false });
    } finally {
      delete g[RUN];
    }
  }

  /**
   * Interrupts the running cell: counts the request, and ends the awaited part of the cell
   * (SIGINT ends its synchronous part). `upTo`, the request count of an interrupt sent
   * from another thread, keeps a late-arriving request from stopping a newer cell.
   * Returns whether it applies to the running cell.
   */
  interrupt(upTo = this.#interrupts.request()): boolean {
    if (this.#startedAt >= upTo) return false;
    this.#interrupt?.();
    return true;
  }

  complete(code: string, position: number): Promise<Completion> {
    return this.#compiler.complete(code, position);
  }

  inspect(code: string, position: number): Promise<Inspection | undefined> {
    return this.#compiler.inspect(code, position);
  }

  isComplete(code: string): Promise<Completeness> {
    return this.#compiler.isComplete(code);
  }
}

/**
 * A cell's declaration becomes a property of the scope that reads (and, unless it is a
 * const, writes) the cell's own binding, so functions of that cell and later cells share it.
 */
function bindInto(scope: Record<string, unknown>) {
  return (name: string, get: () => unknown, set?: (value: unknown) => void): void => {
    Object.defineProperty(scope, name, {
      get,
      set:
        set ??
        (() => {
          throw new TypeError(`Assignment to constant variable '${name}'.`);
        }),
      enumerable: true,
      configurable: true,
    });
  };
}

type CellFunction = (
  exports: unknown,
  require: unknown,
  module: unknown,
  runtime: unknown,
) => unknown;

const RUN = "__tesseraRunCell";
/** The longest a cell's run waits for the SIGINT the transport is raising (microseconds, normally). */
const SIGNAL_WAIT_MS = 5000;
const RUN_SCRIPT = new vm.Script(`globalThis.${RUN}()`, { filename: "run-cell.js" });

/** TypeScript's "Cannot find module 'x' or its corresponding type declarations." */
const CANNOT_FIND_MODULE = 2307;

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND";
}

function interruptedError(e: unknown): unknown {
  const code = (e as { code?: string } | null)?.code;
  return code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" ? new Interrupted() : e;
}
