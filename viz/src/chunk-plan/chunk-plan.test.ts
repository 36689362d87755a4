import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkPlanFixture } from "../../test/chunk-plan-fixture.js";
import { defaultCollapsed, planBlocks } from "./blocks.js";
import { decodeChunkPlan } from "./decode.js";
import { chunkPlanLayout, itemBytes, stripRows } from "./layout.js";
import { chunkPlanSvg } from "./svg.js";
import { validateChunkPlan } from "./validate.js";

test("validateChunkPlan accepts a plan and names what is wrong in a bad one", () => {
  const good = chunkPlanFixture({ layers: 2 });
  assert.deepEqual(validateChunkPlan(good), { ok: true, value: good });
  const bad = structuredClone(good);
  bad.nodes.op.pop();
  bad.peakNode.after = 999;
  bad.regions[1]!.start = bad.regions[0]!.end;
  (bad.nodes.beforeBytes as { length: number }).length = 3;
  const r = validateChunkPlan(bad);
  assert.ok(!r.ok);
  const text = r.errors.join("\n");
  assert.match(text, /nodes\.op: expected 31 entries \(one per node\), got 30/);
  assert.match(text, /nodes\.beforeBytes\.length: expected 31 \(one per node\), got 3/);
  const extra = validateChunkPlan({ ...good, nodez: 1, budgetBytes: -1 });
  assert.ok(!extra.ok);
  assert.match(extra.errors.join("\n"), /nodez: unknown property/);
  assert.match(extra.errors.join("\n"), /budgetBytes: expected a non-negative number, got -1/);
  const range = validateChunkPlan({ ...good, peakNode: { before: 0, after: 999 } });
  assert.ok(!range.ok);
  assert.match(range.errors.join("\n"), /peakNode\.after: node 999 does not exist/);
  const overlap = structuredClone(good);
  overlap.regions[1]!.start = overlap.regions[0]!.end;
  const o = validateChunkPlan(overlap);
  assert.ok(!o.ok);
  assert.match(o.errors.join("\n"), /regions\[1\]\.start: \d+ overlaps the previous region/);
});

test("decodeChunkPlan unpacks the columns and the edges into inputs per node", () => {
  const plan = decodeChunkPlan(chunkPlanFixture({ layers: 1 }));
  assert.equal(plan.name.length, 16);
  assert.deepEqual(plan.inputs[6], [3, 4], "attn.matmul reads q and k");
  assert.equal(plan.region[6], 0);
  assert.equal(plan.region[1], -1);
  assert.equal(plan.pseudocode[plan.line[6]! - 1]!.trim().split(" ")[0], "h0.attn.matmul");
  assert.equal(plan.afterBytes[plan.peakNode.after], plan.peakBytes.after);
});

test("planBlocks finds the layers; small graphs open expanded, large ones collapsed but the peak's", () => {
  const blocks = planBlocks([
    "x",
    "h0.a",
    "h0.b",
    "h0.c",
    "h1.a",
    "h1.b",
    "h1.c",
    "ln_f.norm",
    "add",
  ]);
  assert.deepEqual(
    blocks.map((b) => [b.key, b.start, b.end]),
    [
      ["h0", 1, 3],
      ["h1", 4, 6],
    ],
  );
  // A scope that recurs after another gets a key of its own; runs under 3 nodes are no block.
  assert.deepEqual(
    planBlocks(["a.x", "a.y", "a.z", "b.z", "a.w", "a.v", "a.u"]).map((b) => b.key),
    ["a", "a#1"],
  );
  assert.equal(defaultCollapsed(blocks, 9, [2]).size, 0);
  assert.deepEqual([...defaultCollapsed(blocks, 900, [2], 300)], ["h1"]);
});

