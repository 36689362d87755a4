import type { TensorData } from "../../ir/dtype.js";
import type { SpatialOp } from "../../ir/op.js";
import type { ConvGeometry } from "../../ops/spatial.js";
import { convGeometry } from "../../ops/spatial.js";
import { matmulWasm } from "../wasm/ops.js";
import type { Kernel } from "./kernel.js";

/** Unfolds image `n` of x into col[cin·kh·kw, ho·wo] (zeros where the window hits padding). */
function im2col(
  x: TensorData,
  n: number,
  g: ConvGeometry,
  stride: number,
  padding: number,
  col: Float32Array,
): void {
  const plane = g.h * g.w;
  let row = 0;
  for (let c = 0; c < g.cin; c++) {
    const image = (n * g.cin + c) * plane;
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++, row++) {
        const base = row * g.ho * g.wo;
        for (let oy = 0; oy < g.ho; oy++) {
          const y = oy * stride - padding + ky;
          const line = base + oy * g.wo;
          if (y < 0 || y >= g.h) {
            col.fill(0, line, line + g.wo);
            continue;
          }
          for (let ox = 0; ox < g.wo; ox++) {
            const xx = ox * stride - padding + kx;
            col[line + ox] = xx >= 0 && xx < g.w ? x[image + y * g.w + xx]! : 0;
          }
        }
      }
    }
  }
}

/** CPU kernels of conv2d (im2col + gemm, one image at a time) and nearest upsampling. */
export const spatialKernels: { readonly [O in SpatialOp]: Kernel<O> } = {
  async conv2d({ attrs: { stride, padding }, inputs: [x, w, b], outputs: [out], workspace }) {
    const g = convGeometry(x!.shape, w!.shape, stride, padding);
    const depth = g.cin * g.kh * g.kw;
    const pixels = g.ho * g.wo;
    const col = new Float32Array(workspace.buffer, workspace.byteOffset, g.colElements);
    const shape = { batch: 1, m: g.cout, n: pixels, k: depth, aStride: 0, bStride: 0 };
    for (let n = 0; n < g.n; n++) {
      const outOff = n * g.cout * pixels;
      const image = out!.data.subarray(outOff, outOff + g.cout * pixels);
      if (g.colElements === 0) {
        const from = n * g.cin * pixels;
        await matmulWasm(
          w!.data,
          x!.data.subarray(from, from + depth * pixels),
          undefined,
          image,
          shape,
        );
      } else {
        im2col(x!.data, n, g, stride, padding, col);
        await matmulWasm(w!.data, col, undefined, image, shape);
      }
      if (b !== undefined) {
        const dst = out!.data;
        for (let c = 0; c < g.cout; c++) {
          const bias = b.data[c]!;
          for (let p = outOff + c * pixels; p < outOff + (c + 1) * pixels; p++) dst[p]! += bias;
        }
      }
    }
  },

  upsample({ attrs: { scale }, inputs: [x], outputs: [out] }) {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const src = x!.data;
    const dst = out!.data;
    const wo = w * scale;
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      for (let oy = 0; oy < h * scale; oy++) {
        const row = (plane * h + Math.floor(oy / scale)) * w;
        for (let ox = 0; ox < wo; ox++) dst[o++] = src[row + Math.floor(ox / scale)]!;
      }
    }
  },
};
