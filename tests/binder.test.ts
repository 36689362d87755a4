/**
 * Binder's build, replayed as a plain user without root or apt, as repo2docker runs it: a fresh
 * HOME and a fresh clone of the committed tree (HEAD), `binder/postBuild` in it, then
 * `binder/start jupyter lab` serving JupyterLab from a second Python environment (repo2docker
 * serves from its own environment, not from the clone's .venv). Through that server, over its
 * REST API, the Tessera kernelspec and the JupyterLab extension are found, and the kernel tour
 * and both paper-reproduction notebooks (default sizes, no datasets folder) run in kernels the
 * server starts (tests/run_notebook_remote.py, over the kernel's websocket as JupyterLab talks
 * to it).
 *
 * Run as root (as here), the steps run as the user nobody (setpriv); as any other user, as
 * that user with no sudo on PATH. npm reads packages from a copy of this machine's npm cache,
 * pip from the index this user's pip configuration names (copied into the fresh HOME). It
 * prints postBuild's build time; the whole test takes a few minutes (postBuild's npm ci and
 * builds, and the server environment's pip install).
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { REPO, killGroup, run, tail } from "./support.js";

const scratch = await mkdtemp(path.join(os.tmpdir(), "tessera-binder-"));
after(() => rm(scratch, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
/** The Python repo2docker would provide: a system one, not one under root's home (pyenv). */
const PYTHON = asRoot ? "/usr/bin/python3" : "python3";
const HOME = path.join(scratch, "home");
const CLONE = path.join(scratch, "tessera");
const SERVER_ENV = path.join(scratch, "server-env");
const NPM_CACHE = path.join(scratch, "npm-cache");
// A directory on PATH holding a `sudo` that always refuses: a plain user has no root.
const NO_SUDO = path.join(scratch, "no-sudo");

/** The plain user's environment: fresh HOME, ordinary PATH, pip's mirror settings kept. */
function userEnv(extraPath: string[] = []): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => /^(PIP_|LANG$|LC_|TERM$|CI$)/.test(k)),
  );
  return {
    ...kept,
    HOME,
    USER: asRoot ? "nobody" : (process.env["USER"] ?? ""),
    PATH: [...extraPath, NO_SUDO, "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    PYTHON,
    npm_config_cache: NPM_CACHE,
    // As scripts/setup.sh does: one retry, not pip's five, for an index it cannot reach.
    PIP_RETRIES: process.env["PIP_RETRIES"] ?? "1",
    npm_config_update_notifier: "false",
  };
}

/** `command args` as the plain user (setpriv drops root to nobody). */
function asUser(command: string, args: string[]): [string, string[]] {
  if (!asRoot) return [command, args];
  return [
    "setpriv",
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", command, ...args],
  ];
}

async function step(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ output: string; seconds: number }> {
  const [cmd, argv] = asUser(command, args);
  const start = performance.now();
  const r = await run(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? userEnv(),
    timeoutMs: options.timeoutMs,
  });
  const seconds = (performance.now() - start) / 1000;
  assert.equal(r.code, 0, `${what} failed (exit ${r.code ?? r.signal}):\n${tail(r.output)}`);
  return { output: r.output, seconds };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

