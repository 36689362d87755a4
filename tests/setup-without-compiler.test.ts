/**
 * Setup on a machine where native builds fail (no C++ compiler, or Node's headers not to
 * be fetched): a clone of HEAD is installed with `npm ci` as scripts/setup.sh runs it, with
 * node-gyp's build made to fail (CC and CXX are `false`). hnswlib-node, a native addon only
 * a benchmark's peer and tutorial cells use, is optional: the install goes on without it,
 * the packages and the JupyterLab extension build, the kernel runs cells (an import of the
 * missing addon says how to add it) and the kernel tour notebook runs.
 *
 * It checks the committed tree (HEAD), not uncommitted changes. npm reads packages from its
 * cache first (--prefer-offline), so it takes about two minutes.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { REPO, VENV, requireFile, run, tail } from "./support.js";

const scratch = await mkdtemp(path.join(os.tmpdir(), "tessera-setup-"));
after(() => rm(scratch, { recursive: true, force: true }));

const PYTHON = path.join(VENV, "bin/python");

/** Runs a step of the setup in the clone and fails with its output if it fails. */
async function step(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string> {
  const r = await run(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    timeoutMs: options.timeoutMs ?? 300_000,
  });
  assert.equal(r.code, 0, `${what} failed (exit ${r.code ?? r.signal}):\n${tail(r.output)}`);
  return r.output;
}

test(
  "with a native build that fails, npm ci installs, and the kernel, the extension and the tutorials work",
  { timeout: 900_000 },
  async (t) => {
    requireFile(
      PYTHON,
      "run bash scripts/setup.sh (the extension's build and nbclient need .venv)",
    );
    const clone = path.join(scratch, "tessera");
    await step("git clone", "git", ["clone", "--quiet", "--shared", REPO, clone], { cwd: scratch });

    await t.test("npm ci goes on without the optional native addon", async () => {
      const output = await step(
        "npm ci",
        "npm",
        ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--foreground-scripts"],
        // No compiler: node-gyp's make fails at the first file, as it would with none.
        { cwd: clone, env: { CC: "false", CXX: "false" } },
      );
      // The failure is real: node-gyp ran hnswlib-node's build, and it failed.
      assert.match(output, /hnswlib-node@[\d.]+ install\n> node-gyp rebuild/);
      assert.match(output, /gyp ERR! not ok/);
      assert.equal(existsSync(path.join(clone, "node_modules/hnswlib-node")), false);
      assert.equal(existsSync(path.join(clone, "node_modules/zeromq")), true);
    });

    await t.test("the packages and the JupyterLab extension build", async () => {
      await step("tsc -b gpu viz kernel", "npx", ["tsc", "-b", "gpu", "viz", "kernel"], {
        cwd: clone,
      });
      // The extension's builder reads JupyterLab's core metadata from the Python that has it.
      await step("the extension's build", "npm", ["run", "build", "-w", "extension"], {
        cwd: clone,
        env: { PATH: `${path.join(VENV, "bin")}:${process.env["PATH"]}` },
      });
      const built = path.join(clone, "extension/tessera_jupyterlab/labextension/package.json");
      const meta = JSON.parse(readFileSync(built, "utf8")) as {
        jupyterlab?: { _build?: { load?: string } };
      };
      assert.match(meta.jupyterlab?._build?.load ?? "", /^static\/remoteEntry\.\w+\.js$/);
    });

    const prefix = path.join(scratch, "env");
    await step(
      "the kernelspec's install",
      "node",
      ["kernel/dist/main.js", "install", "--prefix", prefix],
      {
        cwd: clone,
      },
    );
    // The clone's kernelspec comes before the one of .venv.
    const env = { JUPYTER_PATH: path.join(prefix, "share/jupyter") };
    const notebook = async (source: string, name: string) => {
      const executed = path.join(scratch, `executed-${name}`);
      await step(
        `notebook ${name}`,
        PYTHON,
        [path.join(REPO, "tests/run_notebook.py"), source, executed, scratch],
        {
          cwd: scratch,
          env,
          timeoutMs: 240_000,
        },
      );
      return JSON.parse(readFileSync(executed, "utf8")) as Notebook;
    };

    await t.test(
      "the kernel runs cells; importing the missing addon says how to add it",
      async () => {
        const source = path.join(scratch, "without-hnswlib.ipynb");
        await writeFile(
          source,
          JSON.stringify(
            notebookOf([
              ['import { MemoryTracker } from "@tessera/gpu";\nnew MemoryTracker().liveBytes'],
              ['import hnswlib from "hnswlib-node";', ["raises-exception"]],
            ]),
          ),
        );
        const [gpu, peer] = (await notebook(source, "without-hnswlib.ipynb")).cells;
        assert.deepEqual(outputText(gpu!), ["0"]);
        const error = (peer!.outputs ?? []).find((o) => o.output_type === "error");
        assert.ok(error, "importing hnswlib-node should fail");
        const traceback = (error.traceback ?? []).join("\n");
        assert.match(traceback, /"hnswlib-node" is an optional dependency of Tessera/);
        assert.match(traceback, /`npm install hnswlib-node`/);
      },
    );

    await t.test("the kernel tour notebook runs", async () => {
      const tour = await notebook(
        path.join(clone, "notebooks/00-kernel-tour.ipynb"),
        "00-kernel-tour.ipynb",
      );
      // nbclient stops at a failing cell, so the run's success is the check; the tour shows
      // an error on purpose, in a cell tagged raises-exception, and no other.
      const errors = tour.cells
        .filter((c) => !(c.metadata?.tags ?? []).includes("raises-exception"))
        .flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error"));
      assert.deepEqual(errors, []);
    });
  },
);

interface Output {
  output_type: string;
  /** nbformat keeps text as a list of lines. */
  data?: Record<string, string | string[]>;
  traceback?: string[];
}

interface Notebook {
  /** Markdown cells have no outputs. */
  cells: { source: string | string[]; metadata?: { tags?: string[] }; outputs?: Output[] }[];
}

function notebookOf(cells: [string, string[]?][]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tessera", display_name: "TypeScript (Tessera)", language: "typescript" },
    },
    cells: cells.map(([source, tags = []], i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      metadata: { tags },
      source,
      outputs: [],
      execution_count: null,
    })),
  };
}

function outputText(cell: Notebook["cells"][number]): unknown[] {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "execute_result")
    .map((o) => [o.data?.["text/plain"] ?? ""].flat().join(""));
}
