/**
 * The TypeScript language service that checks cells: in-memory files (the cell, the
 * declarations each earlier cell left) over the real file system, compiler options that
 * match the running Node, and package resolution from the notebook's folder first, then
 * from Tessera's own. The service keeps every parsed file (lib, @types/node, packages)
 * between cells, so a cell costs a new program over already parsed files. It parses no
 * documentation comments of .ts files (a third of the first program's parse time, and
 * checking needs none); a second service parses them for hovers when first asked.
 */
import { isBuiltin } from "node:module";
import path from "node:path";
import type * as tsTypes from "typescript";
import type { TS } from "./typescript.js";

export interface CellHost {
  /** Checks and compiles; parses no documentation comments. */
  readonly service: tsTypes.LanguageService;
  /**
   * The same without Node's types: a program of the ECMAScript library and the cell, a
   * third of `service`'s files, so each new program (and its checker) costs less. It
   * shares `service`'s parsed files.
   */
  readonly libService: tsTypes.LanguageService;
  /** The same files with their documentation comments, for hovers (made on first use). */
  readonly docs: tsTypes.LanguageService;
  readonly options: tsTypes.CompilerOptions;
  /** Adds or replaces an in-memory file; `root` files are compiled, others only imported. */
  write(file: string, text: string, root?: boolean): void;
  /** The text of an in-memory file. */
  read(file: string): string | undefined;
  /** Whether `file` is one of TypeScript's library files. */
  isLibrary(file: tsTypes.SourceFile): boolean;
}

/**
 * `lib` for the running Node: the newest ECMAScript year whose library Node implements
 * entirely (Node 20 has ES2023's `toSorted`, not ES2024's `Object.groupBy`).
 */
export function nodeLib(major: number): string[] {
  if (major >= 22) return ["lib.es2024.d.ts"];
  return ["lib.es2023.d.ts"];
}

export function compilerOptions(ts: TS, typeRoots: string[]): tsTypes.CompilerOptions {
  return {
    // Checking and the first emit keep ES module syntax with top-level await; the runner
    // turns imports into require calls (see convert.ts).
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    target: ts.ScriptTarget.ES2022,
    lib: nodeLib(Number(process.versions.node.split(".")[0])),
    types: ["node"],
    typeRoots,
    // Imports stay as written (the converter drops type-only names itself), so an import
    // that only later cells use still runs in its own cell.
    verbatimModuleSyntax: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    allowJs: true,
    jsx: ts.JsxEmit.React,
    // tslab's checks, which notebooks were written against: not strict.
    strict: false,
    skipLibCheck: true,
    // Declarations are emitted only for cells that declare names (convert.ts asks).
    declaration: false,
    newLine: ts.NewLineKind.LineFeed,
    noEmitOnError: false,
  };
}

/**
 * @param cwd the notebook's folder: in-memory files live there, so imports resolve as
 *   from a file beside the notebook.
 * @param root Tessera's root folder, whose node_modules serve what the notebook's lack.
 */
