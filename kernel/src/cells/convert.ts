/**
 * Cell semantics on the TypeScript compiler: each cell is checked as a module that sees
 * the declarations of earlier cells, and compiled to a script the runner calls.
 *
 * How earlier cells are seen: a cell that runs leaves its declarations (TypeScript's own
 * declaration output, every top-level name exported) in an in-memory file
 * `__tessera_decl_N.d.ts`; `__tessera_prev_N.d.ts` re-exports, for each name, the latest
 * cell that declared it. The next cell is checked with one line appended after its code,
 * `import { …names it does not declare itself… } from "./__tessera_prev_N"`: types,
 * values and namespaces of earlier cells come through with full fidelity, a redeclaration
 * shadows the import, and positions in the user's code do not move. Earlier files never
 * change, so a cell's declarations keep the types they had when it ran.
 *
 * How it runs: the cell's own names become live accessors of the notebook's scope (see
 * transform.ts); the imports of earlier names turn into property reads of that scope when
 * the ES module output is turned into CommonJS (`require("./__tessera_prev_N")` is the
 * scope), which also gives `import … from "pkg"` Node's `require` semantics.
 */
import path from "node:path";
import type * as tsTypes from "typescript";
import { createCellHost, type CellHost } from "./host.js";
import { hasTopLevelAwait, identifierTexts, topLevelNames } from "./names.js";
import { cellTransformer } from "./transform.js";
import type { TS } from "./typescript.js";

/** A position in the cell, zero-based. */
export interface Position {
  line: number;
  character: number;
}

export interface Diagnostic {
  start: Position;
  end: Position;
  messageText: string;
  code: number;
  /** Set when the diagnostic is in a file other than the cell (relative to its folder). */
  fileName?: string;
}

export type Conversion =
  { ok: false; diagnostics: Diagnostic[] } | { ok: true; js: string; hasTopLevelAwait: boolean };

export interface Completion {
  start: number;
  end: number;
  matches: string[];
}

/** The specifier prefix that the runner's require resolves to the notebook's scope. */
export const SCOPE_MODULE = "./__tessera_prev_";

/** Diagnostics the notebook's semantics make moot (see `keep`). */
const TYPE_ONLY_IMPORT = new Set([1484, 1485]);
const ASSIGNMENT_TO_IMPORT = 2632;
/** How many unchanged cells' scripts are kept for reuse. */
const REUSABLE_CELLS = 64;

export class CellConverter {
  readonly #ts: TS;
  readonly #host: CellHost;
  readonly #cwd: string;
  readonly #cellFile: string;
  /** For each name of earlier cells, the cell whose declaration file declares it. */
  readonly #latest = new Map<string, number>();
  /** The number of the next cell that declares names; cell 0 holds the kernel's globals. */
  #next = 1;
  /** Scripts of cells that declare nothing, by code, with the `#next` they were made at. */
  readonly #reusable = new Map<string, { next: number; conversion: Conversion }>();
  /** Globals that Node's types declare or extend, once a program with them was made. */
  #nodeNames: ReadonlySet<string> | undefined;

  /**
   * @param globals names every cell sees, declared in `globalsDeclaration` (a module's
   *   top-level statements).
   */
  constructor(
    ts: TS,
    options: { cwd: string; root: string; globals: readonly string[]; globalsDeclaration: string },
  ) {
    this.#ts = ts;
    this.#cwd = options.cwd;
    this.#host = createCellHost(ts, options.cwd, options.root);
    this.#cellFile = path.join(options.cwd, "__tessera_cell.ts");
    const list = options.globals.length > 0 ? `export { ${options.globals.join(", ")} };\n` : "";
    this.#commit(0, options.globalsDeclaration + "\n" + list, options.globals);
  }

  /**
   * Checks `code`; if it type-checks, records its declarations and returns its script. A
   * cell run again unchanged, with no declarations made since, reuses its script: nothing
   * it depends on has changed.
   */
  convert(code: string): Conversion {
    return this.#reused(code) ?? this.#remember(code, this.#convert(code, true)!);
  }

