import type { TensorType } from "../ir/dtype.js";
import type { BinaryOp, UnaryOp } from "../ir/op.js";
import { broadcastShapes, formatShape, numel } from "../ir/shape.js";
import type { OpRule, Rules } from "./rule.js";
import { broadcastFlow, expectDType, shapeError } from "./rule.js";

// Rough FLOPs per element; transcendental functions count as several operations.
const UNARY_FLOPS: Record<UnaryOp, number> = {
  neg: 1,
  exp: 4,
  log: 4,
  sqrt: 4,
  rsqrt: 4,
  relu: 1,
  gelu: 8,
  sigmoid: 5,
  silu: 6,
  tanh: 6,
  sin: 4,
  cos: 4,
  scale: 1,
};
const BINARY_FLOPS: Record<BinaryOp, number> = { add: 1, sub: 1, mul: 1, div: 1, pow: 6 };

function unaryRule<O extends UnaryOp>(op: O): OpRule<O> {
  return {
    arity: [1, 1],
    infer(attrs, [x]) {
      expectDType(x!, "f32", "the operand");
      if ("factor" in attrs && !Number.isFinite(attrs.factor)) {
        shapeError(`factor must be a finite number, got ${attrs.factor}`);
      }
      return [{ shape: x!.shape, dtype: "f32" }];
    },
    dimFlow: (_attrs, inputs, out) => broadcastFlow(inputs, out.shape),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, _inputs, [out]) => UNARY_FLOPS[op] * numel(out!.shape),
  };
}

function binaryRule<O extends BinaryOp>(op: O): OpRule<O> {
  return {
    arity: [2, 2],
    infer(_attrs, [a, b]) {
      expectDType(a!, "f32", "the first operand");
      expectDType(b!, "f32", "the second operand");
      const shape = broadcastShapes(a!.shape, b!.shape);
      if (shape === null) {
        shapeError(`shapes ${formatShape(a!.shape)} and ${formatShape(b!.shape)} do not broadcast`);
      }
      return [{ shape, dtype: "f32" }];
    },
    dimFlow: (_attrs, inputs: readonly TensorType[], out) => broadcastFlow(inputs, out.shape),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: (_attrs, _inputs, [out]) => BINARY_FLOPS[op] * numel(out!.shape),
  };
}

/** Rules of the elementwise ops: shapes follow (or broadcast), nothing is mixed along any dim. */
export const elementwiseRules: Rules<UnaryOp | BinaryOp> = {
  neg: unaryRule("neg"),
  exp: unaryRule("exp"),
  log: unaryRule("log"),
  sqrt: unaryRule("sqrt"),
  rsqrt: unaryRule("rsqrt"),
  relu: unaryRule("relu"),
  gelu: unaryRule("gelu"),
  sigmoid: unaryRule("sigmoid"),
  silu: unaryRule("silu"),
  tanh: unaryRule("tanh"),
  sin: unaryRule("sin"),
  cos: unaryRule("cos"),
  scale: unaryRule("scale"),
  add: binaryRule("add"),
  sub: binaryRule("sub"),
  mul: binaryRule("mul"),
  div: binaryRule("div"),
  pow: binaryRule("pow"),
};
