import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";
import { CommManager } from "../comms/manager.js";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { Outputs } from "../session/outputs.js";
import { openComm, registerCommTarget } from "./comms.js";
import { bindKernel } from "./context.js";
import { clearOutput, display } from "./display.js";

describe("display", () => {
  const published: { msgType: string; content: Record<string, unknown> }[] = [];
  const outputs = new Outputs((msgType, content) => published.push({ msgType, content }));
  const comms = new CommManager((msgType, content, buffers) =>
    outputs.publish(msgType, content, buffers),
  );
  before(() => bindKernel({ outputs, comms }));
  beforeEach(() => {
    published.length = 0;
  });

  test("display of a plain value publishes display_data with its text and a display id", async () => {
    const h = display([1, 2]);
    await outputs.settled();
    assert.deepEqual(published, [
      {
        msgType: "display_data",
        content: {
          data: { "text/plain": "[ 1, 2 ]" },
          metadata: {},
          transient: { display_id: h.id },
        },
      },
    ]);
  });

  test("display with an id, raw and metadata publishes that bundle under that id", async () => {
    const h = display(
      { "text/html": "<b>x</b>", "text/plain": "x" },
      { id: "mine", raw: true, metadata: { "text/html": { isolated: true } } },
    );
    assert.equal(h.id, "mine");
    await outputs.settled();
    assert.deepEqual(published[0]!.content, {
      data: { "text/html": "<b>x</b>", "text/plain": "x" },
      metadata: { "text/html": { isolated: true } },
      transient: { display_id: "mine" },
    });
  });

  test("handle.update publishes update_display_data with the same display id", async () => {
    const h = display({ "text/plain": "one" }, { raw: true });
    h.update({ "text/plain": "two" }, { raw: true });
    await outputs.settled();
    assert.deepEqual(
      published.map((p) => [
        p.msgType,
        (p.content["data"] as Record<string, unknown>)["text/plain"],
        (p.content["transient"] as Record<string, unknown>)["display_id"],
      ]),
      [
        ["display_data", "one", h.id],
        ["update_display_data", "two", h.id],
      ],
    );
  });

  test("a displayable value is displayed through its Jupyter.display bundle", async () => {
    display({ [JUPYTER_DISPLAY]: async () => ({ "text/html": "<i>c</i>" }) });
    await outputs.settled();
    assert.deepEqual(published[0]!.content["data"], {
      "text/html": "<i>c</i>",
      "text/plain": "<text/html>",
    });
  });

  test("a bad raw bundle throws at the call, saying what is wrong", () => {
    assert.throws(() => display({ html: "x" }, { raw: true }), /"html", which is not a MIME type/);
    assert.equal(published.length, 0);
  });

  test("outputs keep call order when a displayable's bundle is async", async () => {
    const slow = { [JUPYTER_DISPLAY]: async () => ({ "text/plain": "slow" }) };
    const h = display(slow);
    display(42);
    h.update({ "text/plain": "updated" }, { raw: true });
    await outputs.settled();
    assert.deepEqual(
      published.map((p) => [
        p.msgType,
        (p.content["data"] as Record<string, unknown>)["text/plain"],
      ]),
      [
        ["display_data", "slow"],
        ["display_data", "42"],
        ["update_display_data", "updated"],
      ],
    );
  });

  test("an async displayable that fails is reported on stderr", async () => {
    display({ [JUPYTER_DISPLAY]: async () => ({ html: "x" }) });
    await outputs.settled();
    assert.equal(published.length, 1);
    assert.equal(published[0]!.msgType, "stream");
    assert.match(
      String(published[0]!.content["text"]),
      /^display\(\): .*"html", which is not a MIME type/,
    );
  });

  test("clearOutput publishes clear_output, waiting only when asked", () => {
    clearOutput();
    clearOutput(true);
    assert.deepEqual(published, [
      { msgType: "clear_output", content: { wait: false } },
      { msgType: "clear_output", content: { wait: true } },
    ]);
  });

  test("openComm opens a comm through the bound kernel's comm manager", () => {
    const comm = openComm("tessera.test", { a: 1 });
    assert.deepEqual(published, [
      {
        msgType: "comm_open",
        content: { comm_id: comm.id, target_name: "tessera.test", data: { a: 1 } },
      },
    ]);
    assert.deepEqual(comms.info("tessera.test"), { [comm.id]: { target_name: "tessera.test" } });
  });

  test("registerCommTarget registers on the bound kernel's comm manager", async () => {
    let opened = "";
    registerCommTarget("tessera.front", (comm) => {
      opened = comm.id;
    });
    await comms.handleOpen({ comm_id: "f1", target_name: "tessera.front" }, []);
    assert.equal(opened, "f1");
  });
});