  /**
   * Converts `code` against the ECMAScript library alone, without Node's types (two thirds
   * of the files of a program, whose checker each cell pays for anew; at start-up, not yet
   * parsed): for a cell that imports nothing and uses no Node or earlier cell's name, the
   * result is what `convert` returns, sooner. Undefined when the cell needs more (it names
   * a global Node's types declare or extend, or it has errors there, or another file):
   * `convert` it.
   *
   * @example
   * const conversion = converter.quickConvert("[3, 1, 2].sort()") ?? converter.convert(code);
   */
  quickConvert(code: string): Conversion | undefined {
    const reused = this.#reused(code);
    if (reused) return reused;
    const parsed = this.#parse(code);
    if (parsed.statements.some((s) => isImportOrReexport(this.#ts, s))) return undefined;
    const used = identifierTexts(this.#ts, [parsed]);
    const known = (name: string) => this.#latest.has(name) || this.#nodeNames?.has(name);
    if ([...used].some(known)) return undefined;
    const conversion = this.#convert(code, false);
    return conversion && this.#remember(code, conversion);
  }

  /** The kept script of `code`, if nothing was declared since it was made. */
  #reused(code: string): Conversion | undefined {
    const reused = this.#reusable.get(code);
    return reused?.next === this.#next ? reused.conversion : undefined;
  }

  /** Keeps the script of a cell that declares nothing for `convert` to reuse. */
  #remember(code: string, conversion: Conversion & { declares?: boolean }): Conversion {
    if (conversion.ok && conversion.declares === false) {
      if (this.#reusable.size >= REUSABLE_CELLS) this.#reusable.clear();
      this.#reusable.set(code, { next: this.#next, conversion });
    }
    return conversion;
  }

  /**
   * Without Node's types (`withNode` false) the cell is checked without the line importing
   * earlier names, and any diagnostic or any file besides the library means undefined.
   */
  #convert(code: string, withNode: boolean): (Conversion & { declares?: boolean }) | undefined {
    const ts = this.#ts;
    const parsed = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true);
    const names = topLevelNames(ts, parsed);
    const listed = [...names.all].filter((n) => !names.exported.has(n));
    const exportLine = listed.length > 0 ? `\nexport { ${listed.join(", ")} };` : "";
    // A cell that declares nothing imports only the earlier names it mentions: the others
    // cannot change its types, and checking each import was most of a trivial cell's check.
    // A cell with diagnostics is checked again importing them all, so that messages (a
    // misspelt name's "Did you mean") stay as they were.
    const mentioned = withNode && names.all.size === 0 ? identifierTexts(ts, [parsed]) : undefined;
    const service = withNode ? this.#host.service : this.#host.libService;
    const declared = withNode ? names.all : undefined;
    let checked = this.#check(service, code, declared, exportLine, mentioned);
    if (mentioned && checked.found.length > 0)
      checked = this.#check(service, code, names.all, exportLine);
    const { program, file, checker, syntactic, found } = checked;
    if (!withNode) {
      const alone = program.getSourceFiles().every((f) => f === file || this.#host.isLibrary(f));
      if (found.length > 0 || !alone) return undefined;
    }
    const diagnostics = found.flatMap((d) => this.#keep(d, code, checker, syntactic.length > 0));
    if (diagnostics.length > 0) return { ok: false, diagnostics };

    let js = "";
    program.emit(
      file,
      (name, text) => {
        if (name.endsWith(".js")) js = text;
      },
      undefined,
      false,
      { before: [cellTransformer(ts, checker, code.length)] },
    );
    // A cell that declares nothing leaves the scope as it was: no new files, so the next
    // program is the same but for the cell.
    const declares = names.all.size > 0;
    if (declares) {
      const output = service.getEmitOutput(this.#cellFile, true, true);
      const declarations = output.outputFiles.find((f) => f.name.endsWith(".d.ts"))?.text ?? "";
      this.#commit(this.#next++, declarations, [...names.all]);
    }
    const converted = { js: toCommonJs(ts, js), hasTopLevelAwait: hasTopLevelAwait(ts, parsed) };
    return { ok: true, ...converted, declares };
  }

  complete(code: string, position: number): Completion {
    this.#write(this.#host.service, code, topLevelNames(this.#ts, this.#parse(code)).all, "");
    const info = this.#host.service.getCompletionsAtPosition(this.#cellFile, position, {});
    const word = /[\w$]*$/.exec(code.slice(0, position))![0];
    const after = /^[\w$]*/.exec(code.slice(position))![0];
    return {
      start: position - word.length,
      end: position + after.length,
      matches: rank(info?.entries ?? [], word),
    };
  }

  inspect(code: string, position: number): tsTypes.QuickInfo | undefined {
    this.#write(this.#host.service, code, topLevelNames(this.#ts, this.#parse(code)).all, "");
    return this.#host.docs.getQuickInfoAtPosition(this.#cellFile, position);
  }

  #parse(code: string): tsTypes.SourceFile {
    return this.#ts.createSourceFile("cell.ts", code, this.#ts.ScriptTarget.Latest, true);
  }

  /** Writes the cell (see `#write`) and finds its syntax errors, else its type errors. */
  #check(
    service: tsTypes.LanguageService,
    code: string,
    declared: ReadonlySet<string> | undefined,
    exportLine: string,
    mentioned?: ReadonlySet<string>,
  ) {
    const program = this.#write(service, code, declared, exportLine, mentioned);
    const file = program.getSourceFile(this.#cellFile)!;
    const checker = program.getTypeChecker();
    const syntactic = program.getSyntacticDiagnostics(file);
    const found = syntactic.length > 0 ? syntactic : program.getSemanticDiagnostics(file);
    return { program, file, checker, syntactic, found };
  }

  /**
   * Writes the cell with its appended lines and returns the program that checks it.
   * `declared` undefined: no line importing earlier names; `mentioned` given: the line
   * imports only those of them (it stays, empty if need be, so that the program keeps its
   * structure and TypeScript reuses all of the last one's files).
   */
  #write(
    service: tsTypes.LanguageService,
    code: string,
    declared: ReadonlySet<string> | undefined,
    exportLine: string,
    mentioned?: ReadonlySet<string>,
  ): tsTypes.Program {
    const inherited = declared ? [...this.#latest.keys()].filter((n) => !declared.has(n)) : [];
    const imported = mentioned ? inherited.filter((n) => mentioned.has(n)) : inherited;
    const importLine =
      inherited.length > 0
        ? `\nimport { ${imported.join(", ")} } from "${SCOPE_MODULE}${this.#next}";`
        : "";
    this.#host.write(this.#cellFile, code + "\n" + importLine + exportLine, true);
    const program = service.getProgram()!;
    if (service === this.#host.service)
      this.#nodeNames ??= nodeGlobalNames(
        this.#ts,
        program.getTypeChecker(),
        program.getSourceFile(this.#cellFile)!,
        this.#host.isLibrary,
      );
    return program;
  }

  /** Records cell `n`'s declarations and the scope file the next cell imports from. */
  #commit(n: number, declarations: string, names: readonly string[]): void {
    this.#host.write(path.join(this.#cwd, `__tessera_decl_${n}.d.ts`), declarations);
    for (const name of names) this.#latest.set(name, n);
    const byCell = new Map<number, string[]>();
    for (const [name, cell] of this.#latest) byCell.set(cell, [...(byCell.get(cell) ?? []), name]);
    const lines = [...byCell].map(
      ([cell, list]) => `export { ${list.join(", ")} } from "./__tessera_decl_${cell}";\n`,
    );
    this.#host.write(
      path.join(this.#cwd, `__tessera_prev_${n + 1}.d.ts`),
      lines.join("") || "export {};\n",
    );
  }

  /**
   * The diagnostic as the user should see it, or none: type-only imports need no `type`
   * here; assigning a `let` or `var` of an earlier cell (an import, to the checker) is
   * allowed. Diagnostics in other files are dropped (lib files are not checked), as are
   * those in the appended lines, except syntax errors there, which mean the code is
   * unterminated.
   */
  #keep(
    d: tsTypes.Diagnostic,
    code: string,
    checker: tsTypes.TypeChecker,
    syntax: boolean,
  ): Diagnostic[] {
    const ts = this.#ts;
    if (d.file === undefined || d.file.fileName !== this.#cellFile || d.start === undefined)
      return [];
    if (TYPE_ONLY_IMPORT.has(d.code)) return [];
    if (!syntax && d.start >= code.length) return [];
    let message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    let codeNumber = d.code;
    if (d.code === ASSIGNMENT_TO_IMPORT) {
      const kind = earlierDeclarationKind(ts, checker, d.file, d.start);
      if (kind === "variable") return [];
      if (kind === "constant") {
        const name = code.slice(d.start, d.start + (d.length ?? 0));
        message = `Cannot assign to '${name}' because it is a constant.`;
        codeNumber = 2588;
      }
    }
    const clamp = (offset: number) => Math.min(offset, code.length);
    const at = (offset: number) => d.file!.getLineAndCharacterOfPosition(clamp(offset));
    return [
      {
        start: at(d.start),
        end: at(d.start + (d.length ?? 0)),
        messageText: message,
        code: codeNumber,
      },
    ];
  }
}

/** Whether `statement` imports or re-exports a module (which needs more than the library). */
function isImportOrReexport(ts: TS, statement: tsTypes.Statement): boolean {
  return (
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)
  );
}

/**
 * Names of the globals that files other than the ECMAScript library declare or extend
 * (Node's `process`, `console`, `Buffer`; `Array`, `String` that it extends), and of the
 * names the cell's file sees besides: a cell that names none of them has the same types
 * without those files.
 */
function nodeGlobalNames(
  ts: TS,
  checker: tsTypes.TypeChecker,
  file: tsTypes.SourceFile,
  isLibrary: (file: tsTypes.SourceFile) => boolean,
): Set<string> {
  const meanings = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace;
  const beyondLibrary = (s: tsTypes.Symbol) =>
    (s.declarations ?? []).some((d) => !isLibrary(d.getSourceFile()));
  return new Set(
    checker
      .getSymbolsInScope(file, meanings)
      .filter(beyondLibrary)
      .map((s) => s.name),
  );
}

/** Whether the name at `offset`, imported from an earlier cell, is a let/var or a const. */
function earlierDeclarationKind(
  ts: TS,
  checker: tsTypes.TypeChecker,
  file: tsTypes.SourceFile,
  offset: number,
): "variable" | "constant" | "other" {
  const token = findIdentifier(ts, file, offset);
  // In `({ x } = o)` the name is also a property; the variable is its value symbol.
  const symbol =
    token && ts.isShorthandPropertyAssignment(token.parent)
      ? checker.getShorthandAssignmentValueSymbol(token.parent)
      : token && checker.getSymbolAtLocation(token);
  if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.Alias)) return "other";
  const declaration = checker.getAliasedSymbol(symbol).valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration)) return "other";
  return ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const ? "constant" : "variable";
}

