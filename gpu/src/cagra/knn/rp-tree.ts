import type { Random } from "../../common/random.js";

/** The leaves of a tree: rows order[starts[i] .. starts[i + 1]) form leaf i. */
export interface Leaves {
  readonly order: Uint32Array;
  readonly starts: Uint32Array;
}

/**
 * The leaves of a random-projection tree (as PyNNDescent seeds NN-descent): split the rows
 * by the hyperplane halfway between two random members, recursively, until every leaf has
 * at most `maxLeaf` rows. Rows of one leaf tend to be near each other. A split that leaves a
 * side empty (duplicate points) falls back to halving.
 *
 * @example
 * const { order, starts } = randomProjectionLeaves(data, 1000, 16, 64, seededRandom(1));
 * order.subarray(starts[0], starts[1]); // the rows of the first leaf
 */
export function randomProjectionLeaves(
  data: Float32Array,
  rows: number,
  dim: number,
  maxLeaf: number,
  rand: Random,
): Leaves {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const starts: number[] = [];
  const normal = new Float64Array(dim);
  const stack: number[] = [0, rows];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= maxLeaf) {
      starts.push(lo);
      continue;
    }
    let mid = splitByHyperplane(data, dim, order, lo, hi, normal, rand);
    if (mid === lo || mid === hi) mid = (lo + hi) >>> 1;
    stack.push(mid, hi, lo, mid);
  }
  starts.sort((a, b) => a - b);
  starts.push(rows);
  return { order, starts: Uint32Array.from(starts) };
}

/**
 * Rows order[0], order[1], … of `data` (`dim` columns), written `outStride` floats apart to
 * `out` (a new array by default): the dataset renumbered in leaf order, where near rows sit
 * near each other. Columns past `dim` in `out` are left as they are.
 *
 * @example
 * const { order } = randomProjectionLeaves(data, rows, dim, 64, seededRandom(1));
 * const local = permuteRows(data, order, dim); // row p of local is row order[p] of data
 */
export function permuteRows(
  data: Float32Array,
  order: Uint32Array,
  dim: number,
  out: Float32Array = new Float32Array(order.length * dim),
  outStride = dim,
): Float32Array {
  for (let i = 0; i < order.length; i++) {
    out.set(data.subarray(order[i]! * dim, (order[i]! + 1) * dim), i * outStride);
  }
  return out;
}

/** Partitions order[lo, hi) by a random hyperplane; returns where the second side starts. */
function splitByHyperplane(
  data: Float32Array,
  dim: number,
  order: Uint32Array,
  lo: number,
  hi: number,
  normal: Float64Array,
  rand: Random,
): number {
  const n = hi - lo;
  const ia = Math.floor(rand() * n);
  let ib = Math.floor(rand() * (n - 1));
  if (ib >= ia) ib++;
  const a = order[lo + ia]! * dim;
  const b = order[lo + ib]! * dim;
  // x is on xa's side when (xa − xb)·x > (‖xa‖² − ‖xb‖²)/2.
  let offset = 0;
  for (let c = 0; c < dim; c++) {
    const va = data[a + c]!;
    const vb = data[b + c]!;
    normal[c] = va - vb;
    offset += (va * va - vb * vb) / 2;
  }
  let i = lo;
  let j = hi - 1;
  while (i <= j) {
    if (side(data, order[i]! * dim, normal, dim) > offset) {
      i++;
    } else {
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      j--;
    }
  }
  return i;
}

/** normal · data[row .. row + dim), four partial sums to break the dependency chain. */
function side(data: Float32Array, row: number, normal: Float64Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < dim; c += 4) {
    s0 += normal[c]! * data[row + c]!;
    s1 += normal[c + 1]! * data[row + c + 1]!;
    s2 += normal[c + 2]! * data[row + c + 2]!;
    s3 += normal[c + 3]! * data[row + c + 3]!;
  }
  for (; c < dim; c++) s0 += normal[c]! * data[row + c]!;
  return s0 + s1 + s2 + s3;
}
