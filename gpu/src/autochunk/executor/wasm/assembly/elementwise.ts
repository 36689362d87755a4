/*
 * Elementwise kernels over element ranges [start, end) of contiguous data, so that threads can
 * split them. Pointers are byte offsets.
 */
import { erfV, expV } from "./math";

// Binary op codes, as BINARY_CODES in ../ops.ts: add 0, sub 1, mul 2, div 3.
const ADD = 0;
const SUB = 1;
const MUL = 2;

function apply(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y); // div
}

function applyScalar(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y; // div
}

/**
 * out[i] = a[i] op b[i % period] for blocks [blockStart, blockEnd) of `period` elements: equal
 * shapes (one block), a bias over rows, or a mask repeated over heads.
 */
export function binaryPeriodic(
  op: i32,
  a: usize,
  b: usize,
  out: usize,
  period: i32,
  blockStart: i32,
  blockEnd: i32,
): void {
  const vecEnd = (<usize>(period & ~3)) << 2;
  const end = (<usize>period) << 2;
  for (let t = blockStart; t < blockEnd; t++) {
    const base = (<usize>t * period) << 2;
    const x = a + base;
    const o = out + base;
    for (let j: usize = 0; j < vecEnd; j += 16) {
      v128.store(o + j, apply(op, v128.load(x + j), v128.load(b + j)));
    }
    for (let j = vecEnd; j < end; j += 4) {
      store<f32>(o + j, applyScalar(op, load<f32>(x + j), load<f32>(b + j)));
    }
  }
}

/** out[i] = a[i] op s for i in [start, end). */
export function binaryScalar(op: i32, a: usize, s: f32, out: usize, start: i32, end: i32): void {
  const sv = f32x4.splat(s);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(out + at, apply(op, v128.load(a + at), sv));
  }
  for (; i < end; i++) {
    const at = (<usize>i) << 2;
    store<f32>(out + at, applyScalar(op, load<f32>(a + at), s));
  }
}

/** out[i] = gelu(x[i]) = x/2 · (1 + erf(x/√2)) (exact GELU) for i in [start, end). */
export function geluRange(x: usize, out: usize, start: i32, end: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const invSqrt2 = f32x4.splat(0.70710678);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at = (<usize>i) << 2;
    const v = v128.load(x + at);
    const e = erfV(f32x4.mul(v, invSqrt2));
    v128.store(out + at, f32x4.mul(f32x4.mul(half, v), f32x4.add(one, e)));
  }
  for (; i < end; i++) {
    const at = (<usize>i) << 2;
    const v = f32x4.splat(load<f32>(x + at));
    const g = f32x4.mul(f32x4.mul(half, v), f32x4.add(one, erfV(f32x4.mul(v, invSqrt2))));
    store<f32>(out + at, f32x4.extract_lane(g, 0));
  }
}

// Unary op codes, as UNARY_CODES in ../ops.ts.
const NEG = 0;
const EXP = 1;
const RELU = 2;
const SIGMOID = 3;

function unary(op: i32, x: v128): v128 {
  if (op == NEG) return f32x4.neg(x);
  if (op == EXP) return expV(x);
  if (op == RELU) return f32x4.max(x, f32x4.splat(0));
  const sigmoid = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expV(f32x4.neg(x))));
  return op == SIGMOID ? sigmoid : f32x4.mul(x, sigmoid); // silu
}

/** out[i] = f(x[i]) for i in [start, end), f one of neg, exp, relu, sigmoid, silu. */
export function unaryRange(op: i32, x: usize, out: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(out + at, unary(op, v128.load(x + at)));
  }
  for (; i < end; i++) {
    const at = (<usize>i) << 2;
    store<f32>(out + at, f32x4.extract_lane(unary(op, f32x4.splat(load<f32>(x + at))), 0));
  }
}
