/**
 * Shell request handlers, one per message type. Each gets the request and returns the
 * reply's content (the reply type is derived from the request type), or undefined for
 * messages that take no reply (comm_*). The dispatcher in kernel.ts publishes busy/idle.
 */
import type { Message } from "./protocol/messages.js";
import { PROTOCOL_VERSION } from "./protocol/messages.js";
import type { KernelState } from "./kernel.js";
import { isShown, toBundle } from "./display/bundle.js";
import { runtimeError } from "./cells/errors.js";
import type { HistoryRequest } from "./session/history.js";

export type Handler = (
  k: KernelState,
  msg: Message,
) => Promise<Record<string, unknown> | undefined>;

const HELP = /^\s*\?\s*([\s\S]+?)\s*$|^\s*([\s\S]+?)\s*\?\s*$/;

export const handlers: Record<string, Handler> = {
  async kernel_info_request(k) {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "tessera",
      implementation_version: k.version,
      language_info: {
        name: "typescript",
        version: k.typescriptVersion,
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        codemirror_mode: { name: "javascript", typescript: true },
        nbconvert_exporter: "script",
      },
      banner: `Tessera ${k.version}: TypeScript ${k.typescriptVersion} on Node.js ${process.version}, GPU APIs for CAGRA and AutoChunk`,
      help_links: [
        { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/" },
        { text: "Node.js API", url: "https://nodejs.org/api/" },
      ],
    };
  },

  async execute_request(k, msg) {
    const c = msg.content;
    const code = typeof c["code"] === "string" ? c["code"] : "";
    const silent = c["silent"] === true;
    const storeHistory = silent ? false : c["store_history"] !== false;
    if (storeHistory) k.executionCount++;
    const count = k.executionCount;
    if (!silent) k.outputs.publish("execute_input", { code, execution_count: count });
    if (storeHistory) k.history.record(count, code);

    const help = HELP.exec(code);
    if (help && !code.includes("\n")) {
      const expr = (help[1] ?? help[2])!;
      const info = await k.executor.inspect(expr, expr.length);
      const text = info
        ? [info.text, info.documentation].filter(Boolean).join("\n\n")
        : `No information about "${expr}".`;
      return ok(count, [{ source: "page", data: { "text/plain": text }, start: 0 }]);
    }

    const result = await k.executor.execute(code);
    // One turn of the event loop lets rejections the cell left unhandled be reported
    // (on stderr) under this cell rather than the next.
    await new Promise((resolve) => setImmediate(resolve));
    await k.outputs.settled();
    let error = result.status === "error" ? result : undefined;
    if (result.status === "ok" && result.hasValue && !isShown(result.value) && !silent) {
      try {
        const bundle = await toBundle(result.value);
        k.outputs.publish("execute_result", { execution_count: count, ...bundle });
        const text = bundle.data["text/plain"];
        if (storeHistory && typeof text === "string") k.history.setOutput(count, text);
      } catch (e) {
        error = { status: "error", ...runtimeError(e) };
      }
    }
    if (error) {
      const { ename, evalue, traceback } = error;
      k.outputs.publish("error", { ename, evalue, traceback });
      if (c["stop_on_error"] !== false) k.abortQueuedExecutions();
      return { status: "error", execution_count: count, ename, evalue, traceback };
    }
    return ok(count, [], await userExpressions(k, c["user_expressions"]));
  },

  async complete_request(k, msg) {
    const code = String(msg.content["code"] ?? "");
    const pos = utf16Offset(code, Number(msg.content["cursor_pos"] ?? code.length));
    const c = await k.executor.complete(code, pos);
    return {
      status: "ok",
      matches: c.matches,
      cursor_start: codePointOffset(code, c.start),
      cursor_end: codePointOffset(code, c.end),
      metadata: {},
    };
  },

  async inspect_request(k, msg) {
    const code = String(msg.content["code"] ?? "");
    const pos = utf16Offset(code, Number(msg.content["cursor_pos"] ?? code.length));
    const info = await k.executor.inspect(code, pos);
    if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
    const text = [info.text, info.documentation].filter(Boolean).join("\n\n");
    return {
      status: "ok",
      found: true,
      data: {
        "text/plain": text,
        "text/markdown":
          "```typescript\n" +
          info.text +
          "\n```" +
          (info.documentation ? "\n\n" + info.documentation : ""),
      },
      metadata: {},
    };
  },

  async is_complete_request(k, msg) {
    return { ...(await k.executor.isComplete(String(msg.content["code"] ?? ""))) };
  },

  async history_request(k, msg) {
    return { status: "ok", history: k.history.query(msg.content as unknown as HistoryRequest) };
  },

  async comm_info_request(k, msg) {
    const target = msg.content["target_name"];
    return { status: "ok", comms: k.comms.info(typeof target === "string" ? target : undefined) };
  },

  async comm_open(k, msg) {
    await k.comms.handleOpen(msg.content, msg.buffers);
    return undefined;
  },

  async comm_msg(k, msg) {
    await k.comms.handleMessage(msg.content, msg.buffers);
    return undefined;
  },

  async comm_close(k, msg) {
    await k.comms.handleClose(msg.content, msg.buffers);
    return undefined;
  },
};

function ok(count: number, payload: unknown[], userExpressions: Record<string, unknown> = {}) {
  return { status: "ok", execution_count: count, payload, user_expressions: userExpressions };
}

/**
 * An execute_request's user_expressions, each evaluated after the cell (as a cell of its
 * own that shows nothing) and returned as a MIME bundle or as the error it raised.
 */
async function userExpressions(
  k: KernelState,
  requested: unknown,
): Promise<Record<string, unknown>> {
  if (typeof requested !== "object" || requested === null) return {};
  const results: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(requested)) {
    if (typeof expression !== "string") {
      const evalue = `user expression "${name}" is not a string`;
      results[name] = { status: "error", ename: "TypeError", evalue, traceback: [evalue] };
      continue;
    }
    const result = await k.executor.execute(expression);
    if (result.status === "error") {
      const { ename, evalue, traceback } = result;
      results[name] = { status: "error", ename, evalue, traceback };
      continue;
    }
    try {
      const bundle = await toBundle(result.hasValue ? result.value : undefined);
      results[name] = { status: "ok", ...bundle };
    } catch (e) {
      results[name] = { status: "error", ...runtimeError(e) };
    }
  }
  return results;
}

/** Protocol 5.2 counts cursor positions in Unicode code points; JS strings in UTF-16 units. */
function utf16Offset(s: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < s.length; n++) i += s.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

function codePointOffset(s: string, utf16: number): number {
  return [...s.slice(0, utf16)].length;
}
