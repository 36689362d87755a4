/**
 * Measuring helpers shared by the widget benchmark modules: the page (clearing it, timing a
 * mount, frame intervals while acting), a real Tessera kernel with a comm on `tessera`, and
 * the numbers (median, rounding). Not a benchmark: it exports no `run`, so
 * bench/widgets.bench.ts passes it over.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { JupyterClient, newConnectionInfo } from "../jupyter-client.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The middle value (the upper one of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

export function round(v: number, digits = 1): number {
  return Number(v.toFixed(digits));
}

/** Disposes the last mounted widget (`window.handle`) and empties #root. */
export async function clear(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { handle?: { dispose(): void } };
    w.handle?.dispose();
    w.handle = undefined;
    document.getElementById("root")!.replaceChildren();
  });
}

/**
 * Clears the page, parses `json` there (untimed), then times mountWidget → the drawing: with
 * `drawn`, until the widget sets #root's `data-drawn`, then `frames` animation frames. The
 * handle is kept as `window.handle`.
 */
export async function mountTimed(
  page: Page,
  mime: string,
  json: string,
  wait: { drawn?: boolean; frames: number },
): Promise<number> {
  await clear(page);
  await page.evaluate(
    (json) => ((window as unknown as { payload: unknown }).payload = JSON.parse(json)),
    json,
  );
  return page.evaluate(
    async ({ mime, wait }) => {
      const w = window as unknown as {
        tesseraViz: typeof import("../../viz/src/dom.ts");
        payload: unknown;
        handle?: unknown;
      };
      const spec = w.tesseraViz.WIDGETS.find((s) => s.mimeType === mime)!;
      const root = document.getElementById("root")!;
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const start = performance.now();
      w.handle = w.tesseraViz.mountWidget(root, spec, w.payload);
      if (wait.drawn) while (!root.dataset.drawn) await frame();
      for (let i = 0; i < wait.frames; i++) await frame();
      return performance.now() - start;
    },
    { mime, wait },
  );
}

/** The median requestAnimationFrame interval while `act` runs. */
export async function frames(page: Page, act: () => Promise<void>): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { frameTimes: number[]; recorder: number };
    // A new recorder stops the old one's loop (its callbacks see another generation).
    const generation = (w.recorder = (w.recorder ?? 0) + 1);
    w.frameTimes = [];
    const loop = (t: number) => {
      if (w.recorder !== generation) return;
      w.frameTimes.push(t);
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  await act();
  const times = await page.evaluate(() => {
    const w = window as unknown as { frameTimes: number[]; recorder: number };
    w.recorder++;
    return w.frameTimes;
  });
  return median(times.slice(1).map((t, i) => t - times[i]!));
}

/** A Tessera kernel (kernel/dist/main.js) in a temporary folder, driven by a JupyterClient. */
export interface BenchKernel {
  client: JupyterClient;
  /** Opens comm `comm` on target `tessera` for the live widget `widget`, as the extension does. */
  openComm(comm: string, widget: string): Promise<void>;
  /** Sends request `request` on `comm` and waits for its reply; `ms`: send → reply. */
  call(
    comm: string,
    request: number,
    method: string,
    params: Record<string, unknown>,
  ): Promise<{ answer: Awaited<ReturnType<JupyterClient["next"]>>; ms: number }>;
  /** Asks the kernel to shut down, kills it and removes its folder. */
  close(): Promise<void>;
}

/** Starts a kernel and waits until it answers kernel_info and its iopub is connected. */
export async function startKernel(name: string): Promise<BenchKernel> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `tessera-bench-${name}-`));
  const info = await newConnectionInfo();
  const file = path.join(tmp, "kernel.json");
  writeFileSync(file, JSON.stringify(info));
  const client = new JupyterClient(info);
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "kernel/dist/main.js"), "--connection-file", file],
    { cwd: tmp, stdio: "ignore" },
  );
  const close = async () => {
    client.send("control", client.request("shutdown_request", { restart: false })).catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGKILL");
    client.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await client.firstKernelInfo(20, 60_000);
    await client.iopubReady(20, 10_000);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    client,
    close,
    openComm: (comm, widget) =>
      client.send(
        "shell",
        client.request("comm_open", { comm_id: comm, target_name: "tessera", data: { widget } }),
      ),
    async call(comm, request, method, params) {
      const msg = client.request("comm_msg", {
        comm_id: comm,
        data: { request, method, params },
      });
      const reply = client.next(
        (ch, m) =>
          ch === "iopub" &&
          m.header.msg_type === "comm_msg" &&
          (m.content["data"] as { reply?: number }).reply === request,
        30_000,
        `reply ${request}`,
      );
      const start = performance.now();
      await client.send("shell", msg);
      const answer = await reply;
      return { answer, ms: performance.now() - start };
    },
  };
}
