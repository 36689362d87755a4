/**
 * Tessera in a real JupyterLab: the server from .venv with the kernelspec and the prebuilt
 * extension installed, a notebook opened in Debian's Chromium (driven by playwright-core;
 * no browser is downloaded), a memory timeline displayed and rendered by the extension.
 * The screenshot goes to tests/artifacts/browser-memory-timeline.png.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { ARTIFACTS, VENV, killGroup, requireFile, tail } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
const JUPYTER = path.join(VENV, "bin", "jupyter");
/** The class the extension's memory-timeline renderer puts on its output (extension/src). */
const RENDERER_CLASS = "jp-TesseraMemoryTimeline";
/** How JupyterLab marks error and stderr outputs. */
const STDERR = "application/vnd.jupyter.stderr";
const NOTEBOOK = "memory-timeline.ipynb";

/** The cell under test: 144 MiB at the peak, when the two score matrices are both live. */
const CELL = `import { MemoryTracker } from "@tessera/gpu";
import { memoryTimeline } from "@tessera/kernel";

const mem = new MemoryTracker();
const mib = 2 ** 20;
const q = mem.alloc(16 * mib, "q", "linear");
const scores = mem.alloc(64 * mib, "scores", "matmul");
const probs = mem.alloc(64 * mib, "probs", "softmax");
mem.free(scores);
mem.free(probs);
mem.free(q);
memoryTimeline(mem)`;

const notebook = {
  cells: [
    {
      cell_type: "code",
      execution_count: null,
      id: "timeline",
      metadata: {},
      outputs: [],
      source: CELL,
    },
  ],
  metadata: {
    kernelspec: { name: "tessera", display_name: "TypeScript (Tessera)", language: "typescript" },
  },
  nbformat: 4,
  nbformat_minor: 5,
};

const token = randomBytes(16).toString("hex");
let home: string;
let port: number;
let lab: ChildProcess | undefined;
let labOutput = "";
let browser: Browser | undefined;

before(async () => {
  requireFile(
    CHROMIUM,
    "Debian's chromium is not installed; run bash scripts/setup.sh as root (or with sudo)",
  );
  requireFile(JUPYTER, "no .venv: run bash scripts/setup.sh");
  home = await mkdtemp(path.join(os.tmpdir(), "tessera-browser-"));
  const root = path.join(home, "notebooks");
  await mkdir(root);
  await writeFile(path.join(root, NOTEBOOK), JSON.stringify(notebook));
  // No news or update checks: no network, and no pop-up over the screenshot.
  const settings = path.join(home, "settings", "@jupyterlab", "apputils-extension");
  await mkdir(settings, { recursive: true });
  await writeFile(
    path.join(settings, "notification.jupyterlab-settings"),
    JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
  );
  port = await freePort();
  lab = spawn(
    JUPYTER,
    [
      "lab",
      "--no-browser",
      `--port=${port}`,
      "--ip=127.0.0.1",
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      "--ServerApp.disable_check_xsrf=True",
      // JupyterLab refuses root without it; CI and containers run as root.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    {
      // Settings, workspaces and runtime files of this run only, not the user's.
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: path.join(home, "config"),
        JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
        JUPYTERLAB_SETTINGS_DIR: path.join(home, "settings"),
        JUPYTERLAB_WORKSPACES_DIR: path.join(home, "workspaces"),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that killing it kills whatever it left running.
      detached: true,
    },
  );
  lab.stdout!.on("data", (b: Buffer) => (labOutput += b.toString()));
  lab.stderr!.on("data", (b: Buffer) => (labOutput += b.toString()));
  await waitForServer(60_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopLab();
  if (home) await rm(home, { recursive: true, force: true });
});

test(
  "a memory timeline renders through the extension in JupyterLab",
  { timeout: 240_000 },
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${port}/lab/tree/${NOTEBOOK}?token=${token}`);
      await waitForIdleKernel(page);

      await page.locator(".jp-Cell .cm-content").first().click();
      await page.keyboard.press("Shift+Enter");

      // The extension's renderer (its class), not the image/svg+xml fallback, which
      // JupyterLab's own renderer would mark with data-mime-type.
      const rendered = page.locator(`.jp-OutputArea-output.${RENDERER_CLASS}`);
      const error = page.locator(`.jp-OutputArea-output[data-mime-type="${STDERR}"]`);
      await rendered.locator("svg").or(error).first().waitFor({ timeout: 120_000 });
      if ((await error.count()) > 0) assert.fail(`the cell failed:\n${await error.textContent()}`);
      assert.match((await rendered.textContent()) ?? "", /peak 144 MiB/);
      assert.equal(
        await page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"]').count(),
        0,
      );

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, "browser-memory-timeline.png") });
    } catch (e) {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, "browser-failure.png") }).catch(() => {});
      throw new Error(
        `${(e as Error).message}\n--- JupyterLab's log ---\n${tail(labOutput, 4000)}`,
        { cause: e },
      );
    } finally {
      await page.close();
    }
  },
);

/** Asks JupyterLab to shut down, which ends its kernels, then kills what is left. */
async function stopLab(): Promise<void> {
  if (lab === undefined || lab.exitCode !== null) return;
  const exited = new Promise((resolve) => lab!.once("exit", resolve));
  const shutdown = `http://127.0.0.1:${port}/api/shutdown?token=${token}`;
  await fetch(shutdown, { method: "POST" }).catch(() => {});
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  killGroup(lab.pid);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (lab?.exitCode !== null)
      throw new Error(`JupyterLab exited (${lab?.exitCode}):\n${tail(labOutput)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`JupyterLab did not serve within ${timeoutMs / 1000} s:\n${tail(labOutput)}`);
}

/** The notebook's session has a Tessera kernel that is idle, and the notebook is on screen. */
async function waitForIdleKernel(page: Page): Promise<void> {
  await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 60_000 });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${port}/api/sessions?token=${token}`);
    const sessions = (await res.json()) as { kernel?: { name: string; execution_state: string } }[];
    const kernel = sessions.find((s) => s.kernel?.name === "tessera")?.kernel;
    if (kernel?.execution_state === "idle") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the Tessera kernel did not become idle within 90 s");
}
