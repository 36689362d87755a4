/*
 * Opens viz's renderers in headless Chromium (Debian's binary, driven by playwright-core):
 * `@tessera/viz/dom` bundled by esbuild as the global `tesseraViz`, the widgets' CSS, and a
 * light or dark set of JupyterLab theme variables. Unit tests of renderers and the widget
 * benchmark use it; JupyterLab itself is tested in tests/.
 *
 * In the page: `tesseraViz.mountWidget(element, spec, payload, options)` and the rest of
 * the dom entry; `tesseraViz.WIDGETS` finds a spec by MIME type. Functions passed to
 * `page.evaluate` may declare named inner functions: the page defines the `__name` helper
 * that tsx's compiled test code calls for them.
 */
import { mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const CSS = fileURLToPath(new URL("../style/widgets.css", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS =
  process.env.TESSERA_SCREENSHOTS ??
  fileURLToPath(new URL("../../tests/artifacts/", import.meta.url));

/**
 * Where a test leaves screenshot `name` (.png) for a person to look at: $TESSERA_SCREENSHOTS or
 * the git-ignored tests/artifacts/, created if missing.
 */
export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return `${SCREENSHOTS.replace(/\/?$/, "/")}${name}.png`;
}

/** JupyterLab's main theme variables, enough for widgets to pick their colours. */
const THEMES = {
  light: `--jp-layout-color0:#ffffff;--jp-layout-color1:#ffffff;--jp-ui-font-color0:rgba(0,0,0,1);--jp-ui-font-color1:rgba(0,0,0,0.87);--jp-ui-font-color2:rgba(0,0,0,0.54);--jp-border-color2:#e0e0e0;--jp-brand-color1:#1976d2;--jp-warn-color1:#f57c00;--jp-error-color1:#d32f2f;--jp-content-font-color1:rgba(0,0,0,0.87);--jp-rendermime-error-background:#fdd;`,
  dark: `--jp-layout-color0:#111111;--jp-layout-color1:#212121;--jp-ui-font-color0:rgba(255,255,255,1);--jp-ui-font-color1:rgba(255,255,255,0.87);--jp-ui-font-color2:rgba(255,255,255,0.54);--jp-border-color2:#424242;--jp-brand-color1:#42a5f5;--jp-warn-color1:#ffa726;--jp-error-color1:#ef5350;--jp-content-font-color1:rgba(255,255,255,0.87);--jp-rendermime-error-background:#3a1a1a;`,
} as const;

export type ThemeName = keyof typeof THEMES;

/** A page with the renderers loaded and a `#root` element of the given size. */
export interface WidgetPage {
  readonly page: Page;
  /** Switches the page's theme variables (then call the handle's `redraw`). */
  setTheme(theme: ThemeName): Promise<void>;
  close(): Promise<void>;
}

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [SRC + "dom.ts"],
    bundle: true,
    format: "iife",
    globalName: "tesseraViz",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  }).then((r) => r.outputFiles[0]!.text);
  return bundled;
}

/**
 * Opens Chromium on a page served from localhost (WebGL and workers behave as in JupyterLab).
 *
 * @example
 * const { page, close } = await openWidgetPage({ width: 900, height: 500 });
 * await page.evaluate((p) => { const v = (window as any).tesseraViz; ... }, payload);
 */
export async function openWidgetPage(
  options: { width?: number; height?: number; theme?: ThemeName } = {},
): Promise<WidgetPage> {
  const { width = 1000, height = 700, theme = "light" } = options;
  const [script, css] = await Promise.all([bundle(), readFile(CSS, "utf8")]);
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    :root{${THEMES[theme]}} body{margin:0;background:var(--jp-layout-color0);font-family:system-ui,sans-serif}
    #root{width:${width}px;height:${height}px}
    ${css}</style></head><body><div id="root"></div><script>var __name = (f) => f;</script><script>${script.replaceAll("</script", "<\\/script")}</script></body></html>`;
  const server: Server = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: width + 40, height: height + 40 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  return {
    page,
    async setTheme(name) {
      await page.evaluate((vars) => {
        document.documentElement.setAttribute("style", vars);
      }, THEMES[name]);
    },
    async close() {
      await browser.close().catch(() => {});
      await new Promise((resolve) => server.close(resolve));
      if (errors.length > 0) throw new Error(`errors in the page:\n${errors.join("\n")}`);
    },
  };
}
