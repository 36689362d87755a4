import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { cpuBackend } from "@tessera/gpu";
import { JUPYTER_DISPLAY } from "../display/bundle.js";
import { provenance, provenanceBundle } from "./provenance.js";

test("provenance records this clone's commit, the backend, versions and seeds, and shows a table", async () => {
  const shown = provenance(cpuBackend(2), { data: 1, queries: 2 });
  const { record } = shown;
  const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  assert.equal(record.commit, head);
  assert.equal(typeof record.dirty, "boolean");
  assert.equal(record.backend, "cpu (2 threads)");
  assert.equal(record.node, process.version);
  assert.match(record.typescript, /^\d+\.\d+\.\d+/);
  assert.match(record.tessera, /^\d+\.\d+\.\d+/);
  assert.deepEqual(record.seeds, { data: 1, queries: 2 });
  assert.ok(record.cores >= 1 && record.cpu !== "");
  assert.equal(record.loadAverage.length, 3);
  const bundle = (await shown[JUPYTER_DISPLAY]()) as Record<string, string>;
  assert.equal(bundle["text/markdown"], bundle["text/plain"]);
  assert.match(bundle["text/plain"]!, new RegExp(`^\\| provenance \\| \\|\\n[^]*commit ${head}`));
  assert.match(bundle["text/plain"]!, /\| seeds \| data 1, queries 2 \|/);
});

test("provenanceBundle says when there is no git checkout; a bad seed is named", () => {
  const text = provenanceBundle({
    tessera: "0.1.0",
    commit: null,
    dirty: null,
    backend: "webgpu (nvidia, hopper, H100)",
    node: "v20.0.0",
    typescript: "6.0.3",
    cpu: "x",
    cores: 1,
    platform: "linux",
    loadAverage: [1, 2, 3],
    seeds: {},
    date: "2026-01-01T00:00:00.000Z",
  })["text/plain"];
  assert.match(String(text), /\| Tessera \| 0\.1\.0, commit not a git checkout \|/);
  assert.match(String(text), /\| seeds \| none \|/);
  assert.match(String(text), /\| load average \| 1\.00, 2\.00, 3\.00 \|/);
  assert.throws(
    () => provenance(cpuBackend(1), { data: 1.5 }),
    /seed "data" must be an integer, got 1\.5/,
  );
});
