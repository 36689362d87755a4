import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseSift5k, parseTsvVectors, SIFT_5K_FILES } from "./tsv.js";
import { SIFT_5K_DIR } from "../../test/datasets.js";

const SIFT_5K = SIFT_5K_DIR + "/";

describe("TSV vectors", () => {
  it("reads the SIFT-5k sample: 5000 × 128 base vectors with their ids, 3 queries", () => {
    const text = (name: string) => readFileSync(SIFT_5K + name, "utf8");
    const sift = parseSift5k(text(SIFT_5K_FILES.base), text(SIFT_5K_FILES.queries));
    assert.equal(sift.base.rows, 5000);
    assert.equal(sift.base.cols, 128);
    assert.equal(sift.queries.rows, 3);
    assert.equal(sift.queries.cols, 128);
    assert.deepEqual(
      Array.from(sift.ids),
      Array.from({ length: 5000 }, (_, i) => 100001 + i),
    );
    // The first line of the file, as text: "0 0 0 0 0 0 0 0 13 10 15 17 …".
    assert.deepEqual(
      Array.from(sift.base.data.subarray(0, 12)),
      [0, 0, 0, 0, 0, 0, 0, 0, 13, 10, 15, 17],
    );
    assert.deepEqual(Array.from(sift.queries.data.subarray(0, 4)), [17, 21, 18, 17]);
    assert.ok(
      sift.base.data.every((v) => Number.isInteger(v) && v >= 0 && v < 256),
      "SIFT values are small integers",
    );
  });

  it("parses ids, skips blank lines and CRLF, and names ragged or non-numeric lines", () => {
    const t = parseTsvVectors("1\t2\t7\r\n\n3.5\t-4\t8\n", { idColumn: true });
    assert.deepEqual(Array.from(t.vectors.data), [1, 2, 3.5, -4]);
    assert.deepEqual(Array.from(t.ids!), [7, 8]);
    assert.equal(parseTsvVectors("1\t2\n").ids, undefined);
    assert.throws(() => parseTsvVectors("1\t2\n3\n"), /line 2 has 1 values, but line 1 has 2/);
    assert.throws(() => parseTsvVectors("1\tx\n"), /line 1, column 2 is "x", not a finite number/);
    assert.throws(() => parseTsvVectors("1\t2.5\n", { idColumn: true }), /line 1 has id 2.5/);
    assert.throws(
      () => parseSift5k("1\t2\t3\n", "1\t2\t3\n"),
      /queries have 3 dimensions but the base vectors 2/,
    );
  });
});
