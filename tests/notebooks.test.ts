/**
 * Every notebook in notebooks/ runs from top to bottom in the Tessera kernel, as a reader
 * or CI runs it (nbclient through tests/run_notebook.py); the executed copies are kept in
 * tests/artifacts/. Notebooks listed in CHECKS also have their outputs checked.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";
import {
  decodeProximityGraph,
  MIME_CHUNK_PLAN,
  MIME_MEMORY_TIMELINE_V2,
  MIME_PLOTLY,
  MIME_PROXIMITY_GRAPH,
  memoryEventsOf,
  validateChunkPlan,
  validateMemoryTimelineV2,
  validatePlotly,
  validateProximityGraph,
} from "@tessera/viz";
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

/** What a cell printed (console.log, console.error), failing if it printed nothing. */
function printed(c: Cell): string {
  const text = outputs(c, "stream")
    .map((o) => joined(o.text))
    .join("");
  assert.notEqual(text, "", "the cell printed nothing (an earlier cell failed?)");
  return text;
}

/** The numbers captured by `pattern`'s groups in `text`. */
function numbers(text: string, pattern: RegExp): number[] {
  const m = pattern.exec(text);
  assert.ok(m, `${pattern} not found in:\n${text}`);
  return m.slice(1).map(Number);
}

/** Error outputs of cells not tagged raises-exception, as "cell n: name: message". */
function unexpectedErrors(nb: Notebook): string[] {
  return nb.cells.flatMap((c, n) =>
    c.metadata.tags?.includes("raises-exception")
      ? []
      : outputs(c, "error").map((o) => `cell ${n}: ${o.ename}: ${JSON.stringify(o)}`),
  );
}

/** The rows of a Markdown table shown with display() (its text/plain), header excluded. */
function tableRows(c: Cell): string[][] {
  const shown = outputs(c, "display_data").filter((o) => o.data?.["text/markdown"] !== undefined);
  assert.equal(shown.length, 1, "expected one table");
  const lines = joined(shown[0]!.data?.["text/plain"]).trim().split("\n");
  return lines.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim()),
  );
}

/** The bundle of the one result a cell shows; the cell must not have failed. */
function shownData(c: Cell): Record<string, unknown> {
  assert.deepEqual(outputs(c, "error"), [], "the cell failed");
  const shown = outputs(c, "execute_result");
  assert.equal(shown.length, 1, "the cell showed no result (an earlier cell failed?)");
  return shown[0]!.data!;
}

/** The memory timeline a cell shows as its result, validated against the MIME contract. */
function shownTimeline(c: Cell) {
  const data = shownData(c);
  const payload = shownPayload(data);
  assert.match(joined(data["image/svg+xml"]), /^<svg[\s>]/);
  let live = 0;
  let peak = 0;
  for (const e of payload.events) {
    live += e.kind === "alloc" ? e.bytes : -e.bytes;
    peak = Math.max(peak, live);
  }
  return { payload, peak, text: joined(data["text/plain"]) };
}

