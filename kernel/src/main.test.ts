import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js");

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

test(
  "the kernel exits cleanly when the process named in JPY_PARENT_PID is gone",
  { timeout: 20_000 },
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "tessera-main-"));
    try {
      const ports = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const connection = path.join(dir, "kernel.json");
      await writeFile(
        connection,
        JSON.stringify({
          transport: "tcp",
          ip: "127.0.0.1",
          shell_port: ports[0],
          control_port: ports[1],
          stdin_port: ports[2],
          iopub_port: ports[3],
          hb_port: ports[4],
          key: "k",
          signature_scheme: "hmac-sha256",
        }),
      );
      const parent = spawn("sleep", ["2"]);
      const kernel = spawn(process.execPath, [MAIN, "--connection-file", connection], {
        env: { ...process.env, JPY_PARENT_PID: String(parent.pid) },
        stdio: "ignore",
      });
      const exited = once(kernel, "exit");
      await once(parent, "exit");
      const alive = await Promise.race([
        exited.then(() => false),
        new Promise((r) => setTimeout(() => r(true), 5000)),
      ]);
      if (alive) kernel.kill("SIGKILL");
      assert.equal(alive, false, "the kernel outlived its parent by 5 s");
      assert.deepEqual(await exited, [0, null]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
