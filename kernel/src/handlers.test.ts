import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import type { CellExecutor, CellResult } from "./cells/executor.js";
import { CommManager } from "./comms/manager.js";
import { JUPYTER_DISPLAY, markShown } from "./display/bundle.js";
import { handlers } from "./handlers.js";
import type { KernelState } from "./kernel.js";
import type { Message } from "./protocol/messages.js";
import { newHeader } from "./protocol/wire.js";
import { History } from "./session/history.js";
import { Stdin } from "./session/stdin.js";
import { Outputs } from "./session/outputs.js";

interface Published {
  msgType: string;
  content: Record<string, unknown>;
}

/** A KernelState whose executor answers from `results` and records its calls. */
function fakeKernel(results: CellResult[] = []) {
  const published: Published[] = [];
  const calls: string[] = [];
  let aborted = 0;
  const outputs = new Outputs((msgType, content) => published.push({ msgType, content }));
  const executor = {
    async execute(code: string) {
      calls.push(`execute ${code}`);
      return results.shift() ?? { status: "ok", hasValue: false };
    },
    async inspect(code: string, position: number) {
      calls.push(`inspect ${code} ${position}`);
      return code === "known"
        ? { text: "const known: number", documentation: "The answer." }
        : undefined;
    },
    async complete(code: string, position: number) {
      calls.push(`complete ${position}`);
      return { start: position - 2, end: position, matches: ["foo", "for"] };
    },
    async isComplete(code: string) {
      calls.push(`isComplete ${code}`);
      return { status: "incomplete", indent: "  " };
    },
  } as unknown as CellExecutor;
  const k: KernelState = {
    version: "9.9.9",
    typescriptVersion: "5.0.0-test",
    executionCount: 0,
    executor,
    history: new History(1),
    comms: new CommManager((msgType, content, buffers) =>
      outputs.publish(msgType, content, buffers),
    ),
    outputs,
    stdin: new Stdin(),
    abortQueuedExecutions() {
      aborted++;
    },
  };
  return { k, published, calls, aborted: () => aborted };
}

