/**
 * Starts a worker thread from an ES module, whether the sources run compiled (the `.js`
 * file exists) or as TypeScript under tsx (only the `.ts` source exists). Node 20 does not
 * hand tsx's loader hooks to workers, so a TypeScript entry starts from a one-line
 * bootstrap that registers tsx first.
 *
 * @example
 * const worker = startModuleWorker(new URL("./compiler-worker.js", import.meta.url), {
 *   workerData: { cwd },
 * });
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `url` itself if its file exists, else the .ts source of a missing .js file (tsx runs). */
export function resolveModuleUrl(url: URL): URL {
  if (url.protocol !== "file:" || existsSync(fileURLToPath(url))) return url;
  const source = new URL(url.href.replace(/\.js$/, ".ts"));
  if (existsSync(fileURLToPath(source))) return source;
  throw new Error(`worker: neither ${url.href} nor its .ts source exists.`);
}

/** A worker running the module at `url` (see the file comment for TypeScript sources). */
export function startModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  const entry = resolveModuleUrl(url);
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap =
    `import(${JSON.stringify(tsx)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
