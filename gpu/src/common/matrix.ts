/**
 * A dense row-major matrix of 32-bit floats: `rows` vectors of `cols` values each.
 * This is how datasets, queries and distance tiles travel between layers.
 *
 * @example
 * const m = matrix(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
 * row(m, 1); // Float32Array [4, 5, 6]
 */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wraps `data` as a `rows` × `cols` matrix, checking that the sizes agree. */
export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 0) {
    throw new RangeError(
      `matrix: rows and cols must be non-negative integers, got ${rows} × ${cols}.`,
    );
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `matrix: ${rows} × ${cols} needs ${rows * cols} values, but the array holds ${data.length}.`,
    );
  }
  return { data, rows, cols };
}

/** Row `i` of `m` as a view (no copy). */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/**
 * Throws a RangeError naming `what` and the first NaN or ±Infinity in `m`:
 * distances over such values are meaningless and would silently corrupt a graph.
 */
export function assertFinite(m: Matrix, what: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) {
      const r = Math.floor(i / m.cols);
      throw new RangeError(
        `${what}: row ${r}, column ${i - r * m.cols} is ${v}; remove or impute non-finite values first.`,
      );
    }
  }
}

/**
 * The rows of `m` as `width` floats each (zeros after its columns); `m.data` when they fit.
 * GPU kernels read rows as vec4s, so rows are padded to a multiple of 4.
 *
 * @example
 * padRows(matrix(new Float32Array(6), 2, 3), 4); // 8 floats, a zero after each row
 */
export function padRows(m: Matrix, width: number): Float32Array {
  if (width === m.cols) return m.data;
  const out = new Float32Array(m.rows * width);
  for (let r = 0; r < m.rows; r++) {
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * width);
  }
  return out;
}
