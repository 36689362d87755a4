/*
 * 4 × 4 transposes in registers, shared by the gemm's packing and gathers and by the permute
 * kernel (layout.ts). Pointers are byte offsets into the shared memory.
 */

/**
 * Writes the transpose of a 4 × 4 f32 block whose rows are 4 floats at from + r·fromStep to rows
 * at to + c·toStep (steps in bytes), adding to what is there when `add`.
 */
export function transpose4x4(
  from: usize,
  fromStep: usize,
  to: usize,
  toStep: usize,
  add: bool,
): void {
  const v0 = v128.load(from);
  const v1 = v128.load(from + fromStep);
  const v2 = v128.load(from + 2 * fromStep);
  const v3 = v128.load(from + 3 * fromStep);
  const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
  store4(to, i32x4.shuffle(t0, t2, 0, 1, 4, 5), add);
  store4(to + toStep, i32x4.shuffle(t0, t2, 2, 3, 6, 7), add);
  store4(to + 2 * toStep, i32x4.shuffle(t1, t3, 0, 1, 4, 5), add);
  store4(to + 3 * toStep, i32x4.shuffle(t1, t3, 2, 3, 6, 7), add);
}

/** Stores (or adds, with `add`) four floats at `at`. */
function store4(at: usize, v: v128, add: bool): void {
  v128.store(at, add ? f32x4.add(v128.load(at), v) : v);
}
