/**
 * A new user's first notebook, written in a fresh folder outside the repository (no
 * package.json, no node_modules) and executed with nbclient as CI runs the tutorials: the
 * cells most people type first, and current TypeScript (ES2023 library, `using`).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { VENV, requireFile, run, tail, type RunResult } from "./support.js";

/** Each cell's source and the text it must print or show. */
const CELLS: { source: string; shows: string }[] = [
  { source: 'console.log("hello, world")', shows: "hello, world\n" },
  {
    source: 'import { platform } from "node:os";\nconsole.log(typeof platform());',
    shows: "string\n",
  },
  { source: "[3, 1, 2].toSorted()", shows: "[ 1, 2, 3 ]" },
  {
    source:
      "const closed: string[] = [];\n" +
      "{\n  using handle = { [Symbol.dispose]() { closed.push('handle'); } };\n}\n" +
      "closed",
    shows: "[ 'handle' ]",
  },
  {
    source:
      'import { MemoryTracker } from "@tessera/gpu";\n' +
      "const tracker: MemoryTracker = new MemoryTracker();\n" +
      'tracker.alloc(256, "x");\ntracker.peakBytes',
    shows: "256",
  },
];

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

const joined = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join("") : (s ?? ""));

let folder: string;
let result: RunResult;
let executed: { cells: { outputs: Output[] }[] };

before(async () => {
  const python = path.join(VENV, "bin", "python");
  requireFile(python, "no .venv: run bash scripts/setup.sh");
  folder = await mkdtemp(path.join(os.tmpdir(), "tessera-first-notebook-"));
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tessera", display_name: "TypeScript (Tessera)" } },
    cells: CELLS.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source: c.source,
    })),
  };
  const source = path.join(folder, "first.ipynb");
  const target = path.join(folder, "first.executed.ipynb");
  await writeFile(source, JSON.stringify(notebook));
  result = await run(python, ["tests/run_notebook.py", source, target], { timeoutMs: 240_000 });
  executed = JSON.parse(await readFile(target, "utf8")) as typeof executed;
});

after(() => rm(folder, { recursive: true, force: true }));

test("the notebook runs from top to bottom in a folder with no node_modules", () => {
  assert.equal(result.code, 0, tail(result.output));
});

for (const [i, cell] of CELLS.entries()) {
  test(`cell ${i + 1} shows ${JSON.stringify(cell.shows)}`, () => {
    const outputs = executed.cells[i]!.outputs;
    const shown = outputs.map((o) =>
      o.output_type === "stream" ? joined(o.text) : joined(o.data?.["text/plain"]),
    );
    assert.deepEqual(shown, [cell.shows], JSON.stringify(outputs));
  });
}
