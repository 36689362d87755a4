/*
 * hnswlib-node built with the vector instructions faiss-cpu runs with. The npm package's addon
 * is compiled without -mavx, so hnswlib's distance functions (hnswlib/space_l2.h, chosen by
 * __AVX__ / __AVX512F__ at compile time) run SSE code, while faiss-cpu loads its AVX2 or
 * AVX-512 build: a skewed comparison. This compiles the same sources (a copy of the installed
 * package) with node-gyp and the matching -m flags, once, into bench/peers/node_modules
 * (ignored by git), and loads that addon. Offline this needs a C++ compiler and Node's headers
 * (/usr/include/node, or node-gyp's cache); without them the stock addon is used and the
 * reason is reported.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadHnswlib, type HnswlibModule } from "../../kernel/src/api/peers/index.ts";
import { cpuFlags } from "../machine.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** The hnswlib-node the benchmark measures, and how it was compiled. */
export interface HnswlibPeer {
  readonly module: HnswlibModule;
  /** The -m flags it was compiled with ("" for the stock addon). */
  readonly simdFlags: string;
  /** Why the stock addon is used, when it is. */
  readonly note?: string;
}

/** -m flags for faiss's loaded SIMD level (faiss.get_compile_options()) that this CPU has. */
export function simdFlagsFor(faissOptions: string, cpuFlags: ReadonlySet<string>): string {
  const avx512 = ["avx512f", "avx512dq", "avx512bw", "avx512vl"];
  if (/AVX512/.test(faissOptions) && avx512.every((f) => cpuFlags.has(f))) {
    return "-mavx2 -mfma -mavx512f -mavx512dq -mavx512bw -mavx512vl";
  }
  if (/AVX2/.test(faissOptions) && cpuFlags.has("avx2") && cpuFlags.has("fma")) {
    return "-mavx2 -mfma";
  }
  return "";
}

function nodeGyp(): string {
  const npmRoot = execFileSync("npm", ["root", "-g"], { encoding: "utf8" }).trim();
  const script = path.join(npmRoot, "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  if (!existsSync(script)) throw new Error(`node-gyp not found at ${script}`);
  return script;
}

/** Compiles (once) and loads hnswlib-node with `flags`; throws when it cannot be built. */
function compiled(flags: string): HnswlibModule {
  const tag = flags.replace(/-m/g, "").replace(/\s+/g, "-");
  const dir = path.join(ROOT, "bench/peers/node_modules", `.hnswlib-node-${tag}`);
  const addon = path.join(dir, "build/Release/addon.node");
  if (!existsSync(addon)) {
    const source = path.dirname(require.resolve("hnswlib-node/package.json"));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const item of ["src", "binding.gyp", "package.json"]) {
      cpSync(path.join(source, item), path.join(dir, item), { recursive: true });
    }
    // binding.gyp asks node-addon-api for its headers from the build folder.
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const headers = existsSync("/usr/include/node/node.h") ? ["--nodedir=/usr"] : [];
    console.error(`# compiling hnswlib-node with ${flags} (once, about 30 s)`);
    execFileSync(process.execPath, [nodeGyp(), "rebuild", ...headers], {
      cwd: dir,
      env: { ...process.env, CXXFLAGS: `-O3 ${flags}` },
      stdio: ["ignore", "ignore", "pipe"],
    });
  }
  return require(addon) as HnswlibModule;
}

/**
 * hnswlib-node compiled for faiss's SIMD level (`faissOptions`, from
 * faiss.get_compile_options()), or the stock addon with a note saying why not; undefined when
 * hnswlib-node is not installed at all.
 *
 * @example
 * const peer = await loadHnswlibPeer("OPTIMIZE AVX2");
 * peer?.simdFlags; // "-mavx2 -mfma" on an AVX2 machine
 */
export async function loadHnswlibPeer(faissOptions: string): Promise<HnswlibPeer | undefined> {
  const stock = await loadHnswlib();
  if (stock === undefined) return undefined;
  const flags = simdFlagsFor(faissOptions, cpuFlags());
  if (flags === "") {
    return { module: stock, simdFlags: "", note: `faiss runs without AVX2 here (${faissOptions})` };
  }
  try {
    return { module: compiled(flags), simdFlags: flags };
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { module: stock, simdFlags: "", note: `could not compile hnswlib-node: ${why}` };
  }
}