function findIdentifier(
  ts: TS,
  file: tsTypes.SourceFile,
  offset: number,
): tsTypes.Identifier | undefined {
  const visit = (node: tsTypes.Node): tsTypes.Identifier | undefined => {
    if (offset < node.getStart(file) || offset >= node.end) return undefined;
    if (ts.isIdentifier(node)) return node;
    return ts.forEachChild(node, visit);
  };
  return visit(file);
}

/**
 * Imports become require calls and uses of imported names property reads of the required
 * module, live (TypeScript's CommonJS output); the cell runs as a function body.
 */
function toCommonJs(ts: TS, js: string): string {
  // Without import or export (a cell that declares and imports nothing) the transform adds
  // only the "use strict" of a CommonJS module: a second compile saved.
  if (!/\b(?:import|export)\b/.test(js)) return `"use strict";\n${js}`;
  return ts.transpileModule(js, {
    fileName: "cell.js",
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      newLine: ts.NewLineKind.LineFeed,
    },
  }).outputText;
}

/**
 * Completion names that fit the word before the cursor: those that start with it, then
 * those that start with it ignoring case, then those that contain it; TypeScript's order
 * within each group.
 */
function rank(entries: readonly tsTypes.CompletionEntry[], word: string): string[] {
  const lower = word.toLowerCase();
  const group = (name: string): number => {
    if (name.startsWith(word)) return 0;
    const l = name.toLowerCase();
    if (l.startsWith(lower)) return 1;
    return l.includes(lower) ? 2 : -1;
  };
  return entries
    .map((e, index) => ({ name: e.name, group: group(e.name), sort: e.sortText, index }))
    .filter((e) => e.group >= 0 && !e.name.startsWith("__tessera"))
    .sort((a, b) => a.group - b.group || a.sort.localeCompare(b.sort) || a.index - b.index)
    .map((e) => e.name);
}
