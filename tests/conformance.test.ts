/**
 * Kernel conformance: the official jupyter_kernel_test suite, with every sample set, and
 * Tessera's own protocol checks (tests/kernel_conformance.py) against the "tessera"
 * kernelspec that scripts/setup.sh installs into .venv. The suite is Debian's package,
 * so Debian's python3 runs it.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { REPO, VENV, requireFile, run, tail } from "./support.js";

const PYTHON = "/usr/bin/python3";
const SUITE = "/usr/lib/python3/dist-packages/jupyter_kernel_test/__init__.py";

/** jupyter_kernel_test's own tests (0.4.5), each run with a sample set, so none skips. */
const OFFICIAL = [
  "test_clear_output",
  "test_completion",
  "test_display_data",
  "test_error",
  "test_execute_result",
  "test_execute_stderr",
  "test_execute_stdout",
  "test_history",
  "test_inspect",
  "test_is_complete",
  "test_kernel_info",
  "test_pager",
];
const TESSERA = [
  "test_a_50_mb_output_leaves_the_kernel_alive",
  "test_comm_info_lists_comms_opened_by_the_kernel",
  "test_comms_opened_by_the_front_end",
  "test_completion_sees_earlier_cells",
  "test_display_handle_updates_in_place",
  "test_error_names_the_exception",
  "test_failures_leave_the_kernel_alive_with_its_variables",
  "test_interrupt_stops_a_busy_loop_and_keeps_variables",
  "test_interrupt_stops_an_awaited_promise",
  "test_interrupt_while_the_cell_compiles",
  "test_messages_with_a_wrong_signature_are_ignored",
];

// Connection files go to a folder of this test's own, removed afterwards.
const runtimeDir = await mkdtemp(path.join(os.tmpdir(), "tessera-conformance-"));
after(() => rm(runtimeDir, { recursive: true, force: true }));

test(
  "the kernel passes jupyter_kernel_test and Tessera's protocol checks",
  { timeout: 300_000 },
  async (t) => {
    const setup = "run bash scripts/setup.sh (as root, or with sudo, for its apt packages)";
    requireFile(SUITE, `Debian's python3-jupyter-kernel-test is not installed; ${setup}`);
    requireFile(
      path.join(VENV, "share/jupyter/kernels/tessera/kernel.json"),
      `no kernelspec; ${setup}`,
    );

    const r = await run(PYTHON, ["-m", "unittest", "-v", "tests/kernel_conformance.py"], {
      cwd: REPO,
      env: {
        ...process.env,
        JUPYTER_PATH: path.join(VENV, "share/jupyter"),
        JUPYTER_RUNTIME_DIR: runtimeDir,
      },
      timeoutMs: 240_000,
    });
    const results = parseUnittest(r.output);

    // One subtest per check, so that the runner's report names the ones that fail.
    const expected = [...OFFICIAL, ...TESSERA].sort();
    for (const name of expected) {
      await t.test(name, () => {
        const result = results.get(name);
        assert.ok(result, `${name} did not run:\n${tail(r.output)}`);
        // "skipped" fails too: every sample is set, so every check should run.
        assert.equal(result.status, "ok", result.detail);
      });
    }
    assert.deepEqual([...results.keys()].sort(), expected, "the suite ran other tests than these");
    assert.equal(r.code, 0, `the suite failed (exit ${r.code ?? r.signal}):\n${tail(r.output)}`);
  },
);

interface Result {
  status: string;
  /** The traceback unittest printed for a failure or error. */
  detail: string;
}

/**
 * The outcome of each test in `python -m unittest -v` output. Lines read
 * "test_x (module.Class.test_x) ... ok", though the kernel's own log lines may come
 * between the name and the outcome.
 */
function parseUnittest(output: string): Map<string, Result> {
  const results = new Map<string, Result>();
  const [listing = "", ...reports] = output.split(/^={70}$/m);
  for (const block of listing.split(/^(?=test_\w+ \()/m)) {
    const name = /^(test_\w+) \(/.exec(block)?.[1];
    const status = /(?:\.\.\. |^)(ok|FAIL|ERROR|skipped.*)$/m.exec(block)?.[1];
    if (name && status) results.set(name, { status, detail: "" });
  }
  for (const report of reports) {
    const name = /^(?:FAIL|ERROR): (test_\w+) /m.exec(report)?.[1];
    const result = name === undefined ? undefined : results.get(name);
    if (result) result.detail += report.split(/^-{70}\nRan /m)[0]!.trim();
  }
  return results;
}
