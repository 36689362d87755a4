/*
 * faiss-cpu's HNSW as CAGRA's peer (bench/cagra.bench.ts, notebooks/03-cagra-paper.ipynb).
 * faiss-cpu is a Python package, so it runs in a Python child process
 * (kernel/python/faiss_hnsw.py) that reads the vectors as .fbin files and answers in JSON.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { datasets, type Matrix } from "@tessera/gpu";

const run = promisify(execFile);
// This file is kernel/src/api/peers/ (tsx) or kernel/dist/api/peers/ (built).
const KERNEL_DIR = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = path.join(KERNEL_DIR, "python", "faiss_hnsw.py");

/** The Python that runs faiss, or why there is none. */
export type FaissPython = { python: string } | { missing: string };

/**
 * The Python with faiss-cpu: $TESSERA_PYTHON, else the clone's .venv (which
 * `scripts/setup.sh --test` fills from requirements-test.txt).
 */
export async function findFaissPython(): Promise<FaissPython> {
  const python =
    process.env.TESSERA_PYTHON ?? path.join(KERNEL_DIR, "..", ".venv", "bin", "python");
  if (!existsSync(python)) {
    return { missing: `no Python at ${python} (set TESSERA_PYTHON to one with faiss-cpu).` };
  }
  try {
    await run(python, ["-c", "import faiss"], { timeout: 60_000 });
    return { python };
  } catch {
    return {
      missing:
        `${python} has no faiss-cpu: install it with ${python} -m pip install faiss-cpu ` +
        "(bash scripts/setup.sh --test installs it with the other test requirements).",
    };
  }
}

export interface FaissHnswOptions {
  k: number;
  /** OpenMP threads for the build and the batched search. */
  threads: number;
  /** Each search is the best of this many passes. */
  repeats: number;
  efConstruction: number;
  /** One index per M. */
  m: readonly number[];
  ef: readonly number[];
  /** Thread counts every search is repeated at (the build uses `threads`); default [threads]. */
  searchThreads?: readonly number[];
  /**
   * "flat" (default): IndexHNSWFlat, f32 vectors. "sq8": IndexHNSWSQ, 8-bit codes, exact
   * (QT_8bit_direct) when every value is an integer in [0, 255], else per dimension (QT_8bit).
   */
  storage?: "flat" | "sq8";
}

export interface FaissRun {
  M: number;
  buildS: number;
  /**
   * Per thread count and ef: the best seconds for the whole batch, every pass's seconds, and
   * ids [queries, k] closest first.
   */
  searches: { ef: number; threads: number; searchS: number; repeatS: number[]; ids: Uint32Array }[];
}

/**
 * Builds faiss's IndexHNSWFlat over `data` for each M and searches `queries` as one batch for
 * each ef, in `python` (from findFaissPython()).
 *
 * @example
 * const found = await findFaissPython();
 * if ("python" in found) await runFaissHnsw(found.python, base, queries, { k: 10, threads: 1, repeats: 1, efConstruction: 200, m: [16], ef: [16, 64] });
 */
export async function runFaissHnsw(
  python: string,
  data: Matrix,
  queries: Matrix,
  options: FaissHnswOptions,
): Promise<{ version: string; quantizer: string; runs: FaissRun[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tessera-faiss-"));
  try {
    await writeFile(path.join(dir, "base.fbin"), datasets.encodeBin(data, "f32"));
    await writeFile(path.join(dir, "queries.fbin"), datasets.encodeBin(queries, "f32"));
    const { k, threads, repeats, efConstruction, m, ef } = options;
    const { searchThreads = [threads], storage = "flat" } = options;
    const { stdout } = await run(
      python,
      [
        SCRIPT,
        ...["--dataset", path.join(dir, "base.fbin"), "--queries", path.join(dir, "queries.fbin")],
        ...["--k", String(k), "--threads", String(threads), "--repeats", String(repeats)],
        ...["--ef-construction", String(efConstruction), "--m", ...m.map(String)],
        ...["--ef", ...ef.map(String)],
        ...["--search-threads", ...searchThreads.map(String)],
        ...["--storage", storage],
      ],
      { encoding: "utf8", maxBuffer: 1 << 30 },
    );
    const result = JSON.parse(stdout) as {
      version: string;
      quantizer: string;
      runs: {
        M: number;
        build_s: number;
        searches: {
          ef: number;
          threads: number;
          search_s: number;
          repeat_s: number[];
          ids: number[][];
        }[];
      }[];
    };
    return {
      version: result.version,
      quantizer: result.quantizer,
      runs: result.runs.map((r) => ({
        M: r.M,
        buildS: r.build_s,
        searches: r.searches.map((s) => ({
          ef: s.ef,
          threads: s.threads,
          searchS: s.search_s,
          repeatS: s.repeat_s,
          ids: Uint32Array.from(s.ids.flat()),
        })),
      })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
