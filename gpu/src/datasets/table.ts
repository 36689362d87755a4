/**
 * A dense row-major table of 32-bit integers: ids such as ground-truth neighbours
 * (.ivecs, .ibin). Vectors travel as a Matrix (common/matrix.ts); ids keep their integer type.
 *
 * @example
 * const t = int32Table(new Int32Array([3, 1, 4, 1]), 2, 2);
 * t.data[t.cols * 1 + 0]; // 4
 */
export interface Int32Table {
  readonly data: Int32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wraps `data` as a `rows` × `cols` table, checking that the sizes agree. */
export function int32Table(data: Int32Array, rows: number, cols: number): Int32Table {
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 0) {
    throw new RangeError(
      `int32Table: rows and cols must be non-negative integers, got ${rows} × ${cols}.`,
    );
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `int32Table: ${rows} × ${cols} needs ${rows * cols} values, but the array holds ${data.length}.`,
    );
  }
  return { data, rows, cols };
}
