/**
 * A real JupyterLab for browser tests: the server from .venv with the kernelspec and the
 * prebuilt extension installed, serving notebooks written to a temporary folder, and
 * Debian's Chromium driven by playwright-core (no browser is downloaded).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ARTIFACTS, VENV, killGroup, requireFile, tail } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
const JUPYTER = path.join(VENV, "bin", "jupyter");
/** How JupyterLab marks error and stderr outputs. */
export const STDERR = "application/vnd.jupyter.stderr";
/** The class the extension puts on each of its outputs (extension/src/renderer.ts). */
export const WIDGET_CLASS = "jp-TesseraWidget";

/** A notebook with one code cell per source, for the Tessera kernel. */
export function notebook(sources: readonly string[]): object {
  return {
    cells: sources.map((source, i) => ({
      cell_type: "code",
      execution_count: null,
      id: `cell-${i}`,
      metadata: {},
      outputs: [],
      source,
    })),
    metadata: {
      kernelspec: { name: "tessera", display_name: "TypeScript (Tessera)", language: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export interface Lab {
  readonly browser: Browser;
  /** The folder JupyterLab serves (notebooks are written there). */
  readonly root: string;
  /** Opens `name` (a path under `root`) in a new page and waits for an idle Tessera kernel. */
  open(name: string): Promise<Page>;
  /** The server's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts JupyterLab on `notebooks` (file name → notebook JSON) and a browser.
 *
 * @example
 * const lab = await startLab({ "a.ipynb": notebook(["1 + 1"]) });
 * const page = await lab.open("a.ipynb");
 * await runCell(page, 0);
 */
export async function startLab(notebooks: Record<string, object>): Promise<Lab> {
  requireFile(
    CHROMIUM,
    "Debian's chromium is not installed; run bash scripts/setup.sh as root (or with sudo)",
  );
  requireFile(JUPYTER, "no .venv: run bash scripts/setup.sh");
  const token = randomBytes(16).toString("hex");
  const home = await mkdtemp(path.join(os.tmpdir(), "tessera-browser-"));
  const root = path.join(home, "notebooks");
  await mkdir(root);
  for (const [name, nb] of Object.entries(notebooks)) {
    await writeFile(path.join(root, name), JSON.stringify(nb));
  }
  // No news or update checks: no network, and no pop-up over the screenshot.
  const settings = path.join(home, "settings", "@jupyterlab", "apputils-extension");
  await mkdir(settings, { recursive: true });
  await writeFile(
    path.join(settings, "notification.jupyterlab-settings"),
    JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
  );
  const port = await freePort();
  let output = "";
  const lab: ChildProcess = spawn(
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
  lab.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  lab.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (lab.exitCode === null) {
      const exited = new Promise((resolve) => lab.once("exit", resolve));
      await fetch(`${base}/api/shutdown?token=${token}`, { method: "POST" }).catch(() => {});
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      killGroup(lab.pid);
    }
    await rm(home, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    await waitForServer(lab, base, token, () => output, 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    browser,
    root,
    log: () => output,
    async open(name) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${base}/lab/tree/${name}?token=${token}&reset`);
      await waitForIdleKernel(page, base, token);
      return page;
    },
    async stop() {
      await browser.close().catch(() => {});
      await stop();
    },
  };
}

/**
 * Runs cell `index` (selected by a click, run with Shift+Enter, as a user does) and waits
 * until it has finished (its prompt shows a number); fails with the cell's error output.
 */
export async function runCell(page: Page, index: number, timeoutMs = 120_000): Promise<void> {
  const cell = page.locator(".jp-Notebook .jp-Cell").nth(index);
  await cell.locator(".cm-content").click();
  await page.keyboard.press("Shift+Enter");
  const prompt = cell.locator(".jp-InputArea-prompt");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await prompt.textContent()) ?? "";
    if (/\[\d+\]/.test(text)) break;
    if (Date.now() > deadline)
      throw new Error(`cell ${index} did not finish within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(100);
  }
  const error = cell.locator(`.jp-OutputArea-output[data-mime-type="${STDERR}"]`);
  if ((await error.count()) > 0)
    throw new Error(`cell ${index} failed:\n${await error.first().textContent()}`);
}

/** Switches JupyterLab's theme as a user does, from the Settings menu. */
export async function switchTheme(
  page: Page,
  theme: "JupyterLab Dark" | "JupyterLab Light",
): Promise<void> {
  await page.mouse.move(0, 0);
  await page.locator(".lm-MenuBar-itemLabel", { hasText: "Settings" }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Theme$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: new RegExp(`^${theme}$`) }).click();
  await page.keyboard.press("Escape");
}

/** Saves a screenshot of the page (or of one element) to tests/artifacts/`name`.png. */
export async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path: file });
  else await page.screenshot({ path: file });
}

/**
 * Opens `name` in a new page, runs `body` on it and closes the page; a failure comes back
 * with the end of JupyterLab's log and a screenshot (tests/artifacts/`artifact`-failure.png).
 *
 * @example
 * test("a cell runs", () => inPage(lab, "a.ipynb", "browser-a", (page) => runCell(page, 0)));
 */
export async function inPage(
  lab: Lab,
  name: string,
  artifact: string,
  body: (page: Page) => Promise<void>,
): Promise<void> {
  const page = await lab.open(name);
  try {
    await body(page);
  } catch (e) {
    throw await failure(lab, page, artifact, e);
  } finally {
    await page.close();
  }
}

/** A failure message with the end of JupyterLab's log, and a screenshot of the page. */
export async function failure(lab: Lab, page: Page, name: string, e: unknown): Promise<Error> {
  await screenshot(page, `${name}-failure`).catch(() => {});
  return new Error(`${(e as Error).message}\n--- JupyterLab's log ---\n${tail(lab.log(), 4000)}`, {
    cause: e,
  });
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

async function waitForServer(
  lab: ChildProcess,
  base: string,
  token: string,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (lab.exitCode !== null)
      throw new Error(`JupyterLab exited (${lab.exitCode}):\n${tail(output())}`);
    try {
      const res = await fetch(`${base}/api/status?token=${token}`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`JupyterLab did not serve within ${timeoutMs / 1000} s:\n${tail(output())}`);
}

/** The notebook's session has a Tessera kernel that is idle, and the notebook is on screen. */
async function waitForIdleKernel(page: Page, base: string, token: string): Promise<void> {
  await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 60_000 });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/api/sessions?token=${token}`);
    const sessions = (await res.json()) as { kernel?: { name: string; execution_state: string } }[];
    const kernel = sessions.find((s) => s.kernel?.name === "tessera")?.kernel;
    if (kernel?.execution_state === "idle") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the Tessera kernel did not become idle within 90 s");
}
