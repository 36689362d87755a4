import assert from "node:assert/strict";
import { test } from "node:test";
import { CommManager } from "../comms/manager.js";
import { Outputs } from "../session/outputs.js";
import { bindKernel, services } from "./context.js";

test("services throws, naming the caller, when no kernel is bound", () => {
  assert.throws(
    () => services("display()"),
    new Error(
      'display() works inside the Tessera kernel only (a notebook cell with the "TypeScript (Tessera)" kernel).',
    ),
  );
});

test("services gives what bindKernel bound", () => {
  const outputs = new Outputs(() => {});
  const comms = new CommManager(() => {});
  bindKernel({ outputs, comms });
  const s = services("x()");
  assert.equal(s.outputs, outputs);
  assert.equal(s.comms, comms);
});
