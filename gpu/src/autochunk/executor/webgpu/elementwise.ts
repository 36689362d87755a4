import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { BinaryOp, OpAttrs, UnaryOp } from "../../ir/op.js";
import { numel } from "../../ir/shape.js";
import { broadcastStrides } from "../kernels/strided.js";
import type { GpuKernel } from "./kernel.js";
import { WORKGROUP, f32, grid, groupIndex, header, stridedOffsets } from "./wgsl.js";

/**
 * erf by Abramowitz & Stegun 7.1.26 and exact GELU, the same formulas as the CPU kernels
 * (executor/kernels/elementwise.ts): WGSL has no erf.
 */
const GELU_WGSL = /* wgsl */ `
fn erf_as(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return select(1.0, -1.0, x < 0.0) * (1.0 - poly * exp(-a * a));
}
fn gelu(x: f32) -> f32 { return 0.5 * x * (1.0 + erf_as(x * 0.70710678118654752)); }`;

/**
 * JavaScript's Math.pow on f32: WGSL's pow is undefined for a negative base, where JavaScript
 * gives ±|a|^b for an integer b (and NaN otherwise); x^0 is 1 for every x.
 */
const POW_WGSL = /* wgsl */ `
fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  let r = pow(abs(a), b);
  if (a >= 0.0) { return r; }
  // NaN, built from a run-time value (a constant NaN is a shader-creation error).
  if (b != floor(b)) { return bitcast<f32>(0x7fc00000u | (bitcast<u32>(b) & 0u)); }
  return select(r, -r, fract(b * 0.5) != 0.0);
}`;

/**
 * sin and cos to about 1e-7 on moderate arguments: WGSL only promises an absolute error of
 * 2^-11 (SwiftShader's built-ins are that coarse). Reduced by multiples of π/2 (Cody–Waite,
 * two-part π/2), then Taylor polynomials on [-π/4, π/4]; `quarter` shifts the quadrant (cos).
 */
const SINCOS_WGSL = /* wgsl */ `
fn sin_quadrant(x: f32, quarter: i32) -> f32 {
  let k = round(x * 0.63661977236758134);
  let r = (x - k * 1.5707963705062866) + k * 4.3711390001862430e-8;
  let r2 = r * r;
  let s = r + r * r2 * (-0.16666667 + r2 * (0.0083333337 + r2 * -0.00019841270));
  let c = 1.0 + r2 * (-0.5 + r2 * (0.041666668 + r2 * (-0.0013888889 + r2 * 0.000024801587)));
  let q = (i32(k) + quarter) & 3;
  if (q == 0) { return s; }
  if (q == 1) { return c; }
  if (q == 2) { return -s; }
  return -c;
}`;

/** One WGSL expression per unary op, of `x` (the attributes give scale its factor). */
const UNARY_WGSL: { readonly [O in UnaryOp]: (attrs: OpAttrs[O]) => string } = {
  neg: () => "-x",
  exp: () => "exp(x)",
  log: () => "log(x)",
  sqrt: () => "sqrt(x)",
  rsqrt: () => "inverseSqrt(x)",
  relu: () => "max(x, 0.0)",
  gelu: () => "gelu(x)",
  sigmoid: () => "1.0 / (1.0 + exp(-x))",
  silu: () => "x / (1.0 + exp(-x))",
  // tanh(±15) is ±1 in f32; clamping keeps implementations that compute e^2x from overflowing.
  tanh: () => "tanh(clamp(x, -15.0, 15.0))",
  sin: () => "sin_quadrant(x, 0)",
  cos: () => "sin_quadrant(x, 1)",
  scale: ({ factor }) => `x * ${f32(factor)}`,
};

/** One WGSL expression per binary op, of `a` and `b`. */
const BINARY_WGSL: { readonly [O in BinaryOp]: string } = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "pow_js(a, b)",
};

/** Helper functions an expression may call. */
function prelude(expression: string): string {
  const uses = (name: string, text: string) => (expression.includes(`${name}(`) ? text : "");
  return uses("gelu", GELU_WGSL) + uses("pow_js", POW_WGSL) + uses("sin_quadrant", SINCOS_WGSL);
}

/**
 * out[i] = expression over `count` elements; `offsets` computes each operand's index from `i`.
 * One invocation per element on a grid `gx` workgroups wide.
 */
function mapKernel(
  key: string,
  operands: readonly string[],
  expression: string,
  offsets: string,
  count: number,
  gx: number,
): KernelSource {
  const bindings = [
    ...operands.map((name) => ({ name, type: "f32" as const })),
    { name: "out", type: "f32" as const, write: true },
  ];
  const loads = operands.map((name) => `let ${name} = ld_${name}(i${name});`).join("\n  ");
  return {
    key: `autochunk/${key}`,
    code: /* wgsl */ `${header(bindings)}${prelude(expression)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${groupIndex(gx)} * ${WORKGROUP}u + li;
  if (i >= ${count}u) { return; }
  ${offsets}
  ${loads}
  st_out(i, ${expression});
}`,
  };
}

function unaryKernel<O extends UnaryOp>(op: O): GpuKernel<O> {
  return async (ctx) => {
    const [x] = ctx.inputs;
    const [out] = ctx.outputs;
    const count = numel(out!.shape);
    const expression = UNARY_WGSL[op](ctx.attrs);
    const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
    const source = mapKernel(
      `${op}:${expression}:${count}:${groups[0]}`,
      ["x"],
      expression,
      "let ix = i;",
      count,
      groups[0],
    );
    await ctx.dispatch(source, [x!, out!], groups);
  };
}

function binaryKernel<O extends BinaryOp>(op: O): GpuKernel<O> {
  return async (ctx) => {
    const [a, b] = ctx.inputs;
    const [out] = ctx.outputs;
    const shape = out!.shape;
    const count = numel(shape);
    const strides = [broadcastStrides(a!.shape, shape), broadcastStrides(b!.shape, shape)];
    const groups = grid(Math.ceil(count / WORKGROUP), ctx.maxWorkgroups);
    const key = `${op}:[${shape}]:[${strides[0]}]:[${strides[1]}]:${groups[0]}`;
    const offsets = stridedOffsets(shape, strides, "i", ["ia", "ib"]);
    const source = mapKernel(key, ["a", "b"], BINARY_WGSL[op], offsets, count, groups[0]);
    await ctx.dispatch(source, [a!, b!, out!], groups);
  };
}

/** WebGPU kernels of the elementwise ops, generated from the expression tables above. */
export const elementwiseKernels: { readonly [O in UnaryOp | BinaryOp]: GpuKernel<O> } = {
  neg: unaryKernel("neg"),
  exp: unaryKernel("exp"),
  log: unaryKernel("log"),
  sqrt: unaryKernel("sqrt"),
  rsqrt: unaryKernel("rsqrt"),
  relu: unaryKernel("relu"),
  gelu: unaryKernel("gelu"),
  sigmoid: unaryKernel("sigmoid"),
  silu: unaryKernel("silu"),
  tanh: unaryKernel("tanh"),
  sin: unaryKernel("sin"),
  cos: unaryKernel("cos"),
  scale: unaryKernel("scale"),
  add: binaryKernel("add"),
  sub: binaryKernel("sub"),
  mul: binaryKernel("mul"),
  div: binaryKernel("div"),
  pow: binaryKernel("pow"),
};
