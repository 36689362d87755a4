import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphBuilder, materializeParam } from "../internal.js";
import type { Node } from "../internal.js";
import type { ModelInput } from "./model.js";
import { checkDivides, checkInt, seededInputs } from "./model.js";
import { seededParams } from "./params.js";

const ids: ModelInput = {
  name: "ids",
  shape: [4, 250],
  dtype: "i32",
  values: { kind: "uniform", low: 3, high: 7 },
};
const noise: ModelInput = {
  name: "noise",
  shape: [1000],
  dtype: "f32",
  values: { kind: "normal", std: 2 },
};

test("seededInputs draws integers in [low, high) and normals of the given spread", () => {
  const { ids: t, noise: x } = seededInputs([ids, noise], 1);
  assert.deepEqual(t!.shape, [4, 250]);
  assert.equal(t!.dtype, "i32");
  assert.deepEqual([...new Set(t!.data)].sort(), [3, 4, 5, 6]);
  const values = [...x!.data];
  const mean = values.reduce((s, v) => s + v, 0) / 1000;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / 1000);
  assert.ok(Math.abs(mean) < 0.2 && Math.abs(std - 2) < 0.2, `mean ${mean}, std ${std}`);
});

test("seededInputs repeats for a seed, and each input's stream is its own", () => {
  assert.deepEqual(seededInputs([noise], 1), seededInputs([noise], 1));
  assert.notDeepEqual(seededInputs([noise], 1).noise, seededInputs([noise], 2).noise);
  assert.deepEqual(seededInputs([ids, noise], 5).noise, seededInputs([noise], 5).noise);
});

test("seededParams seeds each parameter from the model seed and its full name", () => {
  const values = (seed: number, extraLayer: boolean) => {
    const p = seededParams(new GraphBuilder(), seed);
    const made: Node[] = [];
    if (extraLayer) p.scope("h9", () => p.normal("w", [8], 1));
    p.scope("h0", () => made.push(p.normal("w", [8], 1), p.normal("b", [8], 1)));
    made.push(p.scope("h1", () => p.normal("w", [8], 1)));
    assert.deepEqual(
      made.map((n) => n.name),
      ["h0.w", "h0.b", "h1.w"],
    );
    return made.map((n) =>
      n.op === "param" ? [...materializeParam(n.attrs.init, n.shape, n.dtype)] : [],
    );
  };
  const [w0, b0, w1] = values(0, false);
  assert.notDeepEqual(w0, b0);
  assert.notDeepEqual(w0, w1);
  assert.deepEqual(values(0, true), [w0, b0, w1]);
  assert.notDeepEqual(values(1, false)[0], w0);
});

test("checkInt and checkDivides name the field, the value and the fix", () => {
  assert.throws(() => checkInt("m", "depth", 1.5), /m: depth must be an integer ≥ 1, got 1.5/);
  assert.throws(() => checkInt("m", "seed", -1, 0), /seed must be an integer ≥ 0, got -1/);
  checkInt("m", "seed", 0, 0);
  assert.throws(
    () => checkDivides("m", "dim", 10, "heads", 4),
    /m: dim \(10\) must be a multiple of heads \(4\); change one of them/,
  );
  checkDivides("m", "dim", 12, "heads", 4);
});
