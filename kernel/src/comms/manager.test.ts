import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CommManager, type Comm, type CommData, type CommMessage } from "./manager.js";

interface Sent {
  msgType: string;
  content: CommData;
  buffers: readonly Uint8Array[] | undefined;
}

function recording(): { manager: CommManager; sent: Sent[] } {
  const sent: Sent[] = [];
  const manager = new CommManager((msgType, content, buffers) =>
    sent.push({ msgType, content, buffers }),
  );
  return { manager, sent };
}

describe("CommManager", () => {
  test("a kernel-opened comm publishes comm_open with its id, target and data", () => {
    const { manager, sent } = recording();
    const buf = new Uint8Array([1, 2, 3]);
    const comm = manager.open("tessera.chart", { kind: "hello" }, [buf]);
    assert.equal(comm.targetName, "tessera.chart");
    assert.match(comm.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(sent, [
      {
        msgType: "comm_open",
        content: { comm_id: comm.id, target_name: "tessera.chart", data: { kind: "hello" } },
        buffers: [buf],
      },
    ]);
  });

  test("each opened comm gets its own id", () => {
    const { manager } = recording();
    assert.notEqual(manager.open("t").id, manager.open("t").id);
  });

  test("comm.send publishes comm_msg with the comm id, data and buffers", () => {
    const { manager, sent } = recording();
    const comm = manager.open("t");
    const buf = new Uint8Array([7]);
    comm.send({ x: 1 }, [buf]);
    comm.send();
    assert.deepEqual(sent.slice(1), [
      { msgType: "comm_msg", content: { comm_id: comm.id, data: { x: 1 } }, buffers: [buf] },
      { msgType: "comm_msg", content: { comm_id: comm.id, data: {} }, buffers: [] },
    ]);
  });

  test("a front-end comm_open to an unknown target is answered with comm_close", async () => {
    const { manager, sent } = recording();
    await manager.handleOpen({ comm_id: "c1", target_name: "nope", data: {} }, []);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.msgType, "comm_close");
    assert.equal(sent[0]!.content["comm_id"], "c1");
    assert.match(String((sent[0]!.content["data"] as CommData)["error"]), /No comm target "nope"/);
    assert.deepEqual(manager.info(), {});
  });

  test("a front-end comm_open to a registered target calls the handler with the comm and data", async () => {
    const { manager, sent } = recording();
    const opened: [Comm, CommMessage][] = [];
    manager.registerTarget("echo", (comm, open) => {
      opened.push([comm, open]);
    });
    const buf = new Uint8Array([5]);
    await manager.handleOpen({ comm_id: "c1", target_name: "echo", data: { a: 1 } }, [buf]);
    assert.equal(opened.length, 1);
    const [comm, open] = opened[0]!;
    assert.equal(comm.id, "c1");
    assert.equal(comm.targetName, "echo");
    assert.deepEqual(open, { data: { a: 1 }, buffers: [buf] });
    assert.deepEqual(sent, [], "opening from the front end publishes nothing");
    assert.deepEqual(manager.info(), { c1: { target_name: "echo" } });
  });

  test("a comm_open whose data is not an object gives the handler empty data", async () => {
    const { manager } = recording();
    let data: CommData | undefined;
    manager.registerTarget("t", (_comm, open) => {
      data = open.data;
    });
    await manager.handleOpen({ comm_id: "c1", target_name: "t", data: [1, 2] }, []);
    assert.deepEqual(data, {});
  });

  test("an unregistered target no longer accepts comms", async () => {
    const { manager, sent } = recording();
    manager.registerTarget("t", () => {});
    manager.unregisterTarget("t");
    await manager.handleOpen({ comm_id: "c1", target_name: "t" }, []);
    assert.equal(sent[0]!.msgType, "comm_close");
  });

  test("comm_msg from the front end reaches every onMessage handler in order", async () => {
    const { manager } = recording();
    const comm = manager.open("t");
    const got: string[] = [];
    comm.onMessage(async ({ data }) => {
      await new Promise((r) => setTimeout(r, 5));
      got.push(`first ${JSON.stringify(data)}`);
    });
    comm.onMessage(({ buffers }) => {
      got.push(`second ${buffers.length}`);
    });
    await manager.handleMessage({ comm_id: comm.id, data: { n: 1 } }, [new Uint8Array(1)]);
    assert.deepEqual(got, ['first {"n":1}', "second 1"]);
  });

  test("comm_msg to an unknown comm is ignored", async () => {
    const { manager, sent } = recording();
    await manager.handleMessage({ comm_id: "missing", data: {} }, []);
    assert.deepEqual(sent, []);
  });

  test("an echo target answers the front end through comm.send", async () => {
    const { manager, sent } = recording();
    manager.registerTarget("echo", (comm) =>
      comm.onMessage(({ data }) => comm.send({ echo: data })),
    );
    await manager.handleOpen({ comm_id: "c1", target_name: "echo", data: {} }, []);
    await manager.handleMessage({ comm_id: "c1", data: { hi: 1 } }, []);
    assert.deepEqual(sent, [
      { msgType: "comm_msg", content: { comm_id: "c1", data: { echo: { hi: 1 } } }, buffers: [] },
    ]);
  });

  test("comm_close from the front end closes the comm, runs onClose and removes it from info()", async () => {
    const { manager, sent } = recording();
    const comm = manager.open("t");
    const closes: CommData[] = [];
    comm.onClose(({ data }) => {
      closes.push(data);
    });
    await manager.handleClose({ comm_id: comm.id, data: { reason: "bye" } }, []);
    assert.equal(comm.closed, true);
    assert.deepEqual(closes, [{ reason: "bye" }]);
    assert.deepEqual(manager.info(), {});
    assert.equal(sent.length, 1, "a front-end close is not echoed back");
  });

  test("comm.close from the kernel publishes comm_close once and removes the comm", () => {
    const { manager, sent } = recording();
    const comm = manager.open("t");
    comm.close({ done: true });
    comm.close();
    assert.equal(comm.closed, true);
    assert.deepEqual(
      sent.map((s) => s.msgType),
      ["comm_open", "comm_close"],
    );
    assert.deepEqual(sent[1]!.content, { comm_id: comm.id, data: { done: true } });
    assert.deepEqual(manager.info(), {});
  });

  test("sending on a closed comm throws an error naming the comm and what to do", async () => {
    const { manager } = recording();
    const comm = manager.open("widgets");
    await manager.handleClose({ comm_id: comm.id }, []);
    assert.throws(
      () => comm.send({ x: 1 }),
      new Error(`Comm ${comm.id} (widgets) is closed; open a new one.`),
    );
  });

  test("info lists open comms, and info(target) only those of that target", async () => {
    const { manager } = recording();
    const a = manager.open("alpha");
    const b = manager.open("beta");
    manager.registerTarget("alpha", () => {});
    await manager.handleOpen({ comm_id: "front", target_name: "alpha" }, []);
    assert.deepEqual(manager.info(), {
      [a.id]: { target_name: "alpha" },
      [b.id]: { target_name: "beta" },
      front: { target_name: "alpha" },
    });
    assert.deepEqual(manager.info("alpha"), {
      [a.id]: { target_name: "alpha" },
      front: { target_name: "alpha" },
    });
    assert.deepEqual(manager.info("gamma"), {});
  });
});
