import type { DType, TensorData } from "../ir/dtype.js";
import { dtypeOfData } from "../ir/dtype.js";
import type { Shape } from "../ir/shape.js";
import { formatShape, numel } from "../ir/shape.js";

/** A dense, contiguous (row-major) tensor on the CPU. */
export interface Tensor {
  readonly data: TensorData;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * Wraps `data` (default: zeros) as a tensor of `shape`; the dtype follows the array.
 *
 * @example
 * tensor([2, 2], new Float32Array([1, 2, 3, 4]));
 * tensor([3], new Int32Array([0, 5, 7])); // dtype "i32"
 */
export function tensor(shape: Shape, data: TensorData = new Float32Array(numel(shape))): Tensor {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`tensor: shape ${formatShape(shape)} must hold non-negative integers`);
  }
  if (data.length !== numel(shape)) {
    throw new RangeError(
      `tensor: shape ${formatShape(shape)} needs ${numel(shape)} values, the array holds ${data.length}`,
    );
  }
  return { data, shape: [...shape], dtype: dtypeOfData(data) };
}
