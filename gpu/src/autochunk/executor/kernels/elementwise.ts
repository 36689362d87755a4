import type { BinaryOp, OpAttrs, UnaryOp } from "../../ir/op.js";
import type { TensorData } from "../../ir/dtype.js";
import type { Shape } from "../../ir/shape.js";
import type { Tensor } from "../tensor.js";
import type { WasmBinaryOp, WasmUnaryOp } from "../wasm/ops.js";
import {
  BINARY_CODES,
  UNARY_CODES,
  binaryScalarWasm,
  binaryWasm,
  geluWasm,
  unaryWasm,
} from "../wasm/ops.js";
import type { Kernel } from "./kernel.js";
import { broadcastStrides, forEachRow } from "./strided.js";

/**
 * erf(x) by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7, below f32 resolution near 1);
 * JavaScript and WGSL have no erf, so the WGSL kernels use the same formula.
 *
 * @example
 * erf(1); // ≈ 0.8427008
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

/** Exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), as PyTorch's default nn.GELU(). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

type Unary = (x: number) => number;

const UNARY: Record<Exclude<UnaryOp, "scale">, Unary> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  relu: (x) => (x > 0 ? x : 0),
  gelu,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  silu: (x) => x / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
};

/** out[at + j] = f(row[from + j], v), or f(v, row[from + j]) in SCALAR_ROW, for j < n. */
type RowLoop = (
  row: TensorData,
  from: number,
  v: number,
  out: TensorData,
  at: number,
  n: number,
) => void;

// A row against one value (a column broadcast, such as a causal mask's query positions): a loop
// per op and order, so each has its arithmetic inlined. Through BINARY's functions every
// element is a call V8 cannot inline (one call site for every op): GPT's 1,024 × 1,024 mask took
// 12.7 ms that way.
const ROW_SCALAR: Record<BinaryOp, RowLoop> = {
  add: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = r[f + j]! + v;
  },
  sub: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = r[f + j]! - v;
  },
  mul: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = r[f + j]! * v;
  },
  div: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = r[f + j]! / v;
  },
  pow: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = r[f + j]! ** v;
  },
};
const SCALAR_ROW: Record<BinaryOp, RowLoop> = {
  add: ROW_SCALAR.add,
  sub: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = v - r[f + j]!;
  },
  mul: ROW_SCALAR.mul,
  div: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = v / r[f + j]!;
  },
  pow: (r, f, v, o, a, n) => {
    for (let j = 0; j < n; j++) o[a + j] = v ** r[f + j]!;
  },
};

function unaryKernel<O extends UnaryOp>(op: O): Kernel<O> {
  return ({ attrs, inputs: [x], outputs: [out] }) => {
    if (x!.dtype === "f32" && op === "scale") {
      return binaryScalarWasm("mul", x!.data, (attrs as OpAttrs["scale"]).factor, out!.data);
    }
    if (x!.dtype === "f32" && op === "gelu") return geluWasm(x!.data, out!.data);
    if (x!.dtype === "f32" && op in UNARY_CODES) {
      return unaryWasm(op as WasmUnaryOp, x!.data, out!.data);
    }
    const f: Unary =
      op === "scale"
        ? (v) => v * (attrs as OpAttrs["scale"]).factor
        : UNARY[op as Exclude<UnaryOp, "scale">];
    const src = x!.data;
    const dst = out!.data;
    for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]!);
  };
}

/**
 * out = a `op` b with NumPy broadcasting; fast paths for equal shapes, scalar operands and rows
 * against one value.
 *
 * @example
 * broadcastBinary("sub", keys, queries, out); // [1, T] − [T, 1] → [T, T]
 */
export function broadcastBinary(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor): void {
  const f = BINARY[op];
  const x = a.data;
  const y = b.data;
  const o = out.data;
  const n = o.length;
  if (x.length === n && y.length === n) {
    for (let i = 0; i < n; i++) o[i] = f(x[i]!, y[i]!);
    return;
  }
  if (y.length === 1) {
    const v = y[0]!;
    for (let i = 0; i < n; i++) o[i] = f(x[i]!, v);
    return;
  }
  const rank = out.shape.length;
  const sa = broadcastStrides(a.shape, out.shape);
  const sb = broadcastStrides(b.shape, out.shape);
  const inner = out.shape[rank - 1]!;
  const ia = sa[rank - 1]!;
  const ib = sb[rank - 1]!;
  let base = 0;
  forEachRow(out.shape, [sa, sb], ([offA, offB]) => {
    if (ia === 1 && ib === 0) ROW_SCALAR[op](x, offA!, y[offB!]!, o, base, inner);
    else if (ia === 0 && ib === 1) SCALAR_ROW[op](y, offB!, x[offA!]!, o, base, inner);
    else for (let j = 0; j < inner; j++) o[base + j] = f(x[offA! + j * ia]!, y[offB! + j * ib]!);
    base += inner;
  });
}

/** Whether `shape` broadcasts to `out` by repetition along leading dims only (a bias, a mask). */
function repeatsAlongLeadingDims(shape: Shape, out: Shape): boolean {
  const own = shape.slice(shape.findIndex((d) => d !== 1));
  return own.length <= out.length && own.every((d, i) => d === out[out.length - own.length + i]);
}

function binaryKernel<O extends BinaryOp>(op: O): Kernel<O> {
  const wasmOp = op in BINARY_CODES ? (op as WasmBinaryOp) : null;
  const commutes = op === "add" || op === "mul";
  return ({ inputs: [a, b], outputs: [out] }) => {
    if (wasmOp !== null && a!.dtype === "f32" && b!.dtype === "f32") {
      const n = out!.data.length;
      if (a!.data.length === n && b!.data.length === 1) {
        return binaryScalarWasm(wasmOp, a!.data, b!.data[0]!, out!.data);
      }
      if (a!.data.length === n && repeatsAlongLeadingDims(b!.shape, out!.shape)) {
        return binaryWasm(wasmOp, a!.data, b!.data, out!.data);
      }
      if (commutes && b!.data.length === n && repeatsAlongLeadingDims(a!.shape, out!.shape)) {
        return binaryWasm(wasmOp, b!.data, a!.data, out!.data);
      }
    }
    broadcastBinary(op, a!, b!, out!);
  };
}

/** CPU kernels of the elementwise ops. */
export const elementwiseKernels: { readonly [O in UnaryOp | BinaryOp]: Kernel<O> } = {
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
