import type { TensorType } from "../ir/dtype.js";
import { DTYPES } from "../ir/dtype.js";
import type { SourceOp } from "../ir/op.js";
import { checkParamInit } from "../ir/param-init.js";
import { formatShape } from "../ir/shape.js";
import type { Rules } from "./rule.js";
import { shapeError } from "./rule.js";

function declaredType(declared: TensorType | undefined): TensorType {
  if (declared === undefined) return shapeError("a source node needs its declared shape and dtype");
  if (!declared.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    shapeError(`shape ${formatShape(declared.shape)} must hold non-negative integers`);
  }
  if (!DTYPES.includes(declared.dtype)) shapeError(`unknown dtype ${String(declared.dtype)}`);
  return { shape: declared.shape, dtype: declared.dtype };
}

/** Rules of graph inputs and parameters: fresh dims, no computation, not activations. */
export const sourceRules: Rules<SourceOp> = {
  input: {
    arity: [0, 0],
    infer: (_attrs, _inputs, declared) => [declaredType(declared)],
    dimFlow: (_attrs, _inputs, out) => out.shape.map(() => ({ from: [], computed: false })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },
  param: {
    arity: [0, 0],
    infer({ init }, _inputs, declared) {
      const type = declaredType(declared);
      const problem = checkParamInit(init, type.shape, type.dtype);
      if (problem !== null) shapeError(problem);
      return [type];
    },
    dimFlow: (_attrs, _inputs, out) => out.shape.map(() => ({ from: [], computed: false })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },
};
