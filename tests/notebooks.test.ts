/**
 * Every notebook in notebooks/ runs from top to bottom in the Tessera kernel, as a reader
 * or CI runs it (nbclient through tests/run_notebook.py); the executed copies are kept in
 * tests/artifacts/. Notebooks listed in CHECKS also have their outputs checked.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { MIME_MEMORY_TIMELINE, validateMemoryTimeline } from "@tessera/viz";
import { ARTIFACTS, REPO, VENV, requireFile, run, tail, type RunResult } from "./support.js";

const NOTEBOOKS = path.join(REPO, "notebooks");

interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[] };
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
}

/** nbformat stores multi-line strings as lists of lines. */
const joined = (s: string | string[] | unknown): string =>
  Array.isArray(s) ? s.join("") : String(s);

/** The one code cell whose source contains `needle`. */
function cell(nb: Notebook, needle: string): Cell {
  const hits = nb.cells.filter((c) => c.cell_type === "code" && joined(c.source).includes(needle));
  assert.equal(
    hits.length,
    1,
    `expected one code cell containing ${JSON.stringify(needle)}, found ${hits.length}`,
  );
  return hits[0]!;
}

function outputs(c: Cell, type?: Output["output_type"]): Output[] {
  return (c.outputs ?? []).filter((o) => type === undefined || o.output_type === type);
}

/** The text/plain results of a cell (its execute_result). */
function results(c: Cell): string[] {
  return outputs(c, "execute_result").map((o) => joined(o.data?.["text/plain"]));
}

/** Output checks per notebook, each given the executed notebook. */
const CHECKS: Record<string, (nb: () => Notebook) => void> = {
  "00-kernel-tour.ipynb"(nb) {
    test("a cell's last expression is its result", () => {
      assert.deepEqual(results(cell(nb(), "6 * 7")), ["42"]);
      assert.deepEqual(results(cell(nb(), "firstPrimes.reduce")), ["129"]);
    });

    test("console.log and display(bundle, { raw: true }) show as they are, nothing more", () => {
      const c = cell(nb(), 'console.log("console.log writes');
      assert.deepEqual(
        outputs(c).map((o) => o.output_type),
        ["stream", "display_data"],
        "display() returned a handle that showed as the cell's result",
      );
      assert.match(joined(outputs(c, "stream")[0]!.text), /console\.log writes/);
      const data = outputs(c, "display_data")[0]!.data!;
      assert.equal(joined(data["text/html"]), "<b>Bold</b> and <i>italic</i>, as HTML");
      assert.equal(joined(data["text/plain"]), "Bold and italic, as text");
    });

    test("handle.update replaces the output in place", () => {
      const shown = outputs(cell(nb(), "status.update"));
      assert.deepEqual(
        shown.map((o) => [o.output_type, joined(o.data?.["text/plain"])]),
        [["display_data", "'done'"]],
      );
    });

    test("a progress bar is one output, updated to 100%", () => {
      const c = cell(nb(), "progress(");
      const bars = outputs(c, "display_data");
      assert.equal(bars.length, 1, "the bar should be updated in place, not appended");
      const html = joined(bars[0]!.data?.["text/html"]);
      assert.match(html, /<progress value="40" max="40">/);
      assert.match(html, /100%/);
      assert.deepEqual(results(c), ["780"]);
    });

    test("an ES-module-only package imports (d3-array)", () => {
      assert.deepEqual(results(cell(nb(), 'from "d3-array"')), ["3"]);
    });

    test("an expected error is one error output, and the kernel goes on", () => {
      const failing = nb().cells.filter((c) => c.metadata.tags?.includes("raises-exception"));
      assert.equal(failing.length, 1);
      const shown = outputs(failing[0]!);
      assert.deepEqual(
        shown.map((o) => [o.output_type, o.ename]),
        [["error", "RangeError"]],
      );
      assert.deepEqual(results(cell(nb(), 'parseBudget("1048576")')), ["1048576"]);
    });

    test("memoryTimeline(tracker) shows the timeline, its SVG fallback and text", () => {
      const c = cell(nb(), "memoryTimeline(mem)");
      assert.notEqual(outputs(c).length, 0, "the cell did not run (an earlier cell failed)");
      assert.deepEqual(outputs(c, "error"), [], "the cell failed");
      assert.match(joined(outputs(c, "stream")[0]?.text), /peak: 144 MiB, still live: out/);
      const shown = outputs(c, "execute_result");
      assert.equal(shown.length, 1);
      const data = shown[0]!.data!;
      const payload = validateMemoryTimeline(data[MIME_MEMORY_TIMELINE]);
      assert.ok(payload.ok, payload.ok ? "" : payload.errors.join("\n"));
      // 7 allocations, 6 of them freed, in the tracker's order.
      assert.equal(payload.value.events.length, 13);
      assert.deepEqual(
        payload.value.events.filter((e) => e.kind === "alloc").map((e) => e.label),
        ["x", "q", "k", "v", "scores", "probs", "out"],
      );
      const svg = joined(data["image/svg+xml"]);
      assert.match(svg, /^<svg[\s>]/);
      assert.match(svg, /peak 144 MiB/);
      assert.match(joined(data["text/plain"]), /144 MiB/);
    });
  },
};

const python = path.join(VENV, "bin", "python");
for (const name of readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb"))
  .sort()) {
  describe(`notebooks/${name}`, { timeout: 600_000 }, () => {
    const executed = path.join(ARTIFACTS, name);
    let result: RunResult;
    before(async () => {
      requireFile(python, "no .venv: run bash scripts/setup.sh");
      result = await run(python, ["tests/run_notebook.py", path.join(NOTEBOOKS, name), executed], {
        timeoutMs: 540_000,
      });
    });
    const notebook = (): Notebook => JSON.parse(readFileSync(executed, "utf8")) as Notebook;

    test("runs from top to bottom without an unexpected error", () => {
      assert.equal(result.code, 0, tail(result.output));
    });
    CHECKS[name]?.(notebook);
  });
}
