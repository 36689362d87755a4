import type { Shape } from "../../ir/shape.js";
import { stridesOf } from "../../ir/shape.js";

/**
 * Element strides for reading a tensor of `shape` broadcast to `out` (right-aligned; 0 along
 * dims it lacks or has extent 1 in).
 *
 * @example
 * broadcastStrides([3], [2, 3]); // [0, 1]
 */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const own = stridesOf(shape);
  return out.map((extent, d) => {
    const j = d - (out.length - shape.length);
    return j < 0 || (shape[j] === 1 && extent !== 1) ? 0 : own[j]!;
  });
}

/**
 * Walks every row (all dims but the last) of an index space of `shape`, calling `visit` with
 * the row's offset in each of several strided layouts. Kernels loop over the last dim
 * themselves, so the per-row call is cheap next to the work.
 *
 * @example
 * forEachRow([2, 3], [[3, 1], [1, 2]], (o) => console.log(o[0], o[1])); // 0 0, then 3 1
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  visit: (offsets: readonly number[]) => void,
): void {
  const rank = shape.length;
  if (shape.some((d) => d === 0)) return;
  const offsets = strides.map(() => 0);
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (;;) {
    visit(offsets);
    let d = rank - 2;
    for (; d >= 0; d--) {
      index[d]!++;
      for (let s = 0; s < strides.length; s++) offsets[s]! += strides[s]![d]!;
      if (index[d]! < shape[d]!) break;
      for (let s = 0; s < strides.length; s++) offsets[s]! -= strides[s]![d]! * index[d]!;
      index[d] = 0;
    }
    if (d < 0) return;
  }
}
