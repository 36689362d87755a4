import type { ReduceOp } from "../../ir/op.js";
import { numel, stridesOf } from "../../ir/shape.js";
import type { Tensor } from "../tensor.js";
import type { Kernel } from "./kernel.js";
import { forEachRow } from "./strided.js";

/** Sums `x` over `dims` into `out`, walking x once in memory order. */
function sumInto(x: Tensor, dims: readonly number[], out: Tensor): void {
  const keptStrides = stridesOf(x.shape.map((e, d) => (dims.includes(d) ? 1 : e)));
  const strides = x.shape.map((_, d) => (dims.includes(d) ? 0 : keptStrides[d]!));
  const rank = x.shape.length;
  const inner = x.shape[rank - 1]!;
  const step = strides[rank - 1]!;
  const src = x.data;
  const dst = out.data;
  dst.fill(0);
  let base = 0;
  forEachRow(x.shape, [strides], ([offset]) => {
    if (step === 0) {
      let acc = 0;
      for (let j = 0; j < inner; j++) acc += src[base + j]!;
      dst[offset!]! += acc;
    } else {
      for (let j = 0; j < inner; j++) dst[offset! + j]! += src[base + j]!;
    }
    base += inner;
  });
}

/** CPU kernels of sum and mean. */
export const reduceKernels: { readonly [O in ReduceOp]: Kernel<O> } = {
  sum({ attrs, inputs: [x], outputs: [out] }) {
    sumInto(x!, attrs.dims, out!);
  },
  mean({ attrs, inputs: [x], outputs: [out] }) {
    sumInto(x!, attrs.dims, out!);
    const count = numel(attrs.dims.map((d) => x!.shape[d]!));
    const dst = out!.data;
    for (let i = 0; i < dst.length; i++) dst[i]! /= count;
  },
};
