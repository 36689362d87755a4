import type { SpatialOp } from "../ir/op.js";
import { formatShape, numel } from "../ir/shape.js";
import type { Rules } from "./rule.js";
import { expectDType, expectInt, expectRank, expectShape, shapeError } from "./rule.js";

/** Geometry of a conv2d: shapes and whether it needs an im2col buffer. */
export interface ConvGeometry {
  readonly n: number;
  readonly cin: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  readonly kh: number;
  readonly kw: number;
  readonly ho: number;
  readonly wo: number;
  /** Elements of one image's im2col matrix [cin·kh·kw, ho·wo]; 0 for a 1×1, stride-1, unpadded conv. */
  readonly colElements: number;
}

/**
 * The geometry of x[N, Ci, H, W] ⊛ w[Co, Ci, kh, kw].
 *
 * @example
 * convGeometry([1, 3, 32, 32], [8, 3, 3, 3], 1, 1).ho; // 32
 */
export function convGeometry(
  x: readonly number[],
  w: readonly number[],
  stride: number,
  padding: number,
): ConvGeometry {
  const [n, cin, h, wd] = x as [number, number, number, number];
  const [cout, , kh, kw] = w as [number, number, number, number];
  const ho = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const wo = Math.floor((wd + 2 * padding - kw) / stride) + 1;
  const direct = kh === 1 && kw === 1 && stride === 1 && padding === 0;
  return {
    n,
    cin,
    h,
    w: wd,
    cout,
    kh,
    kw,
    ho,
    wo,
    colElements: direct ? 0 : cin * kh * kw * ho * wo,
  };
}

/** Rules of conv2d and upsample (NCHW): they mix along H and W. */
export const spatialRules: Rules<SpatialOp> = {
  conv2d: {
    arity: [2, 3],
    infer({ stride, padding }, [x, w, b]) {
      expectDType(x!, "f32", "x");
      expectRank(x!, 4, "x [N, C, H, W]");
      expectDType(w!, "f32", "the weight");
      expectRank(w!, 4, "the weight [Co, Ci, kh, kw]");
      expectInt(stride, "stride", 1);
      expectInt(padding, "padding", 0);
      if (w!.shape[1] !== x!.shape[1]) {
        shapeError(
          `x ${formatShape(x!.shape)} has ${x!.shape[1]} channels, the weight ` +
            `${formatShape(w!.shape)} expects ${w!.shape[1]}`,
        );
      }
      const g = convGeometry(x!.shape, w!.shape, stride, padding);
      if (g.ho < 1 || g.wo < 1) {
        shapeError(
          `a ${g.kh}×${g.kw} kernel with padding ${padding} does not fit x ${formatShape(x!.shape)}`,
        );
      }
      if (b !== undefined) {
        expectDType(b, "f32", "the bias");
        expectShape(b, [g.cout], "the bias");
      }
      return [{ shape: [g.n, g.cout, g.ho, g.wo], dtype: "f32" }];
    },
    dimFlow: (_attrs, inputs) =>
      [0, 1, 2, 3].map((d) => ({
        from: inputs.map((_t, i) => (i === 0 ? (d === 1 ? null : d) : d === 1 ? 0 : null)),
        computed: d > 0,
      })),
    alias: () => null,
    workspaceBytes: ({ stride, padding }, [x, w]) =>
      4 * convGeometry(x!.shape, w!.shape, stride, padding).colElements,
    flops({ stride, padding }, [x, w, b], [out]) {
      const g = convGeometry(x!.shape, w!.shape, stride, padding);
      return numel(out!.shape) * (2 * g.cin * g.kh * g.kw + (b === undefined ? 0 : 1));
    },
  },

  upsample: {
    arity: [1, 1],
    infer({ scale }, [x]) {
      expectRank(x!, 4, "x [N, C, H, W]");
      expectInt(scale, "scale", 1);
      const [n, c, h, w] = x!.shape as [number, number, number, number];
      return [{ shape: [n, c, h * scale, w * scale], dtype: x!.dtype }];
    },
    dimFlow: () => [0, 1, 2, 3].map((d) => ({ from: [d], computed: d >= 2 })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },
};
