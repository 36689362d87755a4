import assert from "node:assert/strict";
import { test } from "node:test";
import { plotlySvg } from "./svg.js";
import { validatePlotly } from "./validate.js";

test("validatePlotly accepts figures and names what is wrong", () => {
  assert.ok(validatePlotly({ data: [{ x: [1], y: [2], type: "scatter" }], layout: {} }).ok);
  const bad = validatePlotly({ data: [{ x: 3 }, "trace"], layout: [] });
  assert.deepEqual(bad.ok ? [] : bad.errors, [
    "data[0].x: expected an array",
    "data[1]: expected a trace object",
    "layout: expected an object",
  ]);
  const many = validatePlotly({
    data: [{ x: new Array(150_000).fill(0), y: new Array(150_000).fill(0) }],
  });
  assert.match(many.ok ? "" : many.errors[0]!, /300000 x and y values exceed the limit of 200000/);
});

test("plotlySvg draws lines on a log axis and bars by category, escaping text", () => {
  const svg = plotlySvg({
    data: [
      { name: "CAGRA <itopk>", x: [0.9, 0.95, 0.99], y: [9000, 5000, 1200], mode: "lines+markers" },
      {
        name: "hnswlib",
        x: [0.92, 0.97],
        y: [3000, 800],
        marker: { color: "javascript:alert(1)" },
      },
    ],
    layout: {
      title: "recall vs QPS",
      xaxis: { title: "recall@10" },
      yaxis: { title: "QPS", type: "log" },
    },
  });
  assert.equal(svg.match(/<polyline/g)!.length, 2);
  assert.equal(svg.match(/<circle/g)!.length, 5);
  assert.match(svg, /CAGRA &lt;itopk&gt;/);
  assert.ok(!svg.includes("javascript:"), "a colour that is not a colour is replaced");
  assert.match(svg, />1000</);
  assert.match(svg, />10k</);
  const bars = plotlySvg({
    data: [{ type: "bar", name: "build s", x: ["kNN", "optimize"], y: [2, 1] }, { type: "pie" }],
  });
  assert.equal(bars.match(/<rect [^>]*><title>/g)!.length, 2);
  assert.match(bars, /not drawn in this static image: pie traces/);
});

test("plotlySvg draws a figure at the point limit (no spread of every value)", () => {
  const x = Array.from({ length: 150_000 }, (_, i) => i);
  const svg = plotlySvg({ data: [{ x, y: [1], mode: "markers" }] });
  assert.match(svg, /<circle/);
});
