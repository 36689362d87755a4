import { matrix, type Matrix } from "../common/matrix.js";

/** Vectors read from a TSV file, with their ids when the file has an id column. */
export interface TsvVectors {
  readonly vectors: Matrix;
  /** The last column of each line, when `idColumn` was set. */
  readonly ids: Uint32Array | undefined;
}

/**
 * Parses tab-separated vectors, one a line; with `idColumn`, the last value of each line is
 * an id (an integer in [0, 2^32)), not a coordinate. Blank lines are skipped.
 *
 * @example
 * parseTsvVectors("1\t2\t7\n3\t4\t8\n", { idColumn: true }); // 2 × 2 vectors, ids [7, 8]
 */
export function parseTsvVectors(text: string, options: { idColumn?: boolean } = {}): TsvVectors {
  const idColumn = options.idColumn ?? false;
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  const lineNumbers: number[] = [];
  let width = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    if (width < 0) width = fields.length;
    if (fields.length !== width) {
      throw new RangeError(
        `parseTsvVectors: line ${n + 1} has ${fields.length} values, but line ${lineNumbers[0]! + 1} has ${width}; ` +
          `every line must have the same number of tab-separated values.`,
      );
    }
    const values = fields.map((f, c) => {
      const v = f.trim() === "" ? NaN : Number(f);
      if (!Number.isFinite(v)) {
        throw new RangeError(
          `parseTsvVectors: line ${n + 1}, column ${c + 1} is "${f}", not a finite number.`,
        );
      }
      return v;
    });
    rows.push(values);
    lineNumbers.push(n);
  }
  const cols = Math.max(0, width - (idColumn ? 1 : 0));
  if (rows.length > 0 && cols < 1) {
    throw new RangeError(`parseTsvVectors: lines hold ${width} value(s), leaving no coordinates.`);
  }
  const data = new Float32Array(rows.length * cols);
  const ids = idColumn ? new Uint32Array(rows.length) : undefined;
  rows.forEach((values, r) => {
    for (let c = 0; c < cols; c++) data[r * cols + c] = values[c]!;
    if (ids) {
      const id = values[cols]!;
      if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
        throw new RangeError(
          `parseTsvVectors: line ${lineNumbers[r]! + 1} has id ${id}; ids must be integers in [0, 2^32).`,
        );
      }
      ids[r] = id;
    }
  });
  return { vectors: matrix(data, rows.length, cols), ids };
}

/** The SIFT-5k sample (NGT's sample data): 5,000 base vectors with ids, and 3 queries, 128-d. */
export interface Sift5k {
  /** Base vectors [5000, 128]. */
  readonly base: Matrix;
  /** Each base vector's id (100001, 100002, …). */
  readonly ids: Uint32Array;
  /** Query vectors [3, 128]. */
  readonly queries: Matrix;
}

/** File names of the SIFT-5k sample inside its folder. */
export const SIFT_5K_FILES = Object.freeze({
  base: "sift-dataset-5k.tsv",
  queries: "sift-query-3.tsv",
});

/**
 * Parses the SIFT-5k sample from the text of its two files (see SIFT_5K_FILES).
 *
 * @example
 * const { base, ids, queries } = parseSift5k(baseText, queryText);
 */
export function parseSift5k(baseText: string, queryText: string): Sift5k {
  const base = parseTsvVectors(baseText, { idColumn: true });
  const queries = parseTsvVectors(queryText).vectors;
  if (queries.cols !== base.vectors.cols) {
    throw new RangeError(
      `parseSift5k: the queries have ${queries.cols} dimensions but the base vectors ${base.vectors.cols}.`,
    );
  }
  return { base: base.vectors, ids: base.ids!, queries };
}
