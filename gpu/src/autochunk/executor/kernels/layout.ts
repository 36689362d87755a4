import type { TensorData } from "../../ir/dtype.js";
import type { LayoutOp } from "../../ir/op.js";
import type { Shape } from "../../ir/shape.js";
import { numel, stridesOf } from "../../ir/shape.js";
import type { Tensor } from "../tensor.js";
import { permuteWasm } from "../wasm/ops.js";
import type { Kernel } from "./kernel.js";
import { forEachRow } from "./strided.js";

/**
 * Writes `src` with its dims reordered by `perm` (output dim d = input dim perm[d]) into `dst`:
 * whole rows copied here when the innermost dim stays innermost, else the wasm transposes
 * (permuteWasm).
 *
 * @example
 * await permuteInto(x, [0, 2, 1, 3], out.data);
 */
export async function permuteInto(
  src: Tensor,
  perm: readonly number[],
  dst: TensorData,
): Promise<void> {
  const rank = perm.length;
  if (rank >= 2 && perm[rank - 1] !== rank - 1) {
    return permuteWasm(src.data, src.shape, perm, dst);
  }
  const shape = perm.map((p) => src.shape[p]!);
  const own = stridesOf(src.shape);
  const inner = shape[rank - 1] ?? 1;
  const data = src.data;
  let base = 0;
  forEachRow(shape, [perm.map((p) => own[p]!)], ([offset]) => {
    dst.set(data.subarray(offset!, offset! + inner), base);
    base += inner;
  });
}

/** Extents before, along and after `dim`: a contiguous tensor is [outer, extent, inner]. */
function split(shape: Shape, dim: number): [number, number, number] {
  return [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))];
}

/**
 * Copies indices [start, start + size) along `dim` of a contiguous `src` of `shape` into `dst`.
 *
 * @example
 * copySlice(x.data, [2, 8, 4], 1, 2, 3, out.data); // out is [2, 3, 4]
 */
export function copySlice(
  src: TensorData,
  shape: Shape,
  dim: number,
  start: number,
  size: number,
  dst: TensorData,
): void {
  const [outer, extent, inner] = split(shape, dim);
  for (let o = 0; o < outer; o++) {
    const from = (o * extent + start) * inner;
    dst.set(src.subarray(from, from + size * inner), o * size * inner);
  }
}

/**
 * Writes `src` (extent `size` along `dim`) into indices [start, start + size) along `dim` of a
 * contiguous `dst` of `shape`: the inverse of copySlice.
 *
 * @example
 * writeSlice(chunk.data, out.data, [2, 8, 4], 1, 2, 3);
 */
export function writeSlice(
  src: TensorData,
  dst: TensorData,
  shape: Shape,
  dim: number,
  start: number,
  size: number,
): void {
  const [outer, extent, inner] = split(shape, dim);
  for (let o = 0; o < outer; o++) {
    dst.set(src.subarray(o * size * inner, (o + 1) * size * inner), (o * extent + start) * inner);
  }
}

/** CPU kernels of the copying layout ops (reshape is a view and has none). */
export const layoutKernels: { readonly [O in Exclude<LayoutOp, "reshape">]: Kernel<O> } = {
  permute({ attrs, inputs: [x], outputs: [out] }) {
    return permuteInto(x!, attrs.perm, out!.data);
  },
  slice({ attrs: { dim, start, end }, inputs: [x], outputs: [out] }) {
    copySlice(x!.data, x!.shape, dim, start, end - start, out!.data);
  },
  concat({ attrs: { dim }, inputs, outputs: [out] }) {
    let start = 0;
    for (const x of inputs) {
      const size = x.shape[dim]!;
      writeSlice(x.data, out!.data, out!.shape, dim, start, size);
      start += size;
    }
  },
};
