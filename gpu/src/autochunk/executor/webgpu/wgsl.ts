/*
 * WGSL text shared by the generated kernels. Shapes are static, so extents and strides are
 * baked into most kernels as constants (one pipeline per op and shape class, cached per device).
 * Where a tensor starts in its buffer changes at run time (a chunk loop's slices), so each
 * dispatch gets its bindings' element offsets in a uniform block of PARAMS_SLOTS u32s, followed
 * by kernel-specific extras (the GEMM passes its shape there; see gemm.ts).
 */

/** A storage binding of a generated kernel. */
export interface StorageBinding {
  readonly name: string;
  /**
   * Element type as the kernel sees it; copies use u32 so they move f32 and i32 alike. Atomic
   * bindings (written with atomic ops) get no accessors.
   */
  readonly type: "f32" | "i32" | "u32" | "atomic<u32>";
  readonly write?: boolean;
}

/** u32 slots of a dispatch's uniform block: one element offset per storage binding, then extras. */
export const PARAMS_SLOTS = 24;

/** Threads of the one-dimensional kernels. */
export const WORKGROUP = 256;

const SLOT = (k: number) => `P.v[${k >> 2}].${"xyzw"[k & 3]}`;

/**
 * Declarations of `bindings` (group 0, in order) and the uniform block after them, with
 * accessors `ld_<name>(i)` and `st_<name>(i, v)` that add the binding's element offset, and
 * `extra(k)` for the u32s passed after the offsets.
 *
 * @example
 * header([{ name: "x", type: "f32" }, { name: "out", type: "f32", write: true }]);
 */
export function header(bindings: readonly StorageBinding[]): string {
  if (bindings.length > PARAMS_SLOTS) {
    throw new RangeError(`header: at most ${PARAMS_SLOTS} bindings, got ${bindings.length}`);
  }
  const lines = [`struct Params { v: array<vec4<u32>, ${PARAMS_SLOTS / 4}> }`];
  bindings.forEach(({ name, type, write }, k) => {
    const access = write === true ? "read_write" : "read";
    lines.push(`@group(0) @binding(${k}) var<storage, ${access}> ${name}: array<${type}>;`);
    if (type === "atomic<u32>") return;
    lines.push(`fn ld_${name}(i: u32) -> ${type} { return ${name}[${SLOT(k)} + i]; }`);
    if (write === true) {
      lines.push(`fn st_${name}(i: u32, v: ${type}) { ${name}[${SLOT(k)} + i] = v; }`);
    }
  });
  lines.push(`@group(0) @binding(${bindings.length}) var<uniform> P: Params;`);
  lines.push(
    `fn extra(k: u32) -> u32 { return P.v[(${bindings.length}u + k) / 4u][(k + ${bindings.length}u) % 4u]; }`,
  );
  return lines.join("\n");
}

/**
 * A WGSL f32 expression for `value`, exact to the bit (any value, infinities included).
 *
 * @example
 * f32(0.25); // "bitcast<f32>(0x3e800000u)"
 */
export function f32(value: number): string {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  return `bitcast<f32>(0x${bits.toString(16).padStart(8, "0")}u)`;
}

/**
 * Workgroups for `groups` of work on a grid of at most `max` per dimension: [x, y] with
 * x·y ≥ groups. Kernels number their group `wid.y * x + wid.x` and skip the surplus.
 *
 * @example
 * grid(70000, 65535); // [35000, 2]
 */
export function grid(groups: number, max: number): [number, number] {
  if (groups <= max) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

/** The WGSL index of a workgroup on a grid whose rows are `x` groups wide. */
export function groupIndex(x: number): string {
  return `(wid.y * ${x}u + wid.x)`;
}

/**
 * WGSL statements that turn flat index `flat` over `shape` into offsets `names[s]`, one per
 * strided layout `strides[s]` (element strides per dim; 0 broadcasts). A layout equal to the
 * contiguous strides of `shape` reuses `flat`.
 *
 * @example
 * stridedOffsets([2, 3], [[0, 1]], "i", ["ib"]); // "var ib = 0u; ..." reading b[3] broadcast
 */
export function stridedOffsets(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  flat: string,
  names: readonly string[],
): string {
  const contiguous = contiguousStrides(shape);
  const lines: string[] = [];
  const general: number[] = [];
  strides.forEach((s, k) => {
    const live = shape.map((e, d) => (e === 1 ? 0 : s[d]!));
    const own = shape.map((e, d) => (e === 1 ? 0 : contiguous[d]!));
    if (live.every((v, d) => v === own[d])) lines.push(`let ${names[k]} = ${flat};`);
    else if (live.every((v) => v === 0)) lines.push(`let ${names[k]} = 0u;`);
    else {
      lines.push(`var ${names[k]} = 0u;`);
      general.push(k);
    }
  });
  if (general.length === 0) return lines.join("\n  ");
  lines.push(`var rest = ${flat};`);
  for (let d = shape.length - 1; d >= 0; d--) {
    const extent = shape[d]!;
    if (extent === 1) continue;
    const outer = shape.slice(0, d).some((e) => e !== 1);
    lines.push(
      outer ? `let c${d} = rest % ${extent}u; rest = rest / ${extent}u;` : `let c${d} = rest;`,
    );
    for (const k of general) {
      const stride = strides[k]![d]!;
      if (stride !== 0) lines.push(`${names[k]} += c${d} * ${stride}u;`);
    }
  }
  return lines.join("\n  ");
}

function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d]!;
  }
  return out;
}

/**
 * Threads of a reduction workgroup at most (one workgroup per row, group or output element).
 * 64 fills a GPU's subgroups; SwiftShader, which runs a workgroup's invocations as coroutines
 * switching at every barrier, runs softmax on [4, 256, 256] in about 170 ms with 64 against
 * 360 ms with 256.
 */
export const REDUCTION_THREADS = 64;

/**
 * The smallest power of two ≥ `n`, clamped to [1, cap]: the size of a reduction workgroup.
 *
 * @example
 * reductionSize(300, REDUCTION_THREADS); // 64
 */
export function reductionSize(n: number, cap: number): number {
  let size = 1;
  while (size < n && size < cap) size *= 2;
  return size;
}

/**
 * Tree reductions over a workgroup of `size` (a power of two) through workgroup memory:
 * `reduce_sum(v, li)` and `reduce_max(v, li)` return the combined value to every invocation.
 * Call them from uniform control flow (they contain barriers).
 */
export function workgroupReductions(size: number): string {
  const reduce = (name: string, combine: string) => /* wgsl */ `
fn reduce_${name}(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = ${size >> 1}u; s > 0u; s = s >> 1u) {
    if (li < s) { red[li] = ${combine}; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}`;
  return (
    `var<workgroup> red: array<f32, ${size}>;` +
    reduce("sum", "red[li] + red[li + s]") +
    reduce("max", "max(red[li], red[li + s])")
  );
}
