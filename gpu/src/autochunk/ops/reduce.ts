import type { ReduceAttrs, ReduceOp } from "../ir/op.js";
import type { Shape } from "../ir/shape.js";
import { formatShape, numel } from "../ir/shape.js";
import type { OpRule, Rules } from "./rule.js";
import { expectDType, shapeError } from "./rule.js";

/**
 * The shape of a reduction of `shape` over `dims` (reduced dims dropped, or kept as 1).
 *
 * @example
 * reducedShape([2, 3, 4], { dims: [1], keepdim: false }); // [2, 4]
 */
export function reducedShape(shape: Shape, { dims, keepdim }: ReduceAttrs): number[] {
  return keepdim
    ? shape.map((e, d) => (dims.includes(d) ? 1 : e))
    : shape.filter((_, d) => !dims.includes(d));
}

function reduceRule<O extends ReduceOp>(): OpRule<O> {
  return {
    arity: [1, 1],
    infer(attrs, [x]) {
      expectDType(x!, "f32", "x");
      const { dims } = attrs;
      const ascending = dims.every(
        (d, i) => Number.isInteger(d) && d >= 0 && (i === 0 || d > dims[i - 1]!),
      );
      if (dims.length === 0 || !ascending || dims[dims.length - 1]! >= x!.shape.length) {
        shapeError(
          `dims ${formatShape(dims)} must be distinct ascending dims of x ${formatShape(x!.shape)}`,
        );
      }
      return [{ shape: reducedShape(x!.shape, attrs), dtype: "f32" }];
    },
    dimFlow({ dims, keepdim }, [x]) {
      const kept = x!.shape.map((_, d) => d).filter((d) => keepdim || !dims.includes(d));
      return kept.map((d) =>
        dims.includes(d) ? { from: [null], computed: true } : { from: [d], computed: false },
      );
    },
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, [x]) => numel(x!.shape),
  };
}

/** Rules of sum and mean over dims. */
export const reduceRules: Rules<ReduceOp> = { sum: reduceRule(), mean: reduceRule() };