export function createCellHost(ts: TS, cwd: string, root: string): CellHost {
  const files = new Map<string, { text: string; version: number }>();
  const roots = new Set<string>();
  const snapshots = new Map<string, tsTypes.IScriptSnapshot>();
  const options = compilerOptions(ts, typeRoots(ts, cwd, root));
  // The library's files as one (see libraryFiles): the file `lib` names holds them all, the
  // files it references are empty (a package's `/// <reference lib>` to one of them then
  // adds nothing twice; to another library, such as the DOM's, adds that one).
  const libraryDir = path.dirname(ts.getDefaultLibFilePath(options));
  const library = libraryFiles(ts, options);
  for (const file of library.files) files.set(file, { text: "", version: 1 });
  files.set(path.join(libraryDir, options.lib![0]!), { text: library.text, version: 1 });
  const resolutionCache = ts.createModuleResolutionCache(cwd, (f) => f, options);
  const fallbackFile = path.join(root, "__tessera__.ts");

  const fileExists = (f: string) => files.has(f) || ts.sys.fileExists(f);
  const readFile = (f: string) => files.get(f)?.text ?? ts.sys.readFile(f);
  const moduleHost: tsTypes.ModuleResolutionHost = {
    fileExists,
    readFile,
    directoryExists: (d) => d === cwd || ts.sys.directoryExists(d),
    getDirectories: (d) => ts.sys.getDirectories(d),
    realpath: (p) => (files.has(p) ? p : (ts.sys.realpath?.(p) ?? p)),
    getCurrentDirectory: () => cwd,
    useCaseSensitiveFileNames: true,
  };

  const resolve = (
    name: string,
    containingFile: string,
    mode: tsTypes.ResolutionMode,
  ): tsTypes.ResolvedModuleWithFailedLookupLocations => {
    // Node's modules are @types/node's ambient declarations, which the checker takes before
    // any file (as Node takes its own module before a package of that name): looking for
    // files first cost the first program ~500 lookups over node_modules folders.
    if (isBuiltin(name)) return { resolvedModule: undefined };
    const own = ts.resolveModuleName(
      name,
      containingFile,
      options,
      moduleHost,
      resolutionCache,
      undefined,
      mode,
    );
    if (own.resolvedModule || name.startsWith(".")) return own;
    // Not found from the notebook's folder: Tessera's packages and dependencies.
    return ts.resolveModuleName(
      name,
      fallbackFile,
      options,
      moduleHost,
      resolutionCache,
      undefined,
      mode,
    );
  };

  // getModuleResolutionCache is read by the service though its interface does not list it.
  const host: tsTypes.LanguageServiceHost & {
    getModuleResolutionCache(): tsTypes.ModuleResolutionCache;
  } = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...roots],
    getScriptVersion: (f) => String(files.get(f)?.version ?? 0),
    getScriptSnapshot: (f) => {
      const own = files.get(f);
      if (own) return ts.ScriptSnapshot.fromString(own.text);
      let snapshot = snapshots.get(f);
      if (snapshot === undefined) {
        const text = ts.sys.readFile(f);
        if (text === undefined) return undefined;
        snapshot = ts.ScriptSnapshot.fromString(text);
        snapshots.set(f, snapshot);
      }
      return snapshot;
    },
    getCurrentDirectory: () => cwd,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists,
    readFile,
    directoryExists: moduleHost.directoryExists!,
    getDirectories: moduleHost.getDirectories!,
    realpath: moduleHost.realpath!,
    useCaseSensitiveFileNames: () => true,
    // Shared with the resolutions below: without it each new program looks up every
    // file's package.json again (a few milliseconds a cell).
    getModuleResolutionCache: () => resolutionCache,
    resolveModuleNameLiterals: (literals, containingFile, _ref, _opts, sourceFile) =>
      literals.map((literal) =>
        resolve(
          literal.text,
          containingFile,
          ts.getModeForUsageLocation(sourceFile, literal, options),
        ),
      ),
  };
  const serviceFor = (
    mode: tsTypes.JSDocParsingMode,
    registry = ts.createDocumentRegistry(true, cwd, mode),
    settings = options,
  ) =>
    ts.createLanguageService(
      { ...host, getCompilationSettings: () => settings, jsDocParsingMode: mode },
      registry,
    );
  const checking = ts.createDocumentRegistry(true, cwd, ts.JSDocParsingMode.ParseForTypeInfo);
  const service = serviceFor(ts.JSDocParsingMode.ParseForTypeInfo, checking);
  // `types` does not change how a file parses: both services use the same parsed library.
  const libOptions = { ...options, types: [] };
  const libService = serviceFor(ts.JSDocParsingMode.ParseForTypeInfo, checking, libOptions);
  let docs: tsTypes.LanguageService | undefined;
  return {
    service,
    libService,
    get docs() {
      return (docs ??= serviceFor(ts.JSDocParsingMode.ParseAll));
    },
    options,
    write(file, text, root = false) {
      const version = (files.get(file)?.version ?? 0) + 1;
      files.set(file, { text, version });
      if (root) roots.add(file);
    },
    read: (file) => files.get(file)?.text,
    isLibrary: (file) => path.dirname(file.fileName) === libraryDir,
  };
}

/**
 * The library files `options.lib` brings in, and their text as one file: a program pays
 * for each file (per-file work when it reuses the last program's, and the checker merging
 * each file's globals), and a cell's program is made anew for every cell; one file makes
 * it ~35 % cheaper. The files come in the order a program with `options.lib` has them
 * (taken from such a program over files cut down to their `/// <reference lib>` lines),
 * so merged declarations keep their order; the text has no reference lines.
 */
export function libraryFiles(
  ts: TS,
  options: tsTypes.CompilerOptions,
): { files: string[]; text: string } {
  const texts = new Map<string, string>();
  const read = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = ts.sys.readFile(file) ?? ""));
    return text;
  };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (file, target) =>
    ts.createSourceFile(file, read(file).match(LIB_REFERENCE)?.join("\n") ?? "", target);
  const program = ts.createProgram({
    // A program over no files has no library either.
    rootNames: [path.join(ts.sys.getCurrentDirectory(), "__tessera_library_order.ts")],
    options: { ...options, types: [], noResolve: true },
    host,
  });
  const files = program
    .getSourceFiles()
    .filter((f) => program.isSourceFileDefaultLibrary(f))
    .map((f) => f.fileName);
  return { files, text: files.map((f) => read(f).replace(LIB_REFERENCE, "")).join("\n") };
}

const LIB_REFERENCE = /^\/\/\/\s*<reference\s+lib=.*$/gm;

/**
 * `@types` folders in and above the notebook's folder (as tsc looks for them), then
 * Tessera's, so that `@types/node` is found wherever the notebook is and the notebook's
 * own copy wins.
 */
function typeRoots(ts: TS, cwd: string, root: string): string[] {
  const found: string[] = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const types = path.join(dir, "node_modules", "@types");
    if (ts.sys.directoryExists(types)) found.push(types);
    if (path.dirname(dir) === dir) break;
  }
  const own = path.join(root, "node_modules", "@types");
  if (!found.includes(own)) found.push(own);
  return found;
}
