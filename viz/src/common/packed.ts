/**
 * Typed arrays packed into JSON payloads as base64 (the MIME contract's rule: large arrays
 * travel as binary, never as JSON number lists). Little-endian, as every browser and Node
 * on x86 and ARM store typed arrays. DOM-free: the kernel packs, widgets unpack.
 */

/** The element types a packed array may hold. */
export type PackedDType = "f32" | "u32" | "u16" | "u8";

/** A typed array in a payload: `length` elements of `dtype`, their bytes in base64. */
export interface PackedArray {
  dtype: PackedDType;
  length: number;
  base64: string;
}

/** The typed array each dtype unpacks to. */
export interface PackedArrays {
  f32: Float32Array;
  u32: Uint32Array;
  u16: Uint16Array;
  u8: Uint8Array;
}

const BYTES: Record<PackedDType, number> = { f32: 4, u32: 4, u16: 2, u8: 1 };
const CTORS = { f32: Float32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array } as const;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Uint8Array(128).fill(255);
const ASCII = new TextDecoder();
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The base64 length that `length` elements of `dtype` pack to (for validation without decoding). */
export function packedLength(dtype: PackedDType, length: number): number {
  return Math.ceil((length * BYTES[dtype]) / 3) * 4;
}

/**
 * Packs `values` (a typed array, whose type must match `dtype`) for a payload.
 *
 * @example
 * pack("f32", new Float32Array([1, 2])); // { dtype: "f32", length: 2, base64: "AACAPwAAAEA=" }
 */
export function pack<D extends PackedDType>(dtype: D, values: PackedArrays[D]): PackedArray {
  if (!(values instanceof CTORS[dtype])) {
    throw new TypeError(`pack: a ${dtype} array must be a ${CTORS[dtype].name}.`);
  }
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { dtype, length: values.length, base64: encodeBase64(bytes) };
}

/**
 * Unpacks a packed array to a fresh typed array of its dtype; throws a RangeError naming
 * `path` when the text is not base64 of the stated length.
 *
 * @example
 * unpack({ dtype: "f32", length: 2, base64: "AACAPwAAAEA=" }, "positions"); // Float32Array [1, 2]
 */
export function unpack<D extends PackedDType>(
  packed: PackedArray & { dtype: D },
  path = "array",
): PackedArrays[D] {
  const bytes = decodeBase64(packed.base64, path);
  const want = packed.length * BYTES[packed.dtype];
  if (bytes.length !== want) {
    throw new RangeError(
      `${path}: ${packed.length} ${packed.dtype} values need ${want} bytes, the base64 holds ${bytes.length}.`,
    );
  }
  return new CTORS[packed.dtype](bytes.buffer, 0, packed.length) as PackedArrays[D];
}

/**
 * Standard base64 (with padding) of `bytes`: table-driven into one buffer of ASCII codes,
 * turned into a string by TextDecoder (8 MB in tens of milliseconds; building the string
 * with String.fromCharCode is 20× slower).
 */
export function encodeBase64(bytes: Uint8Array): string {
  const codes = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (const end = bytes.length - 2; i < end; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes[o++] = ENCODE[n >>> 18]!;
    codes[o++] = ENCODE[(n >>> 12) & 63]!;
    codes[o++] = ENCODE[(n >>> 6) & 63]!;
    codes[o++] = ENCODE[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    codes[o++] = ENCODE[n >>> 18]!;
    codes[o++] = ENCODE[(n >>> 12) & 63]!;
    codes[o++] = rest === 2 ? ENCODE[(n >>> 6) & 63]! : 61;
    codes[o++] = 61;
  }
  return ASCII.decode(codes);
}

/** Bytes of standard base64 text (padding optional); throws naming `path` on other characters. */
export function decodeBase64(text: string, path = "base64"): Uint8Array<ArrayBuffer> {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (text.length - end > 2 || end % 4 === 1) {
    throw new RangeError(`${path}: not base64 (length ${text.length}).`);
  }
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : 255;
    if (v === 255) throw new RangeError(`${path}: not base64 (character ${i} is ${text[i]}).`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
  }
  return out;
}
