import { matrix, type Matrix } from "../common/matrix.js";
import { seededRandom } from "../common/random.js";

/** A dataset split into base rows and held-out query rows. */
export interface HoldOut {
  /** The rows not held out, in their original order. */
  readonly base: Matrix;
  /** The held-out rows, in ascending original order. */
  readonly queries: Matrix;
  /** Original row index of each base row. */
  readonly baseRows: Uint32Array;
  /** Original row index of each query row. */
  readonly queryRows: Uint32Array;
}

function gather(m: Matrix, rowIds: Uint32Array): Matrix {
  const out = new Float32Array(rowIds.length * m.cols);
  rowIds.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return matrix(out, rowIds.length, m.cols);
}

/**
 * Holds `count` rows of `m`, chosen uniformly at random with `seed`, out as extra queries
 * (for a dataset whose own queries are too few, such as SIFT-5k's three). The same seed
 * always holds out the same rows.
 *
 * @example
 * const { base, queries } = holdOutQueries(sift.base, 100, 7);
 */
export function holdOutQueries(m: Matrix, count: number, seed = 0): HoldOut {
  if (!Number.isSafeInteger(count) || count < 0 || count > m.rows) {
    throw new RangeError(
      `holdOutQueries: count must be an integer in [0, ${m.rows}], got ${count}.`,
    );
  }
  // Partial Fisher–Yates: the first `count` slots end up a uniform random sample.
  const order = new Uint32Array(m.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const rand = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (m.rows - i));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const queryRows = order.slice(0, count).sort();
  const held = new Uint8Array(m.rows);
  for (const r of queryRows) held[r] = 1;
  const baseRows = new Uint32Array(m.rows - count);
  for (let r = 0, k = 0; r < m.rows; r++) if (!held[r]) baseRows[k++] = r;
  return { base: gather(m, baseRows), queries: gather(m, queryRows), baseRows, queryRows };
}
