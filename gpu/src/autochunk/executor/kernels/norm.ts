import type { TensorData } from "../../ir/dtype.js";
import type { NormOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import { layerNormWasm, softmaxWasm } from "../wasm/ops.js";
import type { Kernel } from "./kernel.js";

/** Mean and 1/sqrt(variance + eps) of `count` values of `x` from `start` (two passes, biased variance). */
function moments(x: TensorData, start: number, count: number, eps: number): [number, number] {
  let sum = 0;
  for (let i = start; i < start + count; i++) sum += x[i]!;
  const mean = sum / count;
  let sq = 0;
  for (let i = start; i < start + count; i++) {
    const d = x[i]! - mean;
    sq += d * d;
  }
  return [mean, 1 / Math.sqrt(sq / count + eps)];
}

/** CPU kernels of softmax, layer_norm and group_norm. */
export const normKernels: { readonly [O in NormOp]: Kernel<O> } = {
  softmax({ attrs: { dim }, inputs: [x], outputs: [out] }) {
    const shape = x!.shape;
    const len = shape[dim]!;
    const inner = numel(shape.slice(dim + 1));
    if (inner === 1) return softmaxWasm(x!.data, out!.data, len);
    const outer = numel(shape.slice(0, dim));
    const src = x!.data;
    const dst = out!.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let max = -Infinity;
        for (let j = 0; j < len; j++) max = Math.max(max, src[base + j * inner]!);
        let sum = 0;
        for (let j = 0; j < len; j++) {
          const e = Math.exp(src[base + j * inner]! - max);
          dst[base + j * inner] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j < len; j++) dst[base + j * inner]! *= inv;
      }
    }
  },

  layer_norm({ attrs: { axes, eps }, inputs: [x, w, b], outputs: [out] }) {
    const width = numel(x!.shape.slice(x!.shape.length - axes));
    return layerNormWasm(x!.data, w?.data, b?.data, out!.data, width, eps);
  },

  group_norm({ attrs: { groups, eps }, inputs: [x, w, b], outputs: [out] }) {
    const [n, channels] = x!.shape as [number, number];
    const spatial = numel(x!.shape.slice(2));
    const perGroup = channels / groups;
    const src = x!.data;
    const dst = out!.data;
    for (let i = 0; i < n; i++) {
      for (let g = 0; g < groups; g++) {
        const start = (i * channels + g * perGroup) * spatial;
        const [mean, rstd] = moments(src, start, perGroup * spatial, eps);
        for (let c = g * perGroup; c < (g + 1) * perGroup; c++) {
          const scale = rstd * (w?.data[c] ?? 1);
          const shift = (b?.data[c] ?? 0) - mean * scale;
          const base = (i * channels + c) * spatial;
          for (let s = 0; s < spatial; s++) dst[base + s] = src[base + s]! * scale + shift;
        }
      }
    }
  },
};
