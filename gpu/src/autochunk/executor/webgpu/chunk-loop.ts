import { tensorBytes } from "../../ir/dtype.js";
import { isContiguousSlice, numel } from "../../ir/shape.js";
import { chunkShape, loopSliceBytes } from "../../ops/control.js";
import type { GpuKernel } from "./kernel.js";
import { recordSlice, recordWriteSlice } from "./layout.js";
import type { GpuTensor } from "./tensor.js";
import { viewOf } from "./tensor.js";

/**
 * Runs a chunk loop on the device, as the CPU kernel does: per iteration, each chunked input is
 * a view at an element offset when its slice is contiguous, else copied into the workspace;
 * the body (or the tail for the last, shorter chunk) runs with the same allocator, and its
 * outputs are copied into the preallocated full outputs before they are released.
 */
export const chunkLoopKernel: GpuKernel<"chunk_loop"> = async (ctx) => {
  const { attrs, inputs, outputs } = ctx;
  const { length, chunkSize, inputDims, outputDims } = attrs;
  const bytes = loopSliceBytes(attrs, inputs);
  const workspace = bytes > 0 ? ctx.scratch([bytes / 4]) : null;
  for (let start = 0; start < length; start += chunkSize) {
    const size = Math.min(chunkSize, length - start);
    const body = size === chunkSize ? attrs.body : attrs.tail!;
    let offset = 0;
    const slices: GpuTensor[] = [];
    for (const [j, x] of inputs.entries()) {
      const dim = inputDims[j]!;
      if (dim === null) {
        slices.push(x);
        continue;
      }
      const shape = chunkShape(x.shape, dim, size);
      if (isContiguousSlice(x.shape, dim)) {
        slices.push(viewOf(x, start * (numel(shape) / size), shape));
        continue;
      }
      const slice = viewOf(workspace!, offset, shape, x.dtype);
      offset += tensorBytes(slice) / 4;
      await recordSlice(ctx, x, dim, start, size, slice);
      slices.push(slice);
    }
    const result = await ctx.run(body, slices);
    try {
      for (const [k, chunk] of result.outputs.entries()) {
        // A body output that is a view of its slice of the input the loop writes over is that
        // slice already (a copy would bind one buffer as both source and destination).
        if (chunk.buffer === outputs[k]!.buffer) continue;
        await recordWriteSlice(ctx, chunk, outputs[k]!, outputDims[k]!, start, size);
      }
    } finally {
      result.release();
    }
  }
};
