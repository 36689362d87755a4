import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Message } from "../protocol/messages.js";
import { Outputs } from "./outputs.js";

interface Published {
  msgType: string;
  content: Record<string, unknown>;
  parent: Message | undefined;
  buffers: readonly Uint8Array[] | undefined;
}

function recording(): { outputs: Outputs; published: Published[] } {
  const published: Published[] = [];
  const outputs = new Outputs((msgType, content, parent, buffers) =>
    published.push({ msgType, content, parent, buffers }),
  );
  return { outputs, published };
}

const request = { header: { msg_id: "req-1" } } as unknown as Message;

describe("Outputs", () => {
  test("stream text is batched into one stream message per name until flush", () => {
    const { outputs, published } = recording();
    outputs.stream("stdout", "a");
    outputs.stream("stdout", "b\n");
    outputs.stream("stdout", "c");
    assert.equal(published.length, 0, "nothing is sent before the flush");
    outputs.flush();
    assert.deepEqual(
      published.map((p) => [p.msgType, p.content]),
      [["stream", { name: "stdout", text: "ab\nc" }]],
    );
    outputs.flush();
    assert.equal(published.length, 1, "a second flush has nothing to send");
  });

  test("a change of stream name flushes the text of the previous one", () => {
    const { outputs, published } = recording();
    outputs.stream("stdout", "out1 ");
    outputs.stream("stdout", "out2");
    outputs.stream("stderr", "err");
    assert.deepEqual(
      published.map((p) => p.content),
      [{ name: "stdout", text: "out1 out2" }],
    );
    outputs.stream("stdout", "out3");
    outputs.flush();
    assert.deepEqual(
      published.map((p) => p.content),
      [
        { name: "stdout", text: "out1 out2" },
        { name: "stderr", text: "err" },
        { name: "stdout", text: "out3" },
      ],
    );
  });

  test("empty stream text publishes nothing", () => {
    const { outputs, published } = recording();
    outputs.stream("stdout", "");
    outputs.flush();
    assert.deepEqual(published, []);
  });

  test("buffered stream text is flushed by a timer without an explicit flush", async () => {
    const { outputs, published } = recording();
    outputs.stream("stderr", "later");
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(
      published.map((p) => p.content),
      [{ name: "stderr", text: "later" }],
    );
  });

  test("publish flushes pending stream text first, keeping the order", () => {
    const { outputs, published } = recording();
    outputs.stream("stdout", "before");
    outputs.publish("display_data", { data: {}, metadata: {} });
    assert.deepEqual(
      published.map((p) => p.msgType),
      ["stream", "display_data"],
    );
  });

  test("messages are parented to the current request, passing buffers along", () => {
    const { outputs, published } = recording();
    outputs.parent = request;
    const buf = new Uint8Array([1]);
    outputs.publish("comm_msg", { comm_id: "c" }, [buf]);
    outputs.stream("stdout", "x");
    outputs.flush();
    assert.equal(published[0]!.parent, request);
    assert.deepEqual(published[0]!.buffers, [buf]);
    assert.equal(published[1]!.parent, request);
  });

  test("display publishes display_data, or update_display_data, with the display id as transient", () => {
    const { outputs, published } = recording();
    const content = { data: { "text/plain": "x" }, metadata: {} };
    outputs.display(content, "d1", false);
    outputs.display(content, "d1", true);
    assert.deepEqual(
      published.map((p) => [p.msgType, p.content]),
      [
        ["display_data", { ...content, transient: { display_id: "d1" } }],
        ["update_display_data", { ...content, transient: { display_id: "d1" } }],
      ],
    );
  });

  test("clear publishes clear_output with wait", () => {
    const { outputs, published } = recording();
    outputs.clear(true);
    assert.deepEqual(
      published.map((p) => [p.msgType, p.content]),
      [["clear_output", { wait: true }]],
    );
  });

  test("settled waits for tracked promises, including ones tracked while waiting", async () => {
    const { outputs, published } = recording();
    const order: string[] = [];
    outputs.track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          order.push("first");
          outputs.track(
            new Promise<void>((r) =>
              setTimeout(() => {
                order.push("second");
                outputs.stream("stdout", "done");
                r();
              }, 10),
            ),
          );
          resolve();
        }, 10),
      ),
    );
    await outputs.settled();
    assert.deepEqual(order, ["first", "second"]);
    assert.deepEqual(
      published.map((p) => p.content),
      [{ name: "stdout", text: "done" }],
      "settled flushes the streams",
    );
  });

  test("settled does not reject when tracked work fails", async () => {
    const { outputs } = recording();
    outputs.track(Promise.reject(new Error("ignored")));
    await assert.doesNotReject(outputs.settled());
  });

  test("settled resolves at once when nothing is tracked", async () => {
    const { outputs } = recording();
    await outputs.settled();
  });

  test("abandonPending ends a wait for work that will never settle, and ordering restarts", async () => {
    const { outputs, published } = recording();
    // As after V8 dropped the microtask that would have finished it.
    outputs.inOrder(
      new Promise<never>(() => {}),
      () => {},
      () => {},
    );
    const settled = outputs.settled();
    outputs.abandonPending();
    await settled;
    outputs.inOrder(
      "next",
      (text) => outputs.stream("stdout", text),
      (e) => assert.fail(String(e)),
    );
    outputs.flush();
    assert.deepEqual(
      published.map((p) => p.content),
      [{ name: "stdout", text: "next" }],
      "a new output does not queue behind the abandoned one",
    );
  });
});
