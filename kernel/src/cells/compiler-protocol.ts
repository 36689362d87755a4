/**
 * The messages between the kernel's main thread and its compiler thread (compiler-worker.ts):
 * one request per call of a `CompilerMethods` method, answered by id.
 */
import type { Completion, Conversion } from "./convert.js";
import type { Completeness } from "./is-complete.js";

/** What a hover or `name?` shows: the declaration and its documentation. */
export interface Inspection {
  text: string;
  documentation: string;
}

/** What the compiler thread does for the kernel, in the order asked. */
export interface CompilerMethods {
  /** Checks a cell and, if it type-checks, records its declarations and returns its script. */
  convert(code: string): Conversion;
  complete(code: string, position: number): Completion;
  inspect(code: string, position: number): Inspection | undefined;
  isComplete(code: string): Completeness;
}

export type CompilerMethod = keyof CompilerMethods;

export type CompilerRequest = {
  [M in CompilerMethod]: { id: number; method: M; args: Parameters<CompilerMethods[M]> };
}[CompilerMethod];

export type CompilerReply =
  | { id: number; ok: true; result: ReturnType<CompilerMethods[CompilerMethod]> }
  | { id: number; ok: false; error: string };

/** The compiler thread's `workerData`. */
export interface CompilerData {
  /** The notebook's folder: packages resolve from here first. */
  cwd: string;
  /** Tessera's root folder, the fallback for package resolution. */
  root: string;
  /** Names every cell sees, declared in `globalsDeclaration`. */
  globals: string[];
  /** TypeScript declarations of `globals`, as a module's top-level statements. */
  globalsDeclaration: string;
}
