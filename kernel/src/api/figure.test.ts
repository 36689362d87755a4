import assert from "node:assert/strict";
import { test } from "node:test";
import { MIME_PLOTLY } from "@tessera/viz";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { barFigure, figure, recallQpsFigure } from "./figure.js";

test("recallQpsFigure makes one line per method on a log QPS axis, with an SVG and text", async () => {
  const chart = recallQpsFigure(
    [
      {
        name: "CAGRA",
        points: [
          { recall: 0.9, qps: 9000, label: "itopk 32" },
          { recall: 0.99, qps: 2000, label: "itopk 256" },
        ],
      },
      { name: "hnswlib <ef>", points: [{ recall: 0.95, qps: 3000 }] },
    ],
    { k: 10 },
  );
  const [cagra, hnsw] = chart.figure.data;
  assert.deepEqual(cagra!.x, [0.9, 0.99]);
  assert.deepEqual(cagra!.y, [9000, 2000]);
  assert.deepEqual(cagra!.text, ["itopk 32", "itopk 256"]);
  assert.match(String(hnsw!["hovertemplate"]), /<extra>hnswlib &#60;ef&#62;<\/extra>/);
  assert.equal((chart.figure.layout!["yaxis"] as { type: string }).type, "log");
  const bundle = (await chart[JUPYTER_DISPLAY]()) as Record<string, unknown>;
  assert.equal(bundle[MIME_PLOTLY], chart.figure);
  assert.match(String(bundle["image/svg+xml"]), /^<svg/);
  assert.equal(
    bundle["text/plain"],
    "recall@10 against throughput: chart of 2 traces (CAGRA, hnswlib <ef>)",
  );
});

test("barFigure groups series by category; bad input is named", () => {
  const bars = barFigure(
    [0, 1, 2],
    [
      { name: "kNN", values: [5, 3, 1] },
      { name: "CAGRA", values: [0, 2, 7] },
    ],
  );
  assert.equal(bars.figure.data.length, 2);
  assert.equal(bars.figure.data[1]!.type, "bar");
  assert.throws(
    () => barFigure(["a"], [{ name: "s", values: [1, 2] }]),
    /series "s" has 2 values for 1 categories/,
  );
  assert.throws(() => figure([{ x: 1 as unknown as number[] }]), /data\[0\]\.x: expected an array/);
});
