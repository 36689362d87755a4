import type { Shape } from "./shape.js";
import { numel } from "./shape.js";

/** Element types: f32 for activations and weights, i32 for indices (embedding lookups). */
export type DType = "f32" | "i32";

/** Every dtype, for validation and tests. */
export const DTYPES: readonly DType[] = ["f32", "i32"];

/** The typed array that holds elements of a dtype. */
export type TypedArrayOf<D extends DType> = D extends "f32" ? Float32Array : Int32Array;

/** Either backing array. */
export type TensorData = Float32Array | Int32Array;

/** The static type of a value in the graph. */
export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

const BYTES_PER_ELEMENT: Record<DType, number> = { f32: 4, i32: 4 };

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return BYTES_PER_ELEMENT[dtype];
}

/**
 * Bytes of a dense tensor of type `t`.
 *
 * @example
 * tensorBytes({ shape: [2, 3], dtype: "f32" }); // 24
 */
export function tensorBytes(t: TensorType): number {
  return numel(t.shape) * bytesPerElement(t.dtype);
}

/**
 * A zeroed typed array for `length` elements of `dtype`, optionally over `buffer` at `byteOffset`.
 *
 * @example
 * typedArray("i32", 4); // Int32Array(4) [0, 0, 0, 0]
 */
export function typedArray(
  dtype: DType,
  length: number,
  buffer?: ArrayBufferLike,
  byteOffset = 0,
): TensorData {
  if (buffer === undefined)
    return dtype === "f32" ? new Float32Array(length) : new Int32Array(length);
  return dtype === "f32"
    ? new Float32Array(buffer, byteOffset, length)
    : new Int32Array(buffer, byteOffset, length);
}

/** The dtype a typed array holds. */
export function dtypeOfData(data: TensorData): DType {
  return data instanceof Int32Array ? "i32" : "f32";
}
