import { typedArray } from "../../ir/dtype.js";
import { isContiguousSlice, numel } from "../../ir/shape.js";
import { chunkShape } from "../../ops/control.js";
import type { Tensor } from "../tensor.js";
import type { Kernel } from "./kernel.js";
import { copySlice, writeSlice } from "./layout.js";

/**
 * Runs a chunk loop: per iteration, slices the chunked inputs (a view when the slice is
 * contiguous, else a copy into the workspace), runs the body (or the tail for the last, shorter
 * chunk) and writes its outputs into the preallocated full outputs.
 */
export const chunkLoopKernel: Kernel<"chunk_loop"> = async ({
  attrs,
  inputs,
  outputs,
  workspace,
  run,
}) => {
  const { length, chunkSize, inputDims, outputDims } = attrs;
  for (let start = 0; start < length; start += chunkSize) {
    const size = Math.min(chunkSize, length - start);
    const body = size === chunkSize ? attrs.body : attrs.tail!;
    let offset = 0;
    const slices = inputs.map((x, j): Tensor => {
      const dim = inputDims[j]!;
      if (dim === null) return x;
      const shape = chunkShape(x.shape, dim, size);
      const count = numel(shape);
      if (isContiguousSlice(x.shape, dim)) {
        const from = start * (count / size);
        return { data: x.data.subarray(from, from + count), shape, dtype: x.dtype };
      }
      const data = typedArray(x.dtype, count, workspace.buffer, workspace.byteOffset + offset);
      offset += data.byteLength;
      copySlice(x.data, x.shape, dim, start, size, data);
      return { data, shape, dtype: x.dtype };
    });
    const result = await run(body, slices);
    result.outputs.forEach((chunk, k) => {
      const full = outputs[k]!;
      writeSlice(chunk.data, full.data, full.shape, outputDims[k]!, start, size);
    });
    result.release();
  }
};