test(
  "Binder's build as a plain user: postBuild, then binder/start serves the kernel, the extension and a tutorial",
  { timeout: 1_800_000 },
  async (t) => {
    await mkdir(HOME);
    // The package index this machine is configured with (here a local mirror), as Binder has PyPI.
    for (const conf of [".config/pip/pip.conf", ".pip/pip.conf"]) {
      const mine = path.join(os.homedir(), conf);
      if (existsSync(mine)) await cp(mine, path.join(HOME, conf));
    }
    await mkdir(NO_SUDO);
    await writeFile(
      path.join(NO_SUDO, "sudo"),
      "#!/bin/sh\necho 'sudo: not allowed' >&2\nexit 1\n",
    );
    await chmod(path.join(NO_SUDO, "sudo"), 0o755);
    // The committed tree, as Binder clones it.
    execFileSync("git", ["clone", "--quiet", "--no-hardlinks", REPO, CLONE]);
    const npmCache = execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();
    await cp(path.join(npmCache, "_cacache"), path.join(NPM_CACHE, "_cacache"), {
      recursive: true,
    });
    if (asRoot) execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, scratch]);

    await t.test("binder/postBuild succeeds without root, sudo or apt", async () => {
      const { output, seconds } = await step("binder/postBuild", "bash", ["binder/postBuild"], {
        cwd: CLONE,
        timeoutMs: 1_200_000,
      });
      t.diagnostic(`binder/postBuild took ${seconds.toFixed(0)} s`);
      console.log(
        `# binder/postBuild: ${seconds.toFixed(0)} s (load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")})`,
      );
      // Without root the setup cannot use apt: it warns about missing system packages, if any.
      assert.doesNotMatch(output, /\[setup\] installing .* \(apt\)/);
      assert.match(output, /\[setup\] ready/);
    });

    await t.test("a second Python environment with JupyterLab, as repo2docker's", async () => {
      await step("python3 -m venv", PYTHON, ["-m", "venv", SERVER_ENV], {
        cwd: scratch,
        timeoutMs: 120_000,
      });
      const requirements = await readFile(path.join(CLONE, "requirements.txt"), "utf8");
      const jupyterlab = /^jupyterlab==\S+$/m.exec(requirements)?.[0] ?? "jupyterlab";
      await step(
        "pip install jupyterlab",
        path.join(SERVER_ENV, "bin/python"),
        ["-m", "pip", "install", "-q", jupyterlab],
        {
          cwd: scratch,
          timeoutMs: 600_000,
        },
      );
    });

    await t.test(
      "binder/start serves the kernelspec and the extension; notebooks 00, 03 and 04 run",
      async () => {
        const port = await freePort();
        const token = "binder-test-token";
        const url = `http://127.0.0.1:${port}`;
        const env = userEnv([path.join(SERVER_ENV, "bin")]);
        const [cmd, argv] = asUser("binder/start", [
          "jupyter",
          "lab",
          "--no-browser",
          "--ip=127.0.0.1",
          `--port=${port}`,
          `--IdentityProvider.token=${token}`,
          `--ServerApp.root_dir=${CLONE}`,
        ]);
        const server = spawn(cmd, argv, {
          cwd: CLONE,
          env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let log = "";
        server.stdout.on("data", (b: Buffer) => (log += b.toString()));
        server.stderr.on("data", (b: Buffer) => (log += b.toString()));
        try {
          const get = async (route: string): Promise<unknown> => {
            const r = await fetch(`${url}${route}`, {
              headers: { Authorization: `token ${token}` },
            });
            assert.equal(r.status, 200, `GET ${route}: ${r.status}\n${tail(log)}`);
            return r.json();
          };
          const deadline = Date.now() + 120_000;
          for (;;) {
            const up = await fetch(`${url}/api/status?token=${token}`).then(
              (r) => r.ok,
              () => false,
            );
            if (up) break;
            assert.ok(
              Date.now() < deadline && server.exitCode === null,
              `the server did not start:\n${tail(log)}`,
            );
            await new Promise((r) => setTimeout(r, 1000));
          }
          const specs = (await get("/api/kernelspecs")) as {
            kernelspecs: Record<string, { spec: { display_name: string; argv: string[] } }>;
          };
          const tessera = specs.kernelspecs["tessera"];
          assert.ok(
            tessera,
            `no tessera kernelspec among ${Object.keys(specs.kernelspecs).join(", ")}`,
          );
          assert.equal(tessera.spec.display_name, "TypeScript (Tessera)");
          // The kernelspec runs the clone's kernel, not this checkout's.
          assert.ok(
            tessera.spec.argv.some((a) => a.startsWith(CLONE)),
            tessera.spec.argv.join(" "),
          );

          const extensions = (await get("/lab/api/extensions")) as {
            name: string;
            enabled: boolean;
            installed: boolean;
          }[];
          // The extension manager lists the Python package that ships the prebuilt extension.
          const ours = extensions.find((e) => e.name === "tessera-jupyterlab");
          assert.ok(
            ours,
            `no tessera-jupyterlab among ${extensions.map((e) => e.name).join(", ")}`,
          );
          assert.ok(ours.enabled && ours.installed, JSON.stringify(ours));
          // The page JupyterLab serves tells the front end to load the labextension itself.
          const page = await fetch(`${url}/lab?token=${token}`).then((r) => r.text());
          const config =
            /<script id="jupyter-config-data" type="application\/json">([^]*?)<\/script>/.exec(
              page,
            );
          assert.ok(config, `no page config in /lab:\n${tail(page)}`);
          const federated = (JSON.parse(config[1]!) as { federated_extensions: { name: string }[] })
            .federated_extensions;
          assert.ok(
            federated.some((e) => e.name === "@tessera/jupyterlab"),
            `the page loads ${federated.map((e) => e.name).join(", ")}`,
          );

          /** Runs notebooks/`name` in a kernel the server starts; the executed notebook. */
          const runThroughServer = async (name: string) => {
            const executed = path.join(scratch, name.replace(/\.ipynb$/, ".executed.ipynb"));
            await step(
              `${name} through the server`,
              path.join(SERVER_ENV, "bin/python"),
              [
                path.join(CLONE, "tests/run_notebook_remote.py"),
                url,
                token,
                "tessera",
                path.join(CLONE, "notebooks", name),
                executed,
              ],
              { cwd: scratch, env, timeoutMs: 600_000 },
            );
            return JSON.parse(await readFile(executed, "utf8")) as {
              cells: {
                cell_type: string;
                source: string | string[];
                outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[];
              }[];
            };
          };
          // nbformat keeps multi-line strings as lists of lines.
          const text = (s: string | string[] | undefined) => [s ?? ""].flat().join("");
          const outputsOf = (
            nb: Awaited<ReturnType<typeof runThroughServer>>,
            source: string,
          ): string[] =>
            (
              nb.cells.find((c) => c.cell_type === "code" && text(c.source).includes(source))
                ?.outputs ?? []
            ).map((o) => text(o.text) + text(o.data?.["text/plain"]));

          assert.deepEqual(outputsOf(await runThroughServer("00-kernel-tour.ipynb"), "6 * 7"), [
            "42",
          ]);
          // The reproduction notebooks at their default sizes, without the datasets folder
          // (as on Binder): run_notebook_remote.py fails on any unexpected error; their closing
          // cells write the figures.
          for (const [name, json] of [
            ["03-cagra-paper.ipynb", "03-cagra-paper.json"],
            ["04-autochunk-paper.ipynb", "04-autochunk-paper.json"],
          ] as const) {
            const started = Date.now();
            const nb = await runThroughServer(name);
            console.log(
              `# ${name} through binder/start: ${((Date.now() - started) / 1000).toFixed(0)} s`,
            );
            assert.match(
              outputsOf(nb, "const comparison").join(""),
              new RegExp(`figures written to .*results/${json.replace(".", "\\.")}`),
              `${name}: the closing table`,
            );
          }
        } finally {
          killGroup(server.pid);
        }
      },
    );
  },
);
