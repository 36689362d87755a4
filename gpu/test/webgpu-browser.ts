/*
 * Runs gpu/ code on WebGPU inside headless Chromium (SwiftShader), where WGSL kernels run
 * reliably without a GPU (DESIGN.md: GPU-less machines). The modules under test are bundled
 * with esbuild and served from http://localhost (a secure context, which WebGPU needs);
 * each call runs an exported function in the page with a fresh-or-shared WebGPU backend as
 * its first argument.
 */
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { fileURLToPath } from "node:url";
import { decode, encode } from "./codec.js";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const CODEC = fileURLToPath(new URL("./codec.ts", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A page with WebGPU and the bundled modules. */
export interface BrowserGpu {
  /** The adapter the page got, e.g. { vendor: "google", architecture: "swiftshader" }. */
  readonly adapter: { vendor: string; architecture: string };
  /**
   * Calls export `name` of `module` (a path under gpu/src, e.g. "cagra/knn/webgpu.ts") in the
   * page as `fn(backend, ...args)`; typed arrays travel both ways.
   */
  call<T>(module: string, name: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/** Opens Chromium with WebGPU and loads `modules` (paths under gpu/src, or absolute). */
export async function openBrowserGpu(modules: readonly string[]): Promise<BrowserGpu> {
  const path = (m: string) => (m.startsWith("/") ? m : SRC + m);
  const imports = modules.map((m, i) => `import * as m${i} from ${JSON.stringify(path(m))};`);
  const table = modules.map((m, i) => `${JSON.stringify(m)}: m${i}`).join(", ");
  const entry = `
    import * as codec from ${JSON.stringify(CODEC)};
    import { openWebGpu } from ${JSON.stringify(SRC + "device/webgpu/device.ts")};
    ${imports.join("\n")}
    const modules = { ${table} };
    const backend = openWebGpu(navigator.gpu);
    window.__tessera = {
      backend,
      async call(module, name, args) {
        const fn = modules[module]?.[name];
        if (typeof fn !== "function") throw new Error(module + " has no function " + name);
        const gpu = await backend;
        if (!gpu) throw new Error("no WebGPU adapter in the page");
        return codec.encode(await fn(gpu, ...codec.decode(args)));
      },
    };`;
  const bundle = await build({
    stdin: { contents: entry, resolveDir: SRC, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: ["node:*", "webgpu"],
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.text.replaceAll("</script", "<\\/script");
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--enable-unsafe-webgpu",
      "--enable-features=Vulkan",
      "--use-vulkan=swiftshader",
      "--use-webgpu-adapter=swiftshader",
      // Dawn zero-fills workgroup memory with code that makes SwiftShader compile a kernel in
      // seconds instead of milliseconds. Without it a kernel that reads memory it never wrote
      // sees garbage, so the tests also check that every kernel initialises what it reads.
      "--enable-dawn-features=disable_workgroup_init",
    ],
  });
  try {
    const page: Page = await browser.newPage();
    page.on("pageerror", (e) => console.error("[page]", e.message));
    // A module that fails to load (e.g. a node: import in the bundle) shows up only here.
    page.on("console", (m) => {
      if (m.type() === "error") console.error("[page console]", m.text());
    });
    await page.route("http://localhost/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><meta charset="utf-8"><script type="module">${script}</script>`,
      }),
    );
    await page.goto("http://localhost/");
    await page.waitForFunction(() => "__tessera" in globalThis);
    const adapter = await page.evaluate(async () => {
      const t = (globalThis as unknown as { __tessera: { backend: Promise<unknown> } }).__tessera;
      const gpu = (await t.backend) as
        { adapter: { vendor: string; architecture: string } } | undefined;
      if (!gpu) throw new Error("Chromium has no WebGPU adapter (SwiftShader flags?)");
      return gpu.adapter;
    });
    return {
      adapter,
      async call<T>(module: string, name: string, ...args: unknown[]): Promise<T> {
        const out = await page.evaluate(
          ([m, n, a]) =>
            (
              globalThis as unknown as {
                __tessera: { call(m: string, n: string, a: unknown): Promise<unknown> };
              }
            ).__tessera.call(m, n, a),
          [module, name, encode(args)] as const,
        );
        return decode(out) as T;
      },
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