test("the layout draws every node once, top to bottom in program order, regions as clusters", () => {
  const plan = decodeChunkPlan(chunkPlanFixture({ layers: 3 }));
  const blocks = planBlocks(plan.name);
  const open = chunkPlanLayout(plan, blocks, new Set());
  assert.equal(open.items.length, plan.name.length);
  for (let to = 0; to < plan.name.length; to++) {
    for (const from of plan.inputs[to]!) {
      const [a, b] = [open.items[open.itemOf[from]!]!.box, open.items[open.itemOf[to]!]!.box];
      assert.ok(a.y < b.y, `node ${from} is drawn above its reader ${to}`);
    }
  }
  const regions = open.groups.filter((g) => g.kind === "region");
  assert.equal(regions.length, 3);
  for (const g of regions) {
    const r = plan.regions[g.index]!;
    for (let i = r.start; i <= r.end; i++) {
      const box = open.items[open.itemOf[i]!]!.box;
      assert.ok(
        box.x >= g.box.x && box.x + box.width <= g.box.x + g.box.width,
        `node ${i} inside its region`,
      );
      assert.ok(box.y >= g.box.y && box.y + box.height <= g.box.y + g.box.height);
    }
  }
  // Collapsing h1 draws it as one box standing for its 15 nodes, with its region inside it.
  const shut = chunkPlanLayout(plan, blocks, new Set(["h1"]));
  assert.equal(shut.items.length, plan.name.length - 14);
  const item = shut.items[shut.itemOf[20]!]!;
  assert.equal(item.kind, "block");
  assert.equal(shut.itemOf[16], shut.itemOf[30]);
  assert.equal(shut.groups.filter((g) => g.kind === "region").length, 2);
  assert.equal(
    itemBytes(plan, item, plan.beforeBytes),
    Math.max(...plan.beforeBytes.slice(16, 31)),
  );
  // The strip has one row per item, within the item's vertical extent.
  const rows = stripRows(shut);
  assert.equal(rows.length, shut.items.length);
  for (const row of rows) {
    const box = shut.items[row.item]!.box;
    assert.ok(row.y >= box.y - 0.01 && row.y + row.height <= box.y + box.height + 0.01);
  }
});

test("a region that crosses two blocks takes its nodes out of them and encloses them", () => {
  const base = decodeChunkPlan(chunkPlanFixture({ layers: 2 }));
  // One region from h0's MLP (nodes 12–15) into h1's first nodes (16–18).
  const region = new Int32Array(base.name.length).fill(-1).fill(0, 12, 19);
  const plan = { ...base, region, regions: [{ ...base.regions[0]!, start: 12, end: 18 }] };
  const layout = chunkPlanLayout(plan, planBlocks(plan.name), new Set());
  const group = layout.groups.find((g) => g.kind === "region")!;
  for (let i = 0; i < plan.name.length; i++) {
    const box = layout.items[layout.itemOf[i]!]!.box;
    assert.ok(Number.isFinite(box.x) && Number.isFinite(box.y), `node ${i} is placed`);
    const inside =
      box.x >= group.box.x &&
      box.x + box.width <= group.box.x + group.box.width &&
      box.y >= group.box.y &&
      box.y + box.height <= group.box.y + group.box.height;
    assert.equal(
      inside,
      i >= 12 && i <= 18,
      `node ${i} ${inside ? "inside" : "outside"} the region`,
    );
  }
});

test("chunkPlanSvg draws the plan as a standalone, escaped SVG document", () => {
  const svg = chunkPlanSvg(chunkPlanFixture({ layers: 2, label: "<img src=x onerror=alert(1)>" }));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
  assert.match(svg, /<\/svg>$/);
  assert.ok(!svg.includes("<img"), "the hostile name is escaped");
  assert.ok(svg.includes("&lt;img src=x onerror=alert(1)&gt;"));
  for (const caption of ["chunk0 · dim 2 · 128 × 4", "chunk1 · dim 2 · 128 × 4"]) {
    assert.ok(svg.includes(caption), caption);
  }
  assert.equal(svg.split("▲ peak").length - 1, 1, "one peak");
  assert.equal(svg.split("△ peak before chunking").length - 1, 1, "and where it was");
  assert.match(svg, /budget 5\.00 MiB/);
  assert.match(svg, /peak 12\.\d MiB → 4\.00 MiB \(budget 5\.00 MiB\), 2 regions/);
  // One titled box per node (31): nothing is left out.
  assert.equal(svg.split("<title>").length - 1, 31);
});
