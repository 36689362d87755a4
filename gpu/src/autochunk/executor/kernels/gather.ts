import type { Kernel } from "./kernel.js";

/** The CPU kernel of embedding: copies table rows; an index outside [0, V) throws a RangeError. */
export const gatherKernels: { readonly embedding: Kernel<"embedding"> } = {
  embedding({ node, inputs: [table, indices], outputs: [out] }) {
    const [vocab, width] = table!.shape as [number, number];
    const idx = indices!.data;
    const rows = table!.data;
    const dst = out!.data;
    for (let p = 0; p < idx.length; p++) {
      const i = idx[p]!;
      if (!Number.isInteger(i) || i < 0 || i >= vocab) {
        throw new RangeError(
          `embedding "${node.name}": index ${i} at position ${p} is outside the table's ${vocab} rows`,
        );
      }
      dst.set(rows.subarray(i * width, (i + 1) * width), p * width);
    }
  },
};