function request(msgType: string, content: Record<string, unknown>): Message {
  return {
    identities: [],
    header: newHeader(msgType, "test"),
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

async function handle(k: KernelState, msgType: string, content: Record<string, unknown> = {}) {
  const handler = handlers[msgType];
  assert.ok(handler, `no handler for ${msgType}`);
  return handler(k, request(msgType, content));
}

describe("handlers", () => {
  let fake: ReturnType<typeof fakeKernel>;
  beforeEach(() => {
    fake = fakeKernel();
  });

  test("kernel_info_request describes the kernel and TypeScript as its language", async () => {
    const r = (await handle(fake.k, "kernel_info_request"))!;
    assert.equal(r["status"], "ok");
    assert.equal(r["protocol_version"], "5.3");
    assert.equal(r["implementation"], "tessera");
    assert.equal(r["implementation_version"], "9.9.9");
    assert.deepEqual(
      {
        ...(r["language_info"] as Record<string, unknown>),
        codemirror_mode: undefined,
      },
      {
        name: "typescript",
        version: "5.0.0-test",
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        codemirror_mode: undefined,
        nbconvert_exporter: "script",
      },
    );
    assert.match(String(r["banner"]), /Tessera 9\.9\.9: TypeScript 5\.0\.0-test/);
  });

  test("execute_request counts the cell, echoes the input, publishes the result and records history", async () => {
    fake = fakeKernel([{ status: "ok", hasValue: true, value: 42 }]);
    const r = await handle(fake.k, "execute_request", { code: "6 * 7" });
    assert.deepEqual(r, { status: "ok", execution_count: 1, payload: [], user_expressions: {} });
    assert.equal(fake.k.executionCount, 1);
    assert.deepEqual(fake.published, [
      { msgType: "execute_input", content: { code: "6 * 7", execution_count: 1 } },
      {
        msgType: "execute_result",
        content: { execution_count: 1, data: { "text/plain": "42" }, metadata: {} },
      },
    ]);
    assert.deepEqual(fake.k.history.query({ hist_access_type: "tail", n: 1, output: true }), [
      [1, 1, ["6 * 7", "42"]],
    ]);
  });

  test("execute_request evaluates user_expressions after the cell, as bundles or errors", async () => {
    fake = fakeKernel([
      { status: "ok", hasValue: false },
      { status: "ok", hasValue: true, value: [1, 2] },
      { status: "error", ename: "TypeError", evalue: "Cannot find name 'nope'.", traceback: ["x"] },
    ]);
    const r = await handle(fake.k, "execute_request", {
      code: "const pair = [1, 2];",
      user_expressions: { pair: "pair", bad: "nope", odd: 42 },
    });
    assert.deepEqual(r?.["user_expressions"], {
      pair: { status: "ok", data: { "text/plain": "[ 1, 2 ]" }, metadata: {} },
      bad: {
        status: "error",
        ename: "TypeError",
        evalue: "Cannot find name 'nope'.",
        traceback: ["x"],
      },
      odd: {
        status: "error",
        ename: "TypeError",
        evalue: 'user expression "odd" is not a string',
        traceback: ['user expression "odd" is not a string'],
      },
    });
    assert.deepEqual(fake.calls.slice(-3), [
      "execute const pair = [1, 2];",
      "execute pair",
      "execute nope",
    ]);
    assert.deepEqual(
      fake.published.map((p) => p.msgType),
      ["execute_input"],
      "user expressions show nothing",
    );
  });

  test("execute_request of a cell without a value publishes no execute_result", async () => {
    await handle(fake.k, "execute_request", { code: "const a = 1;" });
    assert.deepEqual(
      fake.published.map((p) => p.msgType),
      ["execute_input"],
    );
  });

  test("a silent execute_request is not counted, echoed, shown or recorded", async () => {
    fake = fakeKernel([{ status: "ok", hasValue: true, value: 1 }]);
    const r = await handle(fake.k, "execute_request", { code: "1", silent: true });
    assert.equal(r!["execution_count"], 0);
    assert.equal(fake.k.executionCount, 0);
    assert.deepEqual(fake.published, []);
    assert.deepEqual(fake.k.history.query({ hist_access_type: "tail" }), []);
    assert.deepEqual(fake.calls, ["execute 1"]);
  });

  test("store_history: false runs the cell without counting or recording it", async () => {
    await handle(fake.k, "execute_request", { code: "x", store_history: false });
    assert.equal(fake.k.executionCount, 0);
    assert.deepEqual(fake.k.history.query({ hist_access_type: "tail" }), []);
    assert.deepEqual(fake.published[0], {
      msgType: "execute_input",
      content: { code: "x", execution_count: 0 },
    });
  });

  test("a failing cell publishes error, aborts the queue and replies with the error", async () => {
    const error = { ename: "RangeError", evalue: "bad", traceback: ["RangeError: bad"] };
    fake = fakeKernel([{ status: "error", ...error }]);
    const r = await handle(fake.k, "execute_request", { code: "boom()" });
    assert.deepEqual(r, { status: "error", execution_count: 1, ...error });
    assert.deepEqual(fake.published.at(-1), { msgType: "error", content: error });
    assert.equal(fake.aborted(), 1);
  });

  test("a failing cell with stop_on_error: false does not abort the queue", async () => {
    fake = fakeKernel([{ status: "error", ename: "E", evalue: "e", traceback: [] }]);
    await handle(fake.k, "execute_request", { code: "x", stop_on_error: false });
    assert.equal(fake.aborted(), 0);
  });

  test("a value whose display fails turns the reply into an error", async () => {
    const bad = { [JUPYTER_DISPLAY]: () => ({ html: "<b>" }) };
    fake = fakeKernel([{ status: "ok", hasValue: true, value: bad }]);
    const r = (await handle(fake.k, "execute_request", { code: "bad" }))!;
    assert.equal(r["status"], "error");
    assert.equal(r["ename"], "TypeError");
    assert.match(String(r["evalue"]), /"html", which is not a MIME type/);
    assert.equal(fake.published.at(-1)!.msgType, "error");
  });

  test("a value that stands for an output already shown (a display handle) is not echoed", async () => {
    fake = fakeKernel([{ status: "ok", hasValue: true, value: markShown({ id: "h" }) }]);
    const r = (await handle(fake.k, "execute_request", { code: "display(1)" }))!;
    assert.equal(r["status"], "ok");
    assert.ok(!fake.published.some((p) => p.msgType === "execute_result"));
  });

  test("execute_request of `name?` or `?name` answers with a help page from inspect", async () => {
    const r = await handle(fake.k, "execute_request", { code: "known?" });
    assert.deepEqual(r, {
      status: "ok",
      execution_count: 1,
      payload: [
        {
          source: "page",
          data: { "text/plain": "const known: number\n\nThe answer." },
          start: 0,
        },
      ],
      user_expressions: {},
    });
    await handle(fake.k, "execute_request", { code: "? unknown " });
    assert.deepEqual(fake.calls, ["inspect known 5", "inspect unknown 7"]);
    const r2 = await handle(fake.k, "execute_request", { code: "?nothing" });
    const page = (r2!["payload"] as { data: Record<string, string> }[])[0]!;
    assert.equal(page.data["text/plain"], 'No information about "nothing".');
  });

  test("a multi-line cell ending in ? is executed, not treated as help", async () => {
    await handle(fake.k, "execute_request", { code: "const a = 1;\na?" });
    assert.deepEqual(fake.calls, ["execute const a = 1;\na?"]);
  });

  test("complete_request converts cursor positions between code points and UTF-16", async () => {
    const code = 'const s = "😀😀"; s.fo';
    const codePoints = [...code].length;
    const r = await handle(fake.k, "complete_request", { code, cursor_pos: codePoints });
    assert.deepEqual(fake.calls, [`complete ${code.length}`]);
    assert.deepEqual(r, {
      status: "ok",
      matches: ["foo", "for"],
      cursor_start: codePoints - 2,
      cursor_end: codePoints,
      metadata: {},
    });
  });

  test("inspect_request gives plain text and markdown when found", async () => {
    const r = await handle(fake.k, "inspect_request", { code: "known", cursor_pos: 2 });
    assert.deepEqual(r, {
      status: "ok",
      found: true,
      data: {
        "text/plain": "const known: number\n\nThe answer.",
        "text/markdown": "```typescript\nconst known: number\n```\n\nThe answer.",
      },
      metadata: {},
    });
  });

  test("inspect_request of something unknown is found: false", async () => {
    assert.deepEqual(await handle(fake.k, "inspect_request", { code: "zzz", cursor_pos: 1 }), {
      status: "ok",
      found: false,
      data: {},
      metadata: {},
    });
  });

  test("is_complete_request answers with the executor's verdict", async () => {
    assert.deepEqual(await handle(fake.k, "is_complete_request", { code: "if (a) {" }), {
      status: "incomplete",
      indent: "  ",
    });
  });

  test("history_request answers from the kernel's history", async () => {
    fake.k.history.record(1, "a");
    fake.k.history.record(2, "b");
    assert.deepEqual(await handle(fake.k, "history_request", { hist_access_type: "tail", n: 1 }), {
      status: "ok",
      history: [[1, 2, "b"]],
    });
  });

  test("comm_info_request lists open comms, filtered by target_name when given", async () => {
    const a = fake.k.comms.open("alpha");
    const b = fake.k.comms.open("beta");
    assert.deepEqual(await handle(fake.k, "comm_info_request"), {
      status: "ok",
      comms: { [a.id]: { target_name: "alpha" }, [b.id]: { target_name: "beta" } },
    });
    assert.deepEqual(await handle(fake.k, "comm_info_request", { target_name: "beta" }), {
      status: "ok",
      comms: { [b.id]: { target_name: "beta" } },
    });
  });

  test("comm_open, comm_msg and comm_close reach the comm manager and take no reply", async () => {
    const got: string[] = [];
    fake.k.comms.registerTarget("echo", (comm) => {
      got.push(`open ${comm.id}`);
      comm.onMessage(({ data }) => void got.push(`msg ${JSON.stringify(data)}`));
      comm.onClose(() => void got.push("close"));
    });
    assert.equal(
      await handle(fake.k, "comm_open", { comm_id: "c", target_name: "echo" }),
      undefined,
    );
    assert.equal(await handle(fake.k, "comm_msg", { comm_id: "c", data: { x: 1 } }), undefined);
    assert.equal(await handle(fake.k, "comm_close", { comm_id: "c" }), undefined);
    assert.deepEqual(got, ["open c", 'msg {"x":1}', "close"]);
    assert.deepEqual(fake.k.comms.info(), {});
  });
});
