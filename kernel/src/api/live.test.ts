import assert from "node:assert/strict";
import { test } from "node:test";
import { CommManager, type CommData } from "../comms/manager.js";
import { liveWidget, serveLiveWidgets } from "./live.js";

function kernelSide(): {
  manager: CommManager;
  sent: { type: string; content: CommData; buffers?: readonly Uint8Array[] }[];
} {
  const sent: { type: string; content: CommData; buffers?: readonly Uint8Array[] }[] = [];
  const manager = new CommManager((type, content, buffers) =>
    sent.push({ type, content, buffers }),
  );
  serveLiveWidgets(manager);
  return { manager, sent };
}

test("a request runs the widget's method and replies with its result and buffers", async () => {
  const { manager, sent } = kernelSide();
  const live = liveWidget({
    double: ({ x }) => ({ result: { y: Number(x) * 2 }, buffers: [new Uint8Array([7])] }),
  });
  await manager.handleOpen(
    { comm_id: "c1", target_name: "tessera", data: { widget: live.ref.id } },
    [],
  );
  await manager.handleMessage(
    { comm_id: "c1", data: { request: 3, method: "double", params: { x: 21 } } },
    [],
  );
  assert.deepEqual(sent.at(-1)?.content, { comm_id: "c1", data: { reply: 3, result: { y: 42 } } });
  assert.deepEqual([...sent.at(-1)!.buffers![0]!], [7]);
  live.dispose();
});

test("a method that throws replies with its message; an unknown method says so", async () => {
  const { manager, sent } = kernelSide();
  const live = liveWidget({
    plan: () => {
      throw new Error("budget 1 MiB is below the smallest reachable, 3 MiB");
    },
  });
  await manager.handleOpen(
    { comm_id: "c2", target_name: "tessera", data: { widget: live.ref.id } },
    [],
  );
  await manager.handleMessage(
    { comm_id: "c2", data: { request: 1, method: "plan", params: {} } },
    [],
  );
  assert.deepEqual(sent.at(-1)?.content.data, {
    reply: 1,
    error: "budget 1 MiB is below the smallest reachable, 3 MiB",
  });
  await manager.handleMessage(
    { comm_id: "c2", data: { request: 2, method: "nope", params: {} } },
    [],
  );
  assert.deepEqual(sent.at(-1)?.content.data, {
    reply: 2,
    error: 'the widget has no method "nope"',
  });
  // Object's own methods are not the widget's.
  await manager.handleMessage(
    { comm_id: "c2", data: { request: 3, method: "toString", params: {} } },
    [],
  );
  assert.deepEqual(sent.at(-1)?.content.data, {
    reply: 3,
    error: 'the widget has no method "toString"',
  });
});

test("a widget this kernel did not make is closed with the reason", async () => {
  const { manager, sent } = kernelSide();
  await manager.handleOpen({ comm_id: "c3", target_name: "tessera", data: { widget: "old" } }, []);
  assert.equal(sent.at(-1)?.type, "comm_close");
  assert.match(String((sent.at(-1)?.content.data as CommData).error), /run the cell again/);
});

test("a disposed widget no longer answers", async () => {
  const { manager, sent } = kernelSide();
  const live = liveWidget({ ping: () => ({ result: {} }) });
  live.dispose();
  await manager.handleOpen(
    { comm_id: "c4", target_name: "tessera", data: { widget: live.ref.id } },
    [],
  );
  assert.equal(sent.at(-1)?.type, "comm_close");
});
