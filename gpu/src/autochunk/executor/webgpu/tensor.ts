import type { TrackedBuffer } from "../../../device/webgpu/buffers.js";
import type { DType } from "../../ir/dtype.js";
import type { Shape } from "../../ir/shape.js";

/**
 * A dense, contiguous (row-major) tensor in a device buffer, starting `offset` elements in:
 * views share their source's buffer (reshape, get_item, a chunk loop's contiguous slices).
 */
export interface GpuTensor {
  readonly buffer: TrackedBuffer;
  /** Index of the first element in `buffer`, in elements (4 bytes each). */
  readonly offset: number;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * `t`'s elements from `start` on, seen as a tensor of `shape` and `dtype` (no copy).
 *
 * @example
 * viewOf(x, 128 * 768, [1, 128, 768]); // rows 128.. of x [1, 1024, 768]
 */
export function viewOf(
  t: GpuTensor,
  start: number,
  shape: Shape,
  dtype: DType = t.dtype,
): GpuTensor {
  return { buffer: t.buffer, offset: t.offset + start, shape, dtype };
}
