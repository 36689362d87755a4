/**
 * Kernel conformance: the official jupyter_kernel_test suite, with every sample set, and
 * Tessera's own protocol checks (tests/kernel_conformance.py) against the "tessera"
 * kernelspec that scripts/setup.sh installs into .venv. The suite is Debian's package,
 * so Debian's python3 runs it. The kernel starts where a notebook anywhere would start it:
 * in a fresh folder outside the repository, with no node_modules, and in a folder with its
 * own package.json and node_modules.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test, type TestContext } from "node:test";
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
  "test_input_and_prompt_read_the_front_end_s_answer",
  "test_input_without_stdin_fails_clearly",
  "test_interrupt_ends_a_wait_for_input",
  "test_interrupt_stops_a_busy_loop_and_keeps_variables",
  "test_interrupt_stops_a_busy_loop_after_an_await",
  "test_interrupt_stops_an_awaited_promise",
  "test_interrupt_while_the_cell_compiles",
  "test_messages_with_a_wrong_signature_are_ignored",
  "test_node_apis_and_tessera_packages_have_types_in_any_folder",
  "test_user_expressions_are_returned_as_mime_bundles",
];
/** NotebookFolderTests, run in a folder with its own packages (see notebookFolder). */
const NOTEBOOK_FOLDER = [
  "test_a_package_of_the_folder_imports_with_its_types",
  "test_the_folder_s_package_wins_over_tessera_s",
  "test_tessera_s_packages_still_import",
];

// Connection files and the kernels' working folders go to a folder of this test's own.
const scratch = await mkdtemp(path.join(os.tmpdir(), "tessera-conformance-"));
after(() => rm(scratch, { recursive: true, force: true }));

const setup = "run bash scripts/setup.sh (as root, or with sudo, for its apt packages)";

/**
 * Runs one test class of tests/kernel_conformance.py with `cwd` as the working folder
 * (the kernel inherits it) and checks that exactly `expected` ran and passed.
 */
async function conformance(
  t: TestContext,
  testClass: string,
  cwd: string,
  expected: readonly string[],
): Promise<void> {
  requireFile(SUITE, `Debian's python3-jupyter-kernel-test is not installed; ${setup}`);
  requireFile(
    path.join(VENV, "share/jupyter/kernels/tessera/kernel.json"),
    `no kernelspec; ${setup}`,
  );
  const runtimeDir = await mkdtemp(path.join(scratch, "runtime-"));
  const r = await run(PYTHON, ["-m", "unittest", "-v", `kernel_conformance.${testClass}`], {
    cwd,
    env: {
      ...process.env,
      JUPYTER_PATH: path.join(VENV, "share/jupyter"),
      JUPYTER_RUNTIME_DIR: runtimeDir,
      PYTHONPATH: path.join(REPO, "tests"),
    },
    timeoutMs: 240_000,
  });
  const results = parseUnittest(r.output);

  // One subtest per check, so that the runner's report names the ones that fail.
  const sorted = [...expected].sort();
  for (const name of sorted) {
    await t.test(name, () => {
      const result = results.get(name);
      assert.ok(result, `${name} did not run:\n${tail(r.output)}`);
      // "skipped" fails too: every sample is set, so every check should run.
      assert.equal(result.status, "ok", result.detail);
    });
  }
  assert.deepEqual([...results.keys()].sort(), sorted, "the suite ran other tests than these");
  assert.equal(r.code, 0, `the suite failed (exit ${r.code ?? r.signal}):\n${tail(r.output)}`);
}

test(
  "the kernel passes jupyter_kernel_test and Tessera's protocol checks, started in a fresh folder",
  { timeout: 300_000 },
  async (t) => {
    const cwd = await mkdtemp(path.join(scratch, "notebooks-"));
    await conformance(t, "TesseraKernelTests", cwd, [...OFFICIAL, ...TESSERA]);
  },
);

test("a shutdown ends a kernel whose cell waits in prompt()", { timeout: 120_000 }, async (t) => {
  const cwd = await mkdtemp(path.join(scratch, "notebooks-"));
  await conformance(t, "ShutdownTests", cwd, ["test_shutdown_while_prompt_waits_ends_the_kernel"]);
});

test(
  "in a notebook folder with its own node_modules, its packages import and win",
  { timeout: 120_000 },
  async (t) => {
    await conformance(t, "NotebookFolderTests", await notebookFolder(), NOTEBOOK_FOLDER);
  },
);

/**
 * A project folder as a user has one: package.json, a package of its own (with types), and
 * a stand-in for d3-array, which Tessera also depends on, so that which one wins shows.
 */
async function notebookFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, "project-"));
  const pkg = async (name: string, js: string, dts: string) => {
    const at = path.join(dir, "node_modules", name);
    await mkdir(at, { recursive: true });
    await writeFile(
      path.join(at, "package.json"),
      JSON.stringify({ name, version: "1.0.0", main: "index.js", types: "index.d.ts" }),
    );
    await writeFile(path.join(at, "index.js"), js);
    await writeFile(path.join(at, "index.d.ts"), dts);
  };
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "project", private: true, dependencies: { "own-greeting": "1.0.0" } }),
  );
  await pkg(
    "own-greeting",
    'exports.greet = (name) => "hello, " + name;\n',
    "export declare function greet(name: string): string;\n",
  );
  await pkg(
    "d3-array",
    'exports.bisect = () => "d3-array of the notebook folder";\n',
    "export declare function bisect(): string;\n",
  );
  return dir;
}

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
