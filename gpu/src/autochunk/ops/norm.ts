import type { NormOp } from "../ir/op.js";
import { formatShape, numel } from "../ir/shape.js";
import type { Rules } from "./rule.js";
import { expectDType, expectInt, expectRank, expectShape, shapeError } from "./rule.js";

function expectEps(eps: number): void {
  if (!(eps > 0) || !Number.isFinite(eps)) shapeError(`eps must be a positive number, got ${eps}`);
}

/** Rules of softmax, layer_norm and group_norm: they mix values along the normalised dims. */
export const normRules: Rules<NormOp> = {
  softmax: {
    arity: [1, 1],
    infer({ dim }, [x]) {
      expectDType(x!, "f32", "x");
      expectInt(dim, "dim", 0, x!.shape.length - 1);
      return [{ shape: x!.shape, dtype: "f32" }];
    },
    dimFlow: ({ dim }, _inputs, out) =>
      out.shape.map((_, d) => ({ from: [d], computed: d === dim })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, _inputs, [out]) => 7 * numel(out!.shape),
  },

  layer_norm: {
    arity: [1, 3],
    infer({ axes, eps }, [x, weight, bias]) {
      expectDType(x!, "f32", "x");
      expectInt(axes, "axes", 1, x!.shape.length);
      expectEps(eps);
      const normalized = x!.shape.slice(x!.shape.length - axes);
      for (const [p, what] of [
        [weight, "the weight"],
        [bias, "the bias"],
      ] as const) {
        if (p === undefined) continue;
        expectDType(p, "f32", what);
        expectShape(p, normalized, `${what} (the last ${axes} dims of x ${formatShape(x!.shape)})`);
      }
      return [{ shape: x!.shape, dtype: "f32" }];
    },
    dimFlow({ axes }, inputs, out) {
      const first = out.shape.length - axes;
      return out.shape.map((_, d) => ({
        from: inputs.map((_t, i) => (i === 0 ? d : d >= first ? d - first : null)),
        computed: d >= first,
      }));
    },
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, _inputs, [out]) => 8 * numel(out!.shape),
  },

  group_norm: {
    arity: [1, 3],
    infer({ groups, eps }, [x, weight, bias]) {
      expectDType(x!, "f32", "x");
      expectRank(x!, 2, "x [N, C, ...]", Infinity);
      const channels = x!.shape[1]!;
      expectInt(groups, "groups", 1);
      if (channels % groups !== 0) {
        shapeError(
          `${channels} channels of x ${formatShape(x!.shape)} do not split into ${groups} groups`,
        );
      }
      expectEps(eps);
      for (const [p, what] of [
        [weight, "the weight"],
        [bias, "the bias"],
      ] as const) {
        if (p === undefined) continue;
        expectDType(p, "f32", what);
        expectShape(p, [channels], what);
      }
      return [{ shape: x!.shape, dtype: "f32" }];
    },
    dimFlow: (_attrs, inputs, out) =>
      out.shape.map((_, d) => ({
        from: inputs.map((_t, i) => (i === 0 ? d : d === 1 ? 0 : null)),
        computed: d > 0,
      })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, _inputs, [out]) => 8 * numel(out!.shape),
  },
};
