import assert from "node:assert/strict";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { pack } from "../common/packed.js";
import { fixturePayload } from "../../test/proximity-graph-fixture.js";
import { decodeProximityGraph } from "./decode.js";
import { proximityGraphSchema } from "./schema.js";
import { proximityGraphSvg } from "./svg.js";
import { validateProximityGraph } from "./validate.js";

const good = fixturePayload({
  nodes: 50,
  edges: true,
  second: true,
  trace: true,
  labels: (i) => `n${i}`,
});
const clone = () => structuredClone(good);

/** Structural cases both the schema and the validator judge; they must agree. */
const structural: [string, unknown, boolean][] = [
  ["full", good, true],
  ["minimal", fixturePayload({ nodes: 3 }), true],
  ["version 2", { ...clone(), version: 2 }, false],
  ["unknown key", { ...clone(), colour: "red" }, false],
  ["no graphs", { ...clone(), graphs: [] }, false],
  ["three graphs", { ...clone(), graphs: [good.graphs[0], good.graphs[0], good.graphs[0]] }, false],
  ["bad dtype", { ...clone(), positions: { ...good.positions, dtype: "f64" } }, false],
  ["not base64", { ...clone(), positions: { ...good.positions, base64: "$$$$" } }, false],
  ["title too long", { ...clone(), title: "x".repeat(201) }, false],
  ["live target", { ...clone(), live: { target: "other", id: "a" } }, false],
];

test("the JSON Schema and the validator agree on structure", () => {
  const ajv = new Ajv2020({ allErrors: true });
  const schema = ajv.compile(proximityGraphSchema);
  for (const [name, payload, valid] of structural) {
    assert.equal(schema(payload), valid, `schema, ${name}: ${JSON.stringify(schema.errors)}`);
    assert.equal(validateProximityGraph(payload).ok, valid, `validator, ${name}`);
  }
});

test("sizes between fields are checked, and errors name the field", () => {
  const errors = (payload: unknown) => {
    const r = validateProximityGraph(payload);
    return r.ok ? [] : r.errors;
  };
  const short = clone();
  short.graphs[0]!.inDegree = pack("u32", new Uint32Array(49));
  assert.deepEqual(errors(short), ["graphs[0].inDegree.length: expected 50, got 49"]);
  const edges = clone();
  edges.graphs[0]!.edges = pack("u32", new Uint32Array(10));
  assert.deepEqual(errors(edges), ["graphs[0].edges.length: expected 200, got 10"]);
  const trace = clone();
  trace.traces![0]!.graph = 2;
  assert.deepEqual(errors(trace), ["traces[0].graph: names graph 2, but the payload has 2"]);
  const truncated = clone();
  truncated.positions = { ...truncated.positions, base64: truncated.positions.base64.slice(4) };
  assert.match(
    errors(truncated)[0]!,
    /^positions.base64: 100 f32 values pack to 536 characters, got 532$/,
  );
  const labels = clone();
  labels.labels = ["a"];
  assert.match(errors(labels)[0]!, /^labels: expected one label per node \(50/);
});

test("decode unpacks every array and orders a trace's visits", () => {
  const data = decodeProximityGraph(good);
  assert.equal(data.positions.length, 100);
  assert.deepEqual([...data.graphs[0]!.edges!.subarray(0, 4)], [1, 2, 3, 4]);
  const t = data.traces[0]!;
  assert.equal(t.visitOrder[10], 0, "a seed is visited at step 0");
  assert.equal(t.visitOrder[12], 1);
  assert.equal(t.visitOrder[13], 2);
  assert.equal(t.visitOrder[30], -1);
});

test("the static SVG escapes titles and labels and samples large graphs", () => {
  const p = clone();
  p.title = "<script>alert(1)</script>";
  const svg = proximityGraphSvg(p);
  assert.ok(!svg.includes("<script>"));
  assert.match(svg, /&lt;script&gt;/);
  assert.match(svg, /query &lt;b&gt;0&lt;\/b&gt;/);
  assert.match(svg, /ring: in-degree 4–4 \(0 none\), 1 SCCs, largest 50, 2-hop reach 8/);
  const big = proximityGraphSvg(fixturePayload({ nodes: 20_000 }), { maxNodes: 1000 });
  assert.equal(big.match(/<circle/g)!.length, 1000);
});
