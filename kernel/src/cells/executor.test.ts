import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startModuleWorker } from "@tessera/gpu/worker";
import { CellExecutor, type CellResult } from "./executor.js";
import { InterruptState } from "./interrupts.js";

function ok(r: CellResult): Extract<CellResult, { status: "ok" }> {
  assert.equal(r.status, "ok", r.status === "error" ? `${r.ename}: ${r.evalue}` : "");
  return r as Extract<CellResult, { status: "ok" }>;
}

function failed(r: CellResult): Extract<CellResult, { status: "error" }> {
  assert.equal(r.status, "error", "the cell should have failed");
  return r as Extract<CellResult, { status: "error" }>;
}

/** Runs `body` with a SIGINT listener installed, as the kernel has one (main.ts). */
async function withSigintListener<T>(body: () => Promise<T>): Promise<T> {
  const listener = () => {};
  process.on("SIGINT", listener);
  try {
    return await body();
  } finally {
    process.off("SIGINT", listener);
  }
}

describe("CellExecutor", () => {
  const root = process.cwd();
  let executor: CellExecutor;
  const newExecutor = (interrupts?: InterruptState) =>
    new CellExecutor({
      cwd: root,
      fallbackRoot: root,
      globals: {},
      globalsDeclaration: "",
      ...(interrupts === undefined ? {} : { interrupts }),
    });

  before(async () => {
    executor = newExecutor();
  });
  after(() => executor.close());

  test("a package that is not installed fails with the command that adds it", async () => {
    const typed = failed(await executor.execute('import { x } from "no-such-package-tessera";'));
    assert.match(typed.traceback.join("\n"), /`npm install no-such-package-tessera`/);
    // Untyped (a dynamic import the cell does not catch): Node's error gets the hint too.
    const untyped = failed(
      await executor.execute('const name = "no-such-package-tessera";\nawait import(name);'),
    );
    assert.match(untyped.traceback.join("\n"), /`npm install no-such-package-tessera`/);
  });

  test("cells run in strict mode, whether they import and declare or not", async () => {
    const strict = "(function () { return this; })() === undefined";
    assert.deepEqual(await executor.execute(strict), { status: "ok", hasValue: true, value: true });
    const withImport = `import { sep } from "node:path";\nconst strictHere = ${strict};\nstrictHere && sep.length === 1`;
    assert.deepEqual(await executor.execute(withImport), {
      status: "ok",
      hasValue: true,
      value: true,
    });
  });

  test("a declaration gives no value", async () => {
    assert.deepEqual(await executor.execute("const x = 40;"), { status: "ok", hasValue: false });
  });

  test("a variable defined in one cell is visible in the next", async () => {
    const r = ok(await executor.execute("const base = 40;"));
    assert.equal(r.hasValue, false);
    assert.deepEqual(await executor.execute("base + 2"), {
      status: "ok",
      hasValue: true,
      value: 42,
    });
    assert.equal(executor.variables["base"], 40);
  });

  test("a shorthand property names a variable of an earlier cell", async () => {
    ok(await executor.execute("const threads = 2;\nlet seed = 7;"));
    const r = ok(
      await executor.execute("const { threads: t, ...rest } = { threads, seed };\n[t, rest]"),
    );
    assert.deepEqual(r.value, [2, { seed: 7 }]);
    ok(await executor.execute("({ seed = 9 } = {});"));
    assert.equal(ok(await executor.execute("seed")).value, 9);
  });

  test("the value of the last expression is returned", async () => {
    const r = ok(await executor.execute('const parts = ["a", "b"];\nparts.join("-")'));
    assert.equal(r.hasValue, true);
    assert.equal(r.value, "a-b");
  });

  test("a last expression of undefined has no value", async () => {
    assert.equal(ok(await executor.execute("undefined")).hasValue, false);
    assert.equal(ok(await executor.execute("let unset: number | undefined;")).hasValue, false);
  });

  test("a function declared in one cell can be called in the next", async () => {
    ok(await executor.execute("function square(n: number): number {\n  return n * n;\n}"));
    assert.equal(ok(await executor.execute("square(7)")).value, 49);
  });

  test("a variable can be redefined in a later cell", async () => {
    ok(await executor.execute("const again = 1;"));
    ok(await executor.execute('const again = "two";'));
    assert.equal(ok(await executor.execute("again.length")).value, 3);
  });

  test("a type error returns status error with ename TypeError and the line", async () => {
    const r = failed(await executor.execute("const n = 1;\nconst s: string = n;"));
    assert.equal(r.ename, "TypeError");
    assert.match(
      r.evalue,
      /Type 'number' is not assignable to type 'string'\. \(line 2, column 7\)/,
    );
    assert.deepEqual(r.traceback.slice(1), ["const s: string = n;", "      ^"]);
  });

  test("a cell with a type error does not run", async () => {
    failed(await executor.execute("const notRun = 1;\nconst bad: string = 2;"));
    assert.equal("notRun" in executor.variables, false);
  });

  test("a syntax error returns status error with ename SyntaxError", async () => {
    assert.equal(failed(await executor.execute("const = 1;")).ename, "SyntaxError");
  });

  test("a runtime error returns its name and message and points at the cell line", async () => {
    const r = failed(
      await executor.execute('const before = 1;\nthrow new RangeError("out of range");'),
    );
    assert.equal(r.ename, "RangeError");
    assert.equal(r.evalue, "out of range");
    assert.deepEqual(r.traceback, ["RangeError: out of range", "    at cell line 2"]);
  });

  test("a runtime error keeps the variables of earlier cells", async () => {
    ok(await executor.execute("let kept = { n: 1 };"));
    const r = failed(await executor.execute('kept.n = 2;\nthrow new Error("late");'));
    assert.equal(r.evalue, "late", "the cell ran and failed at run time");
    assert.deepEqual(ok(await executor.execute("kept")).value, { n: 2 });
  });

  test("a runtime error in a function points at the function's line and the call's", async () => {
    const r = failed(
      await executor.execute(
        'function parse(s: string) {\n  return JSON.parse(s);\n}\nconst bad = parse("{");',
      ),
    );
    assert.equal(r.ename, "SyntaxError");
    assert.ok(r.traceback.includes("    at parse (cell line 2)"), r.traceback.join("\n"));
    assert.ok(r.traceback.includes("    at cell line 4"), r.traceback.join("\n"));
    assert.ok(!r.traceback.some((l) => /executor|node:vm/.test(l)), "kernel frames are cut");
  });

  test("a thrown non-Error is reported as Uncaught", async () => {
    const r = failed(await executor.execute('throw "plain";'));
    assert.equal(r.ename, "Error");
    assert.equal(r.evalue, "Uncaught plain");
  });

  test("top-level await works and gives the awaited value", async () => {
    const r = ok(
      await executor.execute(
        "const later = await new Promise<number>((r) => setTimeout(() => r(21), 10));\nlater * 2",
      ),
    );
    assert.equal(r.value, 42);
    assert.equal(ok(await executor.execute("later")).value, 21);
  });

  test("a rejected top-level await returns the rejection as an error", async () => {
    const r = failed(await executor.execute('await Promise.reject(new TypeError("nope"));'));
    assert.equal(r.ename, "TypeError");
    assert.equal(r.evalue, "nope");
  });

  test("an ES-module-only package imports by name", async () => {
    const r = ok(
      await executor.execute('import { bisect } from "d3-array";\nbisect([1, 2, 3, 4], 2.5)'),
    );
    assert.equal(r.value, 2);
  });

  test("a Node built-in imports by name", async () => {
    const r = ok(await executor.execute('import path from "node:path";\npath.join("a", "b")'));
    assert.equal(r.value, "a/b");
  });

  test("a workspace package imports by name", async () => {
    const r = ok(
      await executor.execute(
        'import { MemoryTracker } from "@tessera/gpu";\nconst mem = new MemoryTracker();\nmem.free(mem.alloc(64, "a"));\nmem.alloc(16, "b");\n[mem.peakBytes, mem.liveBytes]',
      ),
    );
    assert.deepEqual(r.value, [64, 16]);
  });

  test("an import of a missing package fails type checking, naming the package", async () => {
    const r = failed(
      await executor.execute('import { nothing } from "no-such-package-xyz";\nnothing'),
    );
    assert.equal(r.ename, "TypeError");
    assert.match(r.evalue, /Cannot find module 'no-such-package-xyz'/);
    assert.match(r.traceback[0]!, /error TS2307/);
  });

  test("a require of a missing package fails at run time, naming the package", async () => {
    const r = failed(await executor.execute('const missing = require("no-such-package-xyz");'));
    assert.equal(r.ename, "Error");
    assert.match(r.evalue, /^Cannot find module 'no-such-package-xyz'/);
  });

  test(
    "interrupt() ends an awaited cell with KeyboardInterrupt within 1 s and keeps variables",
    { timeout: 10_000 },
    async () => {
      ok(await executor.execute("const survivor = 99;"));
      const start = Date.now();
      setTimeout(() => executor.interrupt(), 100);
      const r = failed(await executor.execute("await new Promise(() => {});"));
      const elapsed = Date.now() - start;
      assert.equal(r.ename, "KeyboardInterrupt");
      assert.equal(r.evalue, "Execution interrupted");
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      assert.equal(ok(await executor.execute("survivor")).value, 99);
    },
  );

  test("interrupt() when no cell runs does nothing to the next cell", async () => {
    executor.interrupt();
    assert.equal(ok(await executor.execute("1 + 1")).value, 2);
  });

  test(
    "SIGINT ends a synchronous busy loop with KeyboardInterrupt",
    { timeout: 10_000 },
    // Should SIGINT arrive outside the cell, the listener keeps the test process alive.
    () =>
      withSigintListener(async () => {
        const start = Date.now();
        const r = failed(
          await executor.execute(
            'import { spawn } from "node:child_process";\n' +
              'spawn("sh", ["-c", `sleep 0.2; kill -INT ${process.pid}`], { stdio: "ignore" });\n' +
              "const deadline = Date.now() + 5000;\n" +
              "while (Date.now() < deadline) {}",
          ),
        );
        assert.equal(r.ename, "KeyboardInterrupt");
        assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`);
        assert.equal(ok(await executor.execute("survivor + 1")).value, 100);
      }),
  );

  test("declarations of a cell that throws survive into the next cell", async () => {
    failed(
      await executor.execute(
        'function parse(s: string) { return Number(s); }\nthrow new Error("x");',
      ),
    );
    assert.equal(ok(await executor.execute('parse("7") + 1')).value, 8);
  });

  test(
    "an interrupt requested while the cell compiles stops it before it runs",
    // A new executor: its compiler thread loads TypeScript and parses the libraries first.
    { timeout: 60_000 },
    async () => {
      const state = new InterruptState();
      const ex = newExecutor(state);
      const running = ex.execute("while (true) {}");
      state.request(); // as the transport thread does, before the cell is compiled
      const r = failed(await running);
      assert.equal(r.ename, "KeyboardInterrupt");
      ok(await ex.execute("1"));
      await ex.close();
    },
  );

  test(
    "SIGINT raised as the transport raises it, at any moment of a cell's run, never ends the process",
    { timeout: 60_000 },
    // The kernel listens for SIGINT from outside; vm takes such listeners away during a
    // run, which is when a signal raised at the wrong moment ended the process.
    () =>
      withSigintListener(async () => {
        const state = new InterruptState();
        const stop = new Int32Array(new SharedArrayBuffer(4));
        const ex = newExecutor(state);
        const raiser = startModuleWorker(new URL("../../test/sigint-raiser.js", import.meta.url), {
          workerData: { state: state.buffer, stop: stop.buffer },
        });
        try {
          const seen = new Map<string, number>();
          for (let i = 0; i < 150; i++) {
            const r = await ex.execute(`for (let i = 0; i < ${(i % 10) * 20_000}; i++) {}`);
            const key = r.status === "ok" ? "ok" : r.ename;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
          assert.deepEqual([...seen.keys()].sort(), ["KeyboardInterrupt", "ok"], `${[...seen]}`);
        } finally {
          Atomics.store(stop, 0, 1);
          await raiser.terminate();
        }
        ok(await ex.execute("1"));
        await ex.close();
      }),
  );

  test("a closed compiler thread fails cells with what to do, and the kernel goes on", async () => {
    const ex = newExecutor();
    await ex.close();
    const r = failed(await ex.execute("1"));
    assert.equal(r.ename, "CompilerError");
    assert.match(r.evalue, /compiler thread was closed/);
  });

  test("ES2023 library methods of Node 20 type-check and run", async () => {
    assert.deepEqual(ok(await executor.execute("[3, 1, 2].toSorted()")).value, [1, 2, 3]);
    assert.equal(ok(await executor.execute("[1, 2, 3].findLast((n) => n < 3)")).value, 2);
  });

  test("using and await using dispose at the end of the cell", async () => {
    const r = ok(
      await executor.execute(
        "const log: string[] = [];\n" +
          "{\n  using a = { [Symbol.dispose]() { log.push('a'); } };\n  log.push('body');\n}\n" +
          "await using b = { async [Symbol.asyncDispose]() { log.push('b'); } };\n" +
          "[...log]",
      ),
    );
    assert.deepEqual(r.value, ["body", "a"]);
    assert.deepEqual(ok(await executor.execute("log")).value, ["body", "a", "b"]);
    assert.equal("b" in executor.variables, false, "a using declaration stays in its cell");
  });

  test("decorators and satisfies compile", async () => {
    ok(
      await executor.execute(
        "const seen: string[] = [];\n" +
          "function logged(target: any, context: ClassMethodDecoratorContext) {\n" +
          "  seen.push(String(context.name));\n  return target;\n}\n" +
          "class Greeter {\n  @logged hello() { return 'hi'; }\n}\n" +
          "const config = { port: 8080 } satisfies Record<string, number>;",
      ),
    );
    assert.deepEqual(
      ok(await executor.execute("[new Greeter().hello(), seen, config.port]")).value,
      ["hi", ["hello"], 8080],
    );
  });

  test("a function of an earlier cell sees a later assignment to its variable", async () => {
    ok(await executor.execute("let counter = 0;\nfunction bump() {\n  return ++counter;\n}"));
    ok(await executor.execute("counter = 10;"));
    assert.equal(ok(await executor.execute("bump()")).value, 11);
    assert.equal(ok(await executor.execute("counter")).value, 11);
  });

  test("types, interfaces, enums and classes of earlier cells keep their types", async () => {
    ok(
      await executor.execute(
        "interface Shape { area(): number }\ntype Pair<T> = [T, T];\nenum Unit { Px, Em }\n" +
          "class Square implements Shape {\n  constructor(readonly side: number) {}\n  area() { return this.side ** 2; }\n}",
      ),
    );
    const r = ok(
      await executor.execute(
        "const shapes: Shape[] = [new Square(3)];\nconst p: Pair<number> = [1, 2];\n[shapes[0].area(), p, Unit.Em]",
      ),
    );
    assert.deepEqual(r.value, [9, [1, 2], 1]);
    const e = failed(await executor.execute("const q: Pair<string> = [1, 2];"));
    assert.equal(e.ename, "TypeError");
  });

  test("assigning a const of an earlier cell is a type error", async () => {
    ok(await executor.execute("const fixed = 1;"));
    const r = failed(await executor.execute("fixed = 2;"));
    assert.equal(r.ename, "TypeError");
    assert.match(r.evalue, /Cannot assign to 'fixed' because it is a constant/);
  });

  test("a redeclaration takes a new type; earlier declarations keep theirs", async () => {
    ok(await executor.execute("const shifting = 1;\nconst viaOld = () => shifting;"));
    ok(await executor.execute('const shifting = "now a string";'));
    assert.equal(ok(await executor.execute("shifting.toUpperCase()")).value, "NOW A STRING");
    // The function of the earlier cell closes over its own binding, as in a module.
    assert.equal(ok(await executor.execute("viaOld()")).value, 1);
  });

  test("a cell that throws before a declaration keeps the earlier value", async () => {
    ok(await executor.execute("let early = 'first';"));
    failed(await executor.execute('throw new Error("stop");\nlet early = "second";'));
    assert.equal(ok(await executor.execute("early")).value, "first");
  });

  test("a dynamic import of an ES-module-only package works", async () => {
    const r = ok(await executor.execute('const d3 = await import("d3-array");\nd3.sum([1, 2, 3])'));
    assert.equal(r.value, 6);
  });

  test("a type-only import does not run; a value import of an unused name still does", async () => {
    ok(
      await executor.execute(
        'import type { Readable } from "node:stream";\nimport { EOL } from "node:os";',
      ),
    );
    assert.equal(ok(await executor.execute("EOL")).value, "\n");
  });

  test("a cell run again unchanged reads current values; a new declaration re-checks it", async () => {
    ok(await executor.execute("let again2 = 1;"));
    assert.equal(ok(await executor.execute("again2 * 2")).value, 2);
    ok(await executor.execute("again2 = 5;"));
    assert.equal(ok(await executor.execute("again2 * 2")).value, 10);
    ok(await executor.execute('const again2 = "text";'));
    assert.equal(failed(await executor.execute("again2 * 2")).ename, "TypeError");
  });

  test("isComplete answers through the executor", async () => {
    assert.deepEqual(await executor.isComplete("if (x) {"), { status: "incomplete", indent: "  " });
    assert.deepEqual(await executor.isComplete("x"), { status: "complete" });
  });

  test("complete lists the members of a variable from an earlier cell", async () => {
    ok(await executor.execute("const point = { east: 1, north: 2 };"));
    const code = "point.e";
    const c = await executor.complete(code, code.length);
    assert.ok(c.matches.includes("east"), c.matches.join(", "));
    assert.equal(code.slice(c.start, c.end), "e");
  });

  test("inspect describes a variable's type", async () => {
    const info = await executor.inspect("point", 2);
    assert.ok(info);
    assert.match(info.text, /point: \{\s*east: number;\s*north: number;\s*\}/);
  });
});
