/*
 * Element conversions shared by the file formats: IEEE half precision to and from f32, and
 * f32 values to integer arrays that must hold them exactly. Every format here is little-endian
 * and typed arrays use the host's order, so readers check the host once.
 */

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Throws unless the host is little-endian (every JS engine in practice is). */
export function assertLittleEndianHost(what: string): void {
  if (!HOST_IS_LITTLE_ENDIAN) {
    throw new RangeError(
      `${what}: this host is big-endian; the file formats here are little-endian.`,
    );
  }
}

/** A fresh copy of `length` bytes at `offset`: aligned for any typed array, sharing nothing. */
export function copyBuffer(bytes: Uint8Array, offset: number, length: number): ArrayBuffer {
  // Uint8Array's own slice: a Node Buffer's slice() is a view into its (shared) pool.
  return Uint8Array.prototype.slice.call(bytes, offset, offset + length).buffer;
}

/** The bytes of a typed array, as a view (no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Decodes IEEE 754 half-precision bit patterns to f32 (exact: every half is an f32).
 *
 * @example
 * float16ToFloat32(new Uint16Array([0x3c00, 0xc000])); // Float32Array [1, -2]
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) {
      // Zero or subnormal: mant · 2^-24.
      out[i] = (sign ? -mant : mant) * 5.960464477539063e-8;
    } else if (exp === 31) {
      outBits[i] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else {
      outBits[i] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  return out;
}

/**
 * Encodes f32 values as half-precision bit patterns, rounding to nearest even as numpy's
 * `astype(float16)` does; values beyond ±65504 become ±Infinity.
 *
 * @example
 * float32ToFloat16(new Float32Array([1, -2, 0.1])); // Uint16Array [0x3c00, 0xc000, 0x2e66]
 */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfOfFloatBits(inBits[i]!);
  return out;
}

function halfOfFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias from 127 to 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The integer element types the formats store, and their array types. */
export interface IntegerArrays {
  i8: Int8Array;
  u8: Uint8Array;
  i16: Int16Array;
  u16: Uint16Array;
  i32: Int32Array;
  u32: Uint32Array;
}

const INTEGER_TYPES = {
  i8: { Array: Int8Array, min: -128, max: 127 },
  u8: { Array: Uint8Array, min: 0, max: 255 },
  i16: { Array: Int16Array, min: -32768, max: 32767 },
  u16: { Array: Uint16Array, min: 0, max: 65535 },
  i32: { Array: Int32Array, min: -2147483648, max: 2147483647 },
  u32: { Array: Uint32Array, min: 0, max: 4294967295 },
} as const;

/**
 * Copies `values` into an integer array of `kind`, throwing a RangeError that names `what`
 * and the position (row and column when `cols` is given) of the first value that is not an
 * integer in range: storing it would silently change the data.
 *
 * @example
 * exactIntegers(new Float32Array([0, 255]), "u8", "saveVectors: m"); // Uint8Array [0, 255]
 */
export function exactIntegers<K extends keyof IntegerArrays>(
  values: ArrayLike<number>,
  kind: K,
  what: string,
  cols = 0,
): IntegerArrays[K] {
  const { Array: IntArray, min, max } = INTEGER_TYPES[kind];
  const out = new IntArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < min || v > max) {
      const at = cols > 0 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new RangeError(
        `${what}: the value at ${at} is ${v}, which is not an integer in [${min}, ${max}]; ` +
          `it cannot be stored as ${kind} (choose a dtype that holds it).`,
      );
    }
    out[i] = v;
  }
  return out as IntegerArrays[K];
}
