import type { TensorType } from "../ir/dtype.js";
import { tensorBytes } from "../ir/dtype.js";
import type { ContractionOp } from "../ir/op.js";
import { broadcastShapes, formatShape, numel } from "../ir/shape.js";
import { planEinsum } from "./einsum-spec.js";
import type { OutDimFlow, Rules } from "./rule.js";
import { broadcastFlow, expectDType, expectRank, expectShape, shapeError } from "./rule.js";

/** Rules of linear, matmul and einsum. */
export const contractionRules: Rules<ContractionOp> = {
  linear: {
    arity: [2, 3],
    infer(_attrs, [x, w, b]) {
      expectDType(x!, "f32", "x");
      expectRank(x!, 1, "x", Infinity);
      expectDType(w!, "f32", "the weight");
      expectRank(w!, 2, "the weight [in, out]");
      const inFeatures = x!.shape[x!.shape.length - 1]!;
      if (w!.shape[0] !== inFeatures) {
        shapeError(
          `x ${formatShape(x!.shape)} has ${inFeatures} features but the weight ` +
            `${formatShape(w!.shape)} expects ${w!.shape[0]} (weights are [in, out])`,
        );
      }
      if (b !== undefined) {
        expectDType(b, "f32", "the bias");
        expectShape(b, [w!.shape[1]!], "the bias");
      }
      return [{ shape: [...x!.shape.slice(0, -1), w!.shape[1]!], dtype: "f32" }];
    },
    dimFlow(_attrs, inputs, out) {
      const last = out.shape.length - 1;
      return out.shape.map((_, d): OutDimFlow => {
        if (d < last) return { from: inputs.map((_t, i) => (i === 0 ? d : null)), computed: false };
        return { from: inputs.map((_t, i) => (i === 0 ? null : i === 1 ? 1 : 0)), computed: true };
      });
    },
    alias: () => null,
    workspaceBytes: () => 0,
    flops(_attrs, [x, w, b]) {
      const rows = numel(x!.shape) / w!.shape[0]!;
      return rows * w!.shape[1]! * (2 * w!.shape[0]! + (b === undefined ? 0 : 1));
    },
  },

  matmul: {
    arity: [2, 2],
    infer(_attrs, [a, b]) {
      expectDType(a!, "f32", "the first operand");
      expectDType(b!, "f32", "the second operand");
      expectRank(a!, 2, "the first operand [..., m, k]", Infinity);
      expectRank(b!, 2, "the second operand [..., k, n]", Infinity);
      const [m, k] = a!.shape.slice(-2) as [number, number];
      const [k2, n] = b!.shape.slice(-2) as [number, number];
      if (k !== k2) {
        shapeError(
          `inner dims differ: ${formatShape(a!.shape)} · ${formatShape(b!.shape)} (${k} ≠ ${k2})`,
        );
      }
      const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
      if (batch === null) {
        shapeError(
          `batch dims of ${formatShape(a!.shape)} and ${formatShape(b!.shape)} do not broadcast`,
        );
      }
      return [{ shape: [...batch, m, n], dtype: "f32" }];
    },
    dimFlow(_attrs, [a, b], out) {
      const batch = broadcastFlow(
        [{ shape: a!.shape.slice(0, -2) }, { shape: b!.shape.slice(0, -2) }],
        out.shape.slice(0, -2),
      );
      return [
        ...batch,
        { from: [a!.shape.length - 2, null], computed: false },
        { from: [null, b!.shape.length - 1], computed: true },
      ];
    },
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, [a], [out]) => 2 * numel(out!.shape) * a!.shape[a!.shape.length - 1]!,
  },

  einsum: {
    arity: [2, 2],
    infer({ spec }, [a, b]) {
      expectDType(a!, "f32", "the first operand");
      expectDType(b!, "f32", "the second operand");
      return [{ shape: planEinsum(spec, a!.shape, b!.shape).outShape, dtype: "f32" }];
    },
    dimFlow({ spec }, [a, b]) {
      const plan = planEinsum(spec, a!.shape, b!.shape);
      return [...plan.out].map((c) => ({
        from: [plan.inA.indexOf(c), plan.inB.indexOf(c)].map((i) => (i < 0 ? null : i)),
        computed: false,
      }));
    },
    alias: () => null,
    workspaceBytes({ spec }, [a, b], [out], executor) {
      const plan = planEinsum(spec, a!.shape, b!.shape);
      // The CPU kernel reads and writes evenly strided operands where they lie.
      if (executor === "cpu" && plan.inPlace !== null) return 0;
      return einsumWorkspace(plan, a!, b!, out!);
    },
    flops({ spec }, [a, b]) {
      const plan = planEinsum(spec, a!.shape, b!.shape);
      return 2 * plan.batch * plan.m * plan.n * plan.k;
    },
  },
};

/** Bytes of the permuted copies an einsum needs: A and B in product layout, then the product. */
function einsumWorkspace(
  plan: { permA: unknown; permB: unknown; permOut: unknown },
  a: TensorType,
  b: TensorType,
  out: TensorType,
): number {
  return (
    (plan.permA === null ? 0 : tensorBytes(a)) +
    (plan.permB === null ? 0 : tensorBytes(b)) +
    (plan.permOut === null ? 0 : tensorBytes(out))
  );
}
