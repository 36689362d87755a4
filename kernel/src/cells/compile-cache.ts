/**
 * Loads a CommonJS file (TypeScript's 9 MB compiler) through V8's code cache: the first
 * kernel compiles it and, once a cell has been checked, saves the machine code of every
 * function it ran; later kernels start from that instead of parsing and compiling again.
 * Node 22 does this for any module (module.enableCompileCache); Node 20 has no such
 * switch, so the kernel does it for the one file where it pays.
 */
import { isAscii } from "node:buffer";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire, Module } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

export interface CachedModule<T> {
  exports: T;
  /** Whether V8 took the saved code (false on a first run, or a cache from another build). */
  fromCache: boolean;
  /** Saves the code compiled so far, unless it came from the cache; never throws. */
  save(): void;
}

// Caches kept per cached file: each clone, TypeScript or Node version writes one of its own
// (~10 MB each), so the older ones are removed when a new one is saved.
const KEPT_PER_FILE = 4;

/** `$XDG_CACHE_HOME/tessera` (or `~/.cache/tessera`), where compiled code is kept. */
export function cacheFolder(): string {
  const base = process.env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
  return path.join(base, "tessera");
}

/**
 * Runs `file` as CommonJS with the cache in `folder`, keyed by the file's path, size and
 * modification time (V8 itself checks only the source's length), Node's version and its
 * options (V8 rejects code compiled under other flags, so two sets would overwrite each
 * other's cache).
 */
export function requireCached<T>(file: string, folder = cacheFolder()): CachedModule<T> {
  const source = readSource(file);
  const { size, mtimeMs } = statSync(file);
  // Options only, not their values: `-e`'s would be a script's text.
  const flags = process.execArgv.filter((a) => a.startsWith("-")).join(" ");
  const id = `${file}:${size}:${mtimeMs}:${flags}`;
  const key = `${path.basename(file)}-${hash(id)}-${process.version}-${process.arch}`;
  const cacheFile = path.join(folder, `${key}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    fromCache,
    save() {
      if (fromCache) return;
      try {
        mkdirSync(folder, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
        pruneOlder(folder, `${path.basename(file)}-`);
      } catch {
        // A read-only home: every start compiles, as without the cache.
      }
    },
  };
}

/** Removes all but the KEPT_PER_FILE newest caches whose names start with `prefix`. */
function pruneOlder(folder: string, prefix: string): void {
  const caches = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".v8cache"))
    .map((name) => ({ name, at: statSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { name } of caches.slice(KEPT_PER_FILE)) unlinkSync(path.join(folder, name));
}

/**
 * The text of a source file. TypeScript's 9 MB compiler is ASCII: read as Latin-1, it
 * skips UTF-8 decoding (a third of the read: ~35 ms of the kernel's start-up).
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** A short stable hash (FNV-1a) of a string. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
