import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Kernel } from "./kernel.js";
import type { Channel, Message } from "./protocol/messages.js";
import { newHeader } from "./protocol/wire.js";

interface Sent {
  channel: Channel;
  msg: Message<unknown>;
}

const root = process.cwd();

function request(msgType: string, content: Record<string, unknown> = {}): Message {
  return {
    identities: [Buffer.from("client")],
    header: newHeader(msgType, "front-end"),
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

/** The messages sent about `req`, as "channel msg_type" lines, once its idle status is out. */
async function replies(sent: Sent[], req: Message, timeoutMs = 20_000): Promise<Sent[]> {
  const mine = () =>
    sent.filter((s) => (s.msg.parent_header as { msg_id?: string }).msg_id === req.header.msg_id);
  const idle = (s: Sent) =>
    s.msg.header.msg_type === "status" &&
    (s.msg.content as { execution_state: string }).execution_state === "idle";
  const deadline = Date.now() + timeoutMs;
  while (!mine().some(idle)) {
    if (Date.now() > deadline) throw new Error(`no idle status for ${req.header.msg_type}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return mine();
}

const kinds = (sent: Sent[]) =>
  sent.map((s) => {
    const state = (s.msg.content as { execution_state?: string }).execution_state;
    return `${s.channel} ${s.msg.header.msg_type}${state ? ` ${state}` : ""}`;
  });

describe("Kernel", () => {
  const sent: Sent[] = [];
  let kernel: Kernel;

  before(() => {
    kernel = new Kernel({ send: (channel, msg) => sent.push({ channel, msg }), cwd: root, root });
  });

  test("kernel_info_request is answered on its channel between busy and idle", async () => {
    const req = request("kernel_info_request");
    kernel.receive("shell", req);
    const r = await replies(sent, req);
    assert.deepEqual(kinds(r), [
      "iopub status busy",
      "shell kernel_info_reply",
      "iopub status idle",
    ]);
    const reply = r[1]!.msg;
    assert.deepEqual(reply.identities, req.identities, "the reply routes back to the client");
    assert.deepEqual(reply.parent_header, req.header);
    assert.equal((reply.content as { implementation: string }).implementation, "tessera");
    assert.equal(reply.header.session, r[0]!.msg.header.session, "one session for all messages");
    assert.equal(kernel.version, "0.1.0");
  });

  test("a request on the control channel is answered on the control channel", async () => {
    const req = request("kernel_info_request");
    kernel.receive("control", req);
    assert.equal((await replies(sent, req))[1]!.channel, "control");
  });

  test("a message type without a handler gets no reply and no status", async () => {
    const req = request("no_such_request");
    const start = sent.length;
    kernel.receive("shell", req);
    const next = request("kernel_info_request");
    kernel.receive("shell", next);
    await replies(sent, next);
    const about = (s: Sent) =>
      (s.msg.parent_header as { msg_id?: string }).msg_id === req.header.msg_id;
    assert.deepEqual(sent.slice(start).filter(about), []);
    assert.ok(sent.length > start, "the next request was answered");
  });

  test("a handler that throws is answered with an error reply", async () => {
    const req = request("history_request", { hist_access_type: "sideways" });
    kernel.receive("shell", req);
    const r = await replies(sent, req);
    assert.deepEqual(kinds(r), ["iopub status busy", "shell history_reply", "iopub status idle"]);
    const content = r[1]!.msg.content as Record<string, unknown>;
    assert.equal(content["status"], "error");
    assert.equal(content["ename"], "Error");
    assert.match(String(content["evalue"]), /hist_access_type must be/);
  });

  test("execute_request runs the cell with the cell API and publishes its outputs in order", async () => {
    const req = request("execute_request", {
      code: 'display({ "text/html": "<b>hi</b>" }, { raw: true });\n6 * 7',
    });
    kernel.receive("shell", req);
    const r = await replies(sent, req);
    assert.deepEqual(kinds(r), [
      "iopub status busy",
      "iopub execute_input",
      "iopub display_data",
      "iopub execute_result",
      "shell execute_reply",
      "iopub status idle",
    ]);
    assert.deepEqual((r[2]!.msg.content as { data: unknown }).data, {
      "text/html": "<b>hi</b>",
      "text/plain": "<text/html>",
    });
    assert.deepEqual(r[3]!.msg.content, {
      execution_count: 1,
      data: { "text/plain": "42" },
      metadata: {},
    });
    assert.deepEqual(r[4]!.msg.content, {
      status: "ok",
      execution_count: 1,
      payload: [],
      user_expressions: {},
    });
  });

  test("after a failing cell, queued execute_requests are aborted but other requests run", async () => {
    const failing = request("execute_request", { code: 'throw new Error("stop");' });
    const queued = request("execute_request", { code: "1 + 1" });
    const info = request("kernel_info_request");
    kernel.receive("shell", failing);
    kernel.receive("shell", queued);
    kernel.receive("shell", info);
    const f = await replies(sent, failing);
    assert.deepEqual(
      kinds(f).filter((k) => k.startsWith("shell") || k.includes("error")),
      ["iopub error", "shell execute_reply"],
    );
    const q = await replies(sent, queued);
    assert.deepEqual(kinds(q), ["iopub status busy", "shell execute_reply", "iopub status idle"]);
    assert.deepEqual(q[1]!.msg.content, { status: "aborted", execution_count: 2 });
    assert.equal((await replies(sent, info))[1]!.msg.header.msg_type, "kernel_info_reply");
    assert.equal(kernel.executionCount, 2, "the aborted cell is not counted");
  });

  test("execute_request with stop_on_error: false lets queued cells run", async () => {
    const failing = request("execute_request", { code: "throw 1;", stop_on_error: false });
    const queued = request("execute_request", { code: "2 + 2" });
    kernel.receive("shell", failing);
    kernel.receive("shell", queued);
    const q = await replies(sent, queued);
    assert.equal(
      (q.find((s) => s.msg.header.msg_type === "execute_reply")!.msg.content as { status: string })
        .status,
      "ok",
    );
  });

  test("history_request lists the executed cells with their outputs", async () => {
    const req = request("history_request", { hist_access_type: "tail", n: 1, output: true });
    kernel.receive("shell", req);
    const r = await replies(sent, req);
    assert.deepEqual(r[1]!.msg.content, {
      status: "ok",
      history: [[1, kernel.executionCount, ["2 + 2", "4"]]],
    });
  });

  test("interrupt() ends a running awaited cell", { timeout: 10_000 }, async () => {
    const req = request("execute_request", { code: "await new Promise(() => {});" });
    kernel.receive("shell", req);
    setTimeout(() => kernel.interrupt(), 300);
    const r = await replies(sent, req, 5000);
    const reply = r.find((s) => s.msg.header.msg_type === "execute_reply")!.msg.content;
    assert.equal((reply as { ename: string }).ename, "KeyboardInterrupt");
  });
});
