import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { globToRegExp, History, type HistoryRequest } from "./history.js";

function filled(): History {
  const h = new History(3);
  h.record(1, "const a = 1;");
  h.record(2, "a + 1", "2");
  h.record(3, "console.log(a)");
  h.record(4, "a + 1", "2");
  h.record(5, "let b = [a];");
  return h;
}

describe("History", () => {
  test("tail gives the last n inputs, oldest first, with the session number", () => {
    assert.deepEqual(filled().query({ hist_access_type: "tail", n: 2 }), [
      [3, 4, "a + 1"],
      [3, 5, "let b = [a];"],
    ]);
  });

  test("tail defaults to 10 entries and gives nothing for n = 0", () => {
    const h = new History(1);
    for (let i = 1; i <= 12; i++) h.record(i, `x${i}`);
    const tail = h.query({ hist_access_type: "tail" });
    assert.equal(tail.length, 10);
    assert.deepEqual(tail[0], [1, 3, "x3"]);
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 0 }), []);
  });

  test("tail on an empty history is empty", () => {
    assert.deepEqual(new History(1).query({ hist_access_type: "tail", n: 5 }), []);
  });

  test("range gives lines from start up to but excluding stop", () => {
    assert.deepEqual(filled().query({ hist_access_type: "range", session: 3, start: 2, stop: 4 }), [
      [3, 2, "a + 1"],
      [3, 3, "console.log(a)"],
    ]);
  });

  test("range with session 0 means the current session", () => {
    const lines = filled()
      .query({ hist_access_type: "range", session: 0, start: 4 })
      .map(([s, l]) => [s, l]);
    assert.deepEqual(lines, [
      [3, 4],
      [3, 5],
    ]);
  });

  test("range of all lines defaults to the current session from line 1", () => {
    assert.equal(filled().query({ hist_access_type: "range" }).length, 5);
  });

  test("range of another session is empty", () => {
    assert.deepEqual(filled().query({ hist_access_type: "range", session: 2 }), []);
    assert.deepEqual(filled().query({ hist_access_type: "range", session: -1 }), []);
  });

  test("output: true gives [input, output] pairs, null where no output was recorded", () => {
    assert.deepEqual(
      filled().query({ hist_access_type: "range", start: 1, stop: 3, output: true }),
      [
        [3, 1, ["const a = 1;", null]],
        [3, 2, ["a + 1", "2"]],
      ],
    );
  });

  test("setOutput sets the output of the latest entry of a line", () => {
    const h = new History(1);
    h.record(1, "6 * 7");
    h.setOutput(1, "42");
    h.setOutput(99, "ignored");
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 5, output: true }), [
      [1, 1, ["6 * 7", "42"]],
    ]);
  });

  test("search with * matches any run of characters over the whole input", () => {
    const h = filled();
    assert.deepEqual(
      h.query({ hist_access_type: "search", pattern: "a*" }).map(([, l]) => l),
      [2, 4],
    );
    assert.deepEqual(
      h.query({ hist_access_type: "search", pattern: "*a*" }).map(([, l]) => l),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a" }), []);
  });

  test("search with ? matches exactly one character", () => {
    const h = new History(1);
    h.record(1, "ab");
    h.record(2, "abc");
    h.record(3, "a");
    assert.deepEqual(
      h.query({ hist_access_type: "search", pattern: "a?" }).map(([, l]) => l),
      [1],
    );
  });

  test("search without a pattern matches everything", () => {
    assert.equal(filled().query({ hist_access_type: "search" }).length, 5);
  });

  test("search with unique keeps only the latest of repeated inputs", () => {
    assert.deepEqual(
      filled()
        .query({ hist_access_type: "search", pattern: "*", unique: true })
        .map(([, l]) => l),
      [1, 3, 4, 5],
    );
  });

  test("search with n keeps the last n hits", () => {
    assert.deepEqual(
      filled()
        .query({ hist_access_type: "search", pattern: "*", n: 2 })
        .map(([, l]) => l),
      [4, 5],
    );
  });

  test("search with unique and n counts distinct inputs", () => {
    assert.deepEqual(
      filled()
        .query({ hist_access_type: "search", pattern: "*a*", unique: true, n: 3 })
        .map(([, l]) => l),
      [3, 4, 5],
    );
  });

  test("search with output: true gives pairs", () => {
    assert.deepEqual(
      filled().query({ hist_access_type: "search", pattern: "a + 1", output: true, unique: true }),
      [[3, 4, ["a + 1", "2"]]],
    );
  });

  test("an unknown hist_access_type throws a message listing the valid ones", () => {
    assert.throws(
      () => filled().query({ hist_access_type: "last" } as unknown as HistoryRequest),
      /"tail", "range" or "search", got "last"/,
    );
  });
});

describe("globToRegExp", () => {
  test("globToRegExp anchors the pattern at both ends", () => {
    assert.equal(globToRegExp("ab").test("ab"), true);
    assert.equal(globToRegExp("ab").test("xab"), false);
    assert.equal(globToRegExp("ab").test("abx"), false);
  });

  test("globToRegExp lets * and ? cross newlines", () => {
    assert.equal(globToRegExp("a*b").test("a\n\nb"), true);
    assert.equal(globToRegExp("a?b").test("a\nb"), true);
  });

  test("globToRegExp escapes regular-expression characters", () => {
    const special = "a.b+c^d$e{f}g(h)i|j[k]l\\m";
    const re = globToRegExp(special);
    assert.equal(re.test(special), true);
    assert.equal(re.test("aXb+c^d$e{f}g(h)i|j[k]l\\m"), false);
    assert.equal(globToRegExp("f(x)").test("f(x)"), true);
    assert.equal(globToRegExp("[ab]").test("a"), false);
    assert.equal(globToRegExp("x.y").test("xzy"), false);
  });
});