/** A shown v2 timeline, validated, with its first run's events as objects. */
function shownPayload(data: Record<string, unknown>) {
  const payload = validateMemoryTimelineV2(data[MIME_MEMORY_TIMELINE_V2]);
  assert.ok(payload.ok, payload.ok ? "" : payload.errors.join("\n"));
  return { ...payload.value, events: memoryEventsOf(payload.value.runs[0]!.events) };
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
      const payload = shownPayload(data);
      // 7 allocations, 6 of them freed, in the tracker's order.
      assert.equal(payload.events.length, 13);
      assert.deepEqual(
        payload.events.filter((e) => e.kind === "alloc").map((e) => e.label),
        ["x", "q", "k", "v", "scores", "probs", "out"],
      );
      const svg = joined(data["image/svg+xml"]);
      assert.match(svg, /^<svg[\s>]/);
      assert.match(svg, /peak 144 MiB/);
      assert.match(joined(data["text/plain"]), /144 MiB/);
    });
  },

  "01-cagra-vector-search.ipynb"(nb) {
    test("no cell fails", () => {
      assert.deepEqual(unexpectedErrors(nb()), []);
    });

    test("the backend is WebGPU, or the CPU with a one-line notice", () => {
      const c = cell(nb(), "await selectBackend()");
      const [kind] = results(c);
      assert.ok(kind === "'cpu'" || kind === "'webgpu'", `backend ${kind}`);
      if (kind === "'cpu'") {
        assert.equal(printed(c), "Tessera: no WebGPU adapter found; using the CPU backend.\n");
      }
    });

    test("the build shows one progress bar per stage, each finished", () => {
      const c = cell(nb(), "cagra.build(");
      const bars = outputs(c, "display_data").map((o) => joined(o.data?.["text/html"]));
      assert.equal(bars.length, 2, "a bar for the kNN graph and one for the optimization");
      for (const bar of bars) assert.match(bar, /<progress value="(\d+)" max="\1">.*100%/);
      assert.match(bars[1]!, /optimize/);
      assert.match(results(c)[0] ?? "", /graph: 19000 nodes × 32 edges, built in [\d.]+ s/);
    });

    test("search returns [queries, k] neighbours and the plan it ran", () => {
      const [shown] = results(cell(nb(), "const result = await cagra.search"));
      assert.match(shown ?? "", /shape: \[ 1000, 10 \]/);
      assert.match(shown ?? "", /itopkSize: 64/);
    });

    test("recall@10 with default search parameters is at least 0.9", () => {
      const [recall] = numbers(
        printed(cell(nb(), "recall(result, truth)")),
        /recall@10 = ([\d.]+)/,
      );
      assert.ok(recall! >= 0.9, `recall@10 ${recall}`);
    });

    test("the itopkSize sweep: a longer list finds more, up to recall 0.99", () => {
      const rows = tableRows(cell(nb(), "for (const itopkSize of"));
      assert.deepEqual(
        rows.map((r) => Number(r[0])),
        [32, 64, 128, 256],
      );
      const recalls = rows.map((r) => Number(r[1]));
      const qps = rows.map((r) => Number(r[2]));
      assert.ok(recalls[3]! >= 0.99 && recalls[3]! >= recalls[0]!, `recalls ${recalls}`);
      assert.ok(
        qps.every((q) => q > 0),
        `QPS ${qps}`,
      );
    });

    test("graph quality: CAGRA's graph is one component with no unreachable node, unlike kNN", () => {
      const [knn, graph] = tableRows(cell(nb(), "cagra.twoHopReach"));
      const [, , knnUnreached, knnComponents, , knnReach] = knn!;
      const [, , unreached, components, largest, reach] = graph!;
      assert.deepEqual([unreached, components, largest], ["0", "1", "19000"]);
      assert.ok(Number(knnUnreached) > 0 && Number(knnComponents) > 1, `kNN row ${knn}`);
      assert.ok(Number(reach) > Number(knnReach), `2-hop reach ${reach} vs kNN ${knnReach}`);
    });

    test("a filtered search returns only rows the filter keeps, at recall ≥ 0.9", () => {
      const text = printed(cell(nb(), "cagra.bitsetFilter"));
      assert.match(text, /every result in category 0: true/);
      const [recall] = numbers(text, /filtered recall@10 = ([\d.]+)/);
      assert.ok(recall! >= 0.9, `filtered recall@10 ${recall}`);
    });

    test("an index saved in cuVS's format loads and searches the same", () => {
      const text = printed(cell(nb(), "saveCagraIndex(cagraFile"));
      assert.match(text, /MiB written; the loaded index returns the same neighbours: true/);
    });

    test("hnswlib-node searches the hnswlib export", () => {
      const text = printed(cell(nb(), "saveHnswlibIndex(hnswFile"));
      const [recall] = numbers(text, /ef 256: recall@10 = ([\d.]+)/);
      assert.ok(recall! >= 0.95, `hnswlib recall@10 ${recall}`);
    });

    test("the recall–QPS chart is a plotly figure of the sweep, with hnswlib when it is installed", () => {
      const c = cell(nb(), "recallQpsFigure(series");
      const [shown] = outputs(c, "execute_result");
      assert.ok(shown, "the cell showed no chart");
      const figure = validatePlotly(shown.data![MIME_PLOTLY]);
      assert.ok(figure.ok, figure.ok ? "" : figure.errors.join("\n"));
      const [cagraLine, hnswLine] = figure.value.data;
      assert.deepEqual(
        cagraLine!.text,
        [32, 64, 128, 256].map((i) => `itopkSize ${i}`),
      );
      assert.ok((cagraLine!.x as number[]).every((r) => r > 0.9 && r <= 1));
      if (hnswLine) assert.deepEqual(hnswLine.text, ["ef 16", "ef 32", "ef 64", "ef 128"]);
      assert.match(joined(shown.data!["image/svg+xml"]), /^<svg[\s>]/);
    });

    test("the explorer shows both graphs of all 19,000 vectors, their edges and three traces", () => {
      const c = cell(nb(), "await proximityGraph(index");
      const [shown] = outputs(c, "execute_result");
      assert.ok(shown, "the cell showed no explorer");
      const checked = validateProximityGraph(shown.data![MIME_PROXIMITY_GRAPH]);
      assert.ok(checked.ok, checked.ok ? "" : checked.errors.join("\n"));
      const data = decodeProximityGraph(checked.value);
      assert.equal(data.nodes, 19000);
      const [cagraGraph, knnGraph] = data.graphs;
      assert.equal(cagraGraph!.componentCount, 1);
      assert.ok(knnGraph!.componentCount > 1);
      assert.equal(cagraGraph!.edges!.length, 19000 * 32);
      assert.deepEqual(
        data.traces.map((t) => t.label),
        ["query 0", "query 1", "query 2"],
      );
      for (const t of data.traces) assert.ok(t.steps.length > 1 && t.hits.length === 10);
      assert.ok(checked.value.live, "the explorer is live (neighbourhoods through the comm)");
      assert.match(joined(shown.data!["image/svg+xml"]), /^<svg[\s>]/);
    });

    test("in-degree histograms and build times are charts", () => {
      const c = cell(nb(), "inDegreeBins(");
      const charts = outputs(c).filter((o) => o.data?.[MIME_PLOTLY]);
      assert.equal(charts.length, 2);
      const [hist, build] = charts.map(
        (o) => o.data![MIME_PLOTLY] as { data: { name: string; y: number[]; x: string[] }[] },
      );
      assert.equal(hist!.data.length, 2);
      for (const series of hist!.data)
        assert.equal(
          series.y.reduce((a, b) => a + b, 0),
          19000,
        );
      assert.deepEqual(build!.data[0]!.x.slice(0, 2), ["CAGRA: knn", "CAGRA: optimize"]);
    });
  },

  "02-autochunk.ipynb"(nb) {
    const MiB = 2 ** 20;
    /** The budget of the plan, in MiB as the notebook prints it. */
    const planned = () =>
      numbers(
        printed(cell(nb(), "autochunk.autochunk(")),
        /^# autochunk: budget ([\d.]+) MiB; predicted peak ([\d.]+) MiB → ([\d.]+) MiB/,
      );

    test("no cell fails", () => {
      assert.deepEqual(unexpectedErrors(nb()), []);
    });

    test("the model builds: a GPT prefill over 512 tokens", () => {
      const [shown] = results(cell(nb(), "autochunk.gptPrefill(config)"));
      assert.match(shown ?? "", /^'(cpu|webgpu): a \d+-node graph, input \[1,512\]'$/);
    });

    test("the estimated peak is at the attention scores", () => {
      const text = printed(cell(nb(), "autochunk.estimateMemory"));
      assert.match(text, /predicted peak [\d.]+ MiB at node \d+ of \d+:/);
      assert.match(text, /: f32\[1,4,512,512\] "h0\.attn\./);
    });

    test("the plan fits 0.3 × the peak and prints the chunked program", () => {
      const [peak] = numbers(
        printed(cell(nb(), "autochunk.estimateMemory")),
        /predicted peak ([\d.]+) MiB/,
      );
      const [budget, before, after] = planned();
      assert.equal(before, peak);
      assert.ok(Math.abs(budget! - 0.3 * peak!) <= 0.01, `budget ${budget} MiB, peak ${peak} MiB`);
      assert.ok(after! <= budget!, `planned peak ${after} MiB over the budget ${budget} MiB`);
      const program = printed(cell(nb(), "autochunk.autochunk("));
      assert.match(program, /^# chunk\d+: "h0\.attn\.matmul"/m, "the attention is chunked");
      assert.match(program, /^def chunked\(input_ids: i32\[1,512\]\):/m);
      assert.match(program, /^ {2}for i in range\(0, 512, \d+\):/m);
    });

    test("the chunked outputs match the unchunked ones; the measured peak fits the budget", () => {
      const text = printed(cell(nb(), "await run(plan.chunked)"));
      const [difference] = numbers(text, /largest difference ([\d.e+-]+)/);
      assert.ok(difference! <= 1e-4, `outputs differ by ${difference}`);
      const [plain, chunked, budget] = numbers(
        text,
        /measured peak: unchunked ([\d.]+) MiB, chunked ([\d.]+) MiB \(budget ([\d.]+) MiB\)/,
      );
      assert.equal(plain, planned()[1], "the measured peak is the predicted one");
      assert.ok(chunked! <= budget!, `chunked peak ${chunked} MiB, budget ${budget} MiB`);
    });

    test("memoryTimeline shows both runs: the unchunked one over the budget, the chunked under", () => {
      const plain = shownTimeline(cell(nb(), "memoryTimeline(plain.memory"));
      const chunked = shownTimeline(cell(nb(), "memoryTimeline(chunked.memory"));
      const budget = plain.payload.budgetBytes!;
      assert.equal(chunked.payload.budgetBytes, budget);
      assert.ok(Math.abs(budget / MiB - planned()[0]!) <= 0.005, `budget line ${budget} B`);
      assert.ok(plain.peak > budget, `unchunked peak ${plain.peak} B`);
      assert.ok(chunked.peak <= budget, `chunked peak ${chunked.peak} B over ${budget} B`);
      assert.ok(chunked.payload.events.length > plain.payload.events.length, "the loops' events");
      assert.match(plain.text, /^GPT prefill, unchunked: memory timeline of \d+ events/);
      assert.match(chunked.text, /^GPT prefill, chunked by AutoChunk: memory timeline/);
    });

    test("the reduction and the measured and predicted time ratios are reported", () => {
      const text = printed(cell(nb(), "seconds[name]"));
      const [reduction] = numbers(text, /peak memory −(\d+) %/);
      assert.ok(reduction! >= 60, `reduction ${reduction} %`);
      const ratios = numbers(text, /time ×([\d.]+) measured .* ×([\d.]+) predicted/);
      assert.ok(
        ratios.every((r) => r > 0),
        `ratios ${ratios}`,
      );
    });

    test("chunking fits a longer prompt into the same budget", () => {
      const text = printed(cell(nb(), "maxSequenceLength"));
      const [plain, chunked] = numbers(text, /(\d+) tokens unchunked, (\d+) chunked/);
      assert.ok(plain! >= 512 && plain! % 64 === 0, `unchunked ${plain}`);
      assert.ok(chunked! >= 2 * plain! && chunked! % 64 === 0, `chunked ${chunked}`);
    });

    test("chunkPlanView shows the plan widget (live), its SVG and text", () => {
      const c = cell(nb(), 'chunkPlanView(plan, { title: "GPT prefill, 2 layers');
      const data = shownData(c);
      const checked = validateChunkPlan(data[MIME_CHUNK_PLAN]);
      assert.ok(checked.ok, checked.ok ? "" : checked.errors.join("\n"));
      const plan = checked.value;
      assert.ok(
        Math.abs(plan.budgetBytes / MiB - planned()[0]!) <= 0.005,
        `budget ${plan.budgetBytes}`,
      );
      assert.ok(plan.peakBytes.after <= plan.budgetBytes, "the plan fits its budget");
      assert.ok(plan.regions.length >= 1 && plan.live !== undefined);
      assert.ok(plan.minimumBytes! <= plan.peakBytes.after);
      assert.match(
        joined(data["image/svg+xml"]),
        /^<svg xmlns=.*GPT prefill, 2 layers, 512 tokens/s,
      );
      assert.match(
        joined(data["text/plain"]),
        /^AutoChunk plan: predicted peak .* region\(s\)\n {2}chunk0: /,
      );
    });

    test("the plan with its runs: both timelines linked in the widget and drawn in its SVG", () => {
      const c = cell(nb(), "timelines: { unchunked: plain.memory");
      const data = shownData(c);
      const checked = validateChunkPlan(data[MIME_CHUNK_PLAN]);
      assert.ok(checked.ok, checked.ok ? "" : checked.errors.join("\n"));
      const timelines = checked.value.timelines!;
      assert.deepEqual(
        timelines.runs.map((r) => r.name),
        ["unchunked", "chunked"],
      );
      assert.equal(timelines.budgetBytes, checked.value.budgetBytes);
      // The runs name the plan's nodes, so the widget can link them.
      const names = new Set(checked.value.nodes.name);
      assert.ok(timelines.runs[1]!.events.strings.some((s) => names.has(s)));
      assert.match(joined(data["image/svg+xml"]), /: unchunked<[^]*: chunked</);
    });

    test("nbconvert's HTML shows the plan and the memory timelines as SVG images", async () => {
      const out = await mkdtemp(path.join(os.tmpdir(), "tessera-nbconvert-"));
      try {
        const executed = path.join(ARTIFACTS, "02-autochunk.ipynb");
        const jupyter = path.join(VENV, "bin", "jupyter");
        const r = await run(jupyter, ["nbconvert", "--to", "html", "--output-dir", out, executed], {
          timeoutMs: 180_000,
        });
        assert.equal(r.code, 0, tail(r.output));
        const html = readFileSync(path.join(out, "02-autochunk.html"), "utf8");
        // nbconvert's lab template shows each image/svg+xml output as an <img> of a base64 data URI.
        const svgs = [...html.matchAll(/src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/g)].map(
          (m) => Buffer.from(m[1]!, "base64").toString("utf8"),
        );
        assert.ok(
          svgs.every((svg) => svg.startsWith("<svg ")),
          "each image is an SVG document",
        );
        const titled = (title: string) =>
          svgs.filter((svg) => svg.slice(0, 6000).includes(title)).length;
        assert.equal(titled("GPT prefill, 2 layers, 512 tokens"), 1, "the plan's SVG");
        assert.equal(titled("GPT prefill: the plan and its runs"), 1, "the plan with its runs");
        assert.equal(titled("GPT prefill, unchunked"), 1, "the unchunked timeline");
        assert.equal(titled("GPT prefill, chunked by AutoChunk"), 1, "the chunked timeline");
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    });
  },

  "03-cagra-paper.ipynb"(nb) {
    test("no cell fails", () => {
      assert.deepEqual(unexpectedErrors(nb()), []);
    });

    test("provenance at the top: version, commit, backend, versions, CPU and seeds", () => {
      assertProvenance(cell(nb(), "provenance(backend, SEEDS)"), /mixture 7, holdOut 1, build 0/);
    });

    test("(a) one recall–QPS chart per dataset; CAGRA's recall rises with itopkSize", () => {
      const charts = plotlyFigures(cell(nb(), "recallQpsFigure(searchRuns"));
      assert.equal(charts.length, 2, "SIFT-5k and the Gaussian mixture");
      const gains = charts.map((chart) => {
        const cagraLine = chart.data[0]!;
        assert.deepEqual(
          cagraLine.text,
          [32, 64, 128, 256].map((i) => `itopkSize ${i}`),
        );
        const recalls = cagraLine.x as number[];
        for (let i = 1; i < recalls.length; i++) {
          assert.ok(
            recalls[i]! >= recalls[i - 1]! - 0.002,
            `recall falls with itopkSize: ${recalls}`,
          );
        }
        assert.ok(recalls[3]! >= 0.95, `recalls ${recalls}`);
        // The peers, when installed here (they are in CI): hnswlib-node and faiss-cpu.
        assert.deepEqual(
          chart.data.map((t) => String(t.name).split(" ")[0]),
          ["Tessera", "hnswlib", "faiss"],
        );
        return recalls[3]! - recalls[0]!;
      });
      // Where the shortest list already finds every neighbour there is nothing left to rise.
      assert.ok(
        gains.some((g) => g > 0),
        `no dataset's recall rose from itopkSize 32 to 256: ${gains}`,
      );
    });

    test("(b) the ablation: CAGRA's graph is one component where the kNN graph is not", () => {
      const c = cell(nb(), "cagra.mergeReverseEdges(pruned");
      assert.match(printed(c), /the composed graph equals cagra\.optimize's: true/);
      const rows = tableRows(c);
      assert.deepEqual(
        rows.map((r) => r[0]),
        [
          "kNN graph (degree 32)",
          "rank-based pruning only",
          "reverse edges only",
          "CAGRA: pruning + reverse edges",
        ],
      );
      const [knn, , , full] = rows.map(([, , unreached, components, , reach, recall]) => ({
        unreached: Number(unreached),
        components: Number(components),
        reach: Number(reach),
        recall: Number(recall),
      }));
      assert.ok(knn!.components > 1 && knn!.unreached > 0, `kNN ${JSON.stringify(knn)}`);
      assert.equal(full!.components, 1);
      assert.equal(full!.unreached, 0);
      assert.ok(full!.reach > knn!.reach, `2-hop reach ${full!.reach} vs kNN ${knn!.reach}`);
      assert.ok(full!.recall >= knn!.recall, `recall ${full!.recall} vs kNN ${knn!.recall}`);
    });

    test("(c) build times for both kNN algorithms at every size, as a table and a chart", () => {
      const c = cell(nb(), "const buildRows");
      const rows = tableRows(c);
      assert.deepEqual(
        rows.map((r) => [Number(r[0]), r[1]]),
        [1500, 3000, 6000].flatMap((n) => [
          [n, "brute_force"],
          [n, "nn_descent"],
        ]),
      );
      for (const r of rows) assert.ok(Number(r[2]) > 0 && Number(r[3]) >= 0.9, `row ${r}`);
      assert.equal(plotlyFigures(c).length, 1);
    });

    test("(d) the batch-size cell measures on WebGPU or says there is no GPU", () => {
      const c = cell(nb(), "queries per batch");
      const provenanceText = joined(
        outputs(cell(nb(), "provenance(backend, SEEDS)"), "display_data")[0]?.data?.["text/plain"],
      );
      if (/\| backend \| webgpu/.test(provenanceText)) assert.equal(plotlyFigures(c).length, 1);
      else assert.match(printed(c), /^No GPU: selectBackend\(\) found no WebGPU adapter/);
    });

    test("the closing table sets each figure beside the paper's, and the JSON is written", () => {
      const c = cell(nb(), "const comparison");
      assert.match(printed(c), /figures written to .*results\/03-cagra-paper\.json/);
      const rows = tableRows(c);
      assert.equal(rows.length, 8);
      for (const [figure, paper, here, why] of rows) {
        assert.ok(figure && paper && here && why, `row ${figure}`);
      }
      assert.ok(rows.some((r) => /Fig\. 11/.test(r[1]!)) && rows.some((r) => /§III/.test(r[1]!)));
    });
  },

  "04-autochunk-paper.ipynb"(nb) {
    const MiB = 2 ** 20;
    test("no cell fails", () => {
      assert.deepEqual(unexpectedErrors(nb()), []);
    });

    test("provenance at the top: version, commit, backend, versions, CPU and seeds", () => {
      assertProvenance(cell(nb(), "provenance(backend, SEEDS)"), /weights 0, inputs 0/);
    });

    test("(a) memory against length for each model: chunking lowers every peak", () => {
      const charts = plotlyFigures(cell(nb(), "lowestPeak(graph, costModel)"));
      assert.equal(charts.length, 4);
      for (const chart of charts) {
        const [plain, chunked] = chart.data.map((t) => t.y as number[]);
        assert.ok(
          chunked!.every((y, i) => y < plain![i]!),
          `${chart.layout?.["title"] && JSON.stringify(chart.layout["title"])}: ${chunked} vs ${plain}`,
        );
      }
    });

    test("(b) every chunked run stays under its budget, measured; GPT meets all three", () => {
      const rows = tableRows(cell(nb(), "const BUDGET_RATIOS"));
      assert.equal(rows.length, 12, "4 models × 3 budgets");
      const met = rows.filter((r) => r[4] !== "—");
      for (const [model, budget, , peak, under] of met) {
        assert.equal(under, "true", `${model} at ${budget}: peak ${peak}`);
        const [budgetMiB] = numbers(budget!, /\(([\d.]+) MiB\)/);
        assert.ok(
          Number.parseFloat(peak!) <= budgetMiB! + 0.005,
          `${model}: ${peak} over ${budget}`,
        );
      }
      for (const r of rows.filter((r) => r[4] === "—"))
        assert.match(r[3]!, /below the lowest reachable/);
      assert.equal(met.filter((r) => r[0] === "GPT").length, 3);
      const gptTight = met.find((r) => r[0] === "GPT" && r[1]!.startsWith("0.2"))!;
      assert.ok(Number.parseInt(gptTight[5]!) >= 75, `GPT reduction ${gptTight[5]}`);
    });

    test("(c) chunking fits longer sequences under the same budget", () => {
      const rows = tableRows(cell(nb(), "maxSequenceLength(factory"));
      assert.equal(rows.length, 8);
      for (const [model, , plain, chunked] of rows) {
        assert.ok(
          Number(chunked) >= Number(plain) && Number(plain) > 0,
          `${model}: ${plain} → ${chunked}`,
        );
      }
      const gpt = rows.filter((r) => r[0] === "GPT").map((r) => Number.parseFloat(r[4]!));
      assert.ok(
        gpt.every((x) => x >= 2),
        `GPT ratios ${gpt}`,
      );
    });

    test("(d) a live chunk-plan widget per model that fits its budget, with both runs", () => {
      const c = cell(nb(), "await chunkPlanView(b.plan");
      const plans = outputs(c, "display_data").map((o) => {
        const checked = validateChunkPlan(o.data![MIME_CHUNK_PLAN]);
        assert.ok(checked.ok, checked.ok ? "" : checked.errors.join("\n"));
        return checked.value;
      });
      const said = outputs(c, "stream")
        .map((o) => joined(o.text))
        .join("");
      const skipped = (said.match(/no plan at 0\.3/g) ?? []).length;
      assert.equal(plans.length + skipped, 4);
      assert.ok(plans.length >= 2, `${plans.length} plans`);
      for (const plan of plans) {
        assert.ok(plan.peakBytes.after <= plan.budgetBytes, "the plan fits its budget");
        assert.ok(plan.live !== undefined && plan.regions.length >= 1);
        assert.deepEqual(
          plan.timelines!.runs.map((r) => r.name),
          ["unchunked", "chunked"],
        );
      }
      assert.ok(plans.every((p) => p.budgetBytes > 0.01 * MiB));
    });

    test("the closing table sets each figure beside the paper's, and the JSON is written", () => {
      const c = cell(nb(), "const comparison");
      assert.match(printed(c), /figures written to .*results\/04-autochunk-paper\.json/);
      const rows = tableRows(c);
      assert.equal(rows.length, 4);
      assert.ok(rows.some((r) => /3\.2× to 11\.7×/.test(r[1]!)));
      assert.ok(rows.some((r) => /80 %/.test(r[1]!)));
    });
  },
};

/** The provenance table a cell shows first: Tessera's commit, backend, Node, TypeScript, CPU, seeds. */
function assertProvenance(c: Cell, seeds: RegExp): void {
  const shown = outputs(c, "display_data")[0];
  assert.ok(shown, "no provenance shown");
  const text = joined(shown.data?.["text/plain"]);
  assert.match(text, /^\| provenance \| \|/);
  assert.match(text, /\| Tessera \| \d+\.\d+\.\d+, commit ([0-9a-f]{40}|not a git checkout)/);
  assert.match(text, /\| backend \| (cpu \(\d+ threads?\)|webgpu \(.*\)) \|/);
  assert.match(text, /\| Node\.js \| v\d+/);
  assert.match(text, /\| TypeScript \| \d+\.\d+/);
  assert.match(text, /\| CPU \| .+ \(\d+ cores\)/);
  assert.match(text, seeds);
}

/** The plotly figures a cell shows (displayed or as its result), validated. */
function plotlyFigures(c: Cell) {
  return outputs(c)
    .filter((o) => o.data?.[MIME_PLOTLY])
    .map((o) => {
      const checked = validatePlotly(o.data![MIME_PLOTLY]);
      assert.ok(checked.ok, checked.ok ? "" : checked.errors.join("\n"));
      return checked.value;
    });
}

const python = path.join(VENV, "bin", "python");
for (const name of readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb"))
  .sort()) {
  describe(`notebooks/${name}`, { timeout: 600_000 }, () => {
    const executed = path.join(ARTIFACTS, name);
    let result: RunResult;
    before(async () => {
      requireFile(python, "no .venv: run bash scripts/setup.sh");
      // The kernel starts in a fresh folder outside the repository with no node_modules,
      // as for a notebook downloaded anywhere: Node's and Tessera's types must still resolve.
      const cwd = await mkdtemp(path.join(os.tmpdir(), "tessera-notebook-"));
      try {
        result = await run(
          python,
          ["tests/run_notebook.py", path.join(NOTEBOOKS, name), executed, cwd],
          { timeoutMs: 540_000 },
        );
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });
    const notebook = (): Notebook => JSON.parse(readFileSync(executed, "utf8")) as Notebook;

    test("runs from top to bottom without an unexpected error", () => {
      assert.equal(result.code, 0, tail(result.output));
    });
    CHECKS[name]?.(notebook);
  });
}
