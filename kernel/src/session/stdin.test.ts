import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { InputRelay } from "../protocol/input-relay.js";
import type { Message } from "../protocol/messages.js";
import { newHeader } from "../protocol/wire.js";
import { Stdin } from "./stdin.js";

function message(msgType: string, content: Record<string, unknown>, parent?: Message): Message {
  return {
    identities: parent?.identities ?? [Buffer.from("front-end")],
    header: newHeader(msgType, "session"),
    parent_header: parent?.header ?? {},
    metadata: {},
    content,
    buffers: [],
  };
}

/** A Stdin wired to a relay in this thread, as main.ts wires it to the transport worker's. */
function wired() {
  const channel = new MessageChannel();
  const answers = new Int32Array(new SharedArrayBuffer(4));
  const relay = new InputRelay(channel.port2, answers);
  const sent: Message[] = [];
  const stdin = new Stdin({
    signal: { port: channel.port1, answers },
    send: (request) => {
      relay.request(request);
      sent.push(request as Message);
    },
    message: (msgType, content, parent) => message(msgType, content, parent),
  });
  const close = () => channel.port1.close();
  return { stdin, relay, sent, close };
}

const execute = (content: Record<string, unknown> = {}) =>
  message("execute_request", { code: "", ...content });

describe("Stdin with the input relay", () => {
  test("read() sends input_request to the cell's front end and resolves with its reply", async () => {
    const { stdin, relay, sent, close } = wired();
    stdin.parent = execute();
    const answer = stdin.read("Name: ", true, "input()");
    const [request] = sent;
    assert.equal(request?.header.msg_type, "input_request");
    assert.deepEqual(request?.content, { prompt: "Name: ", password: true });
    assert.deepEqual(request?.identities, stdin.parent.identities);
    assert.equal(relay.reply(message("input_reply", { value: "Ada" }, request)), true);
    assert.equal(await answer, "Ada");
    close();
  });

  test("a reply to another request is not taken for this one; one without a parent is", async () => {
    const { stdin, relay, sent, close } = wired();
    stdin.parent = execute();
    const answer = stdin.read("?", false, "input()");
    const stranger = message("input_request", {});
    assert.equal(relay.reply(message("input_reply", { value: "no" }, stranger)), false);
    assert.equal(relay.reply(message("input_reply", { value: "yes" }, sent[0])), true);
    assert.equal(await answer, "yes");
    // jupyter_client's input() sends its reply without a parent: it answers the pending one.
    const next = stdin.read("?", false, "input()");
    assert.equal(relay.reply(message("input_reply", { value: "orphan" })), true);
    assert.equal(await next, "orphan");
    assert.equal(relay.reply(message("input_reply", { value: "nobody asked" })), false);
    close();
  });

  test("an interrupt ends the wait with KeyboardInterrupt, and the next read works", async () => {
    const { stdin, relay, sent, close } = wired();
    stdin.parent = execute();
    const first = stdin.read("?", false, "input()");
    relay.interrupt();
    await assert.rejects(first, { name: "KeyboardInterrupt" });
    // SIGINT reaches the main thread only: Stdin.interrupt() ends the wait there.
    const second = stdin.read("?", false, "input()");
    stdin.interrupt();
    await assert.rejects(second, { name: "KeyboardInterrupt" });
    const third = stdin.read("again?", false, "input()");
    relay.reply(message("input_reply", { value: "3" }, sent[2]));
    assert.equal(await third, "3");
    close();
  });

  test("allow_stdin: false fails at once, naming the reason", () => {
    const { stdin, sent, close } = wired();
    stdin.parent = execute({ allow_stdin: false });
    assert.throws(() => stdin.readSync("?", false, "prompt()"), {
      name: "StdinNotImplementedError",
      message: /prompt\(\) needs a front end that answers input requests.*allow_stdin: false/,
    });
    assert.equal(sent.length, 0);
    close();
  });

  test("outside a running cell, and in a kernel without stdin, reads fail clearly", async () => {
    const { stdin, close } = wired();
    await assert.rejects(stdin.read("?", false, "input()"), /works while a cell runs/);
    const bare = new Stdin();
    bare.parent = execute();
    assert.throws(() => bare.readSync("?", false, "prompt()"), /no stdin channel/);
    close();
  });
});
