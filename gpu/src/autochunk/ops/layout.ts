import type { LayoutOp } from "../ir/op.js";
import type { Shape } from "../ir/shape.js";
import { formatShape, numel } from "../ir/shape.js";
import type { OutDimFlow, Rules } from "./rule.js";
import { expectInt, shapeError } from "./rule.js";

/**
 * The dim flow of a reshape: leading and trailing dims whose extents are unchanged keep their
 * identity; the changed block in between gets new dims (computed: a chunk cannot be traced
 * through a merge or split).
 *
 * @example
 * reshapeFlow([2, 8, 768], [2, 8, 12, 64]).map((f) => f.from[0]); // [0, 1, null, null]
 */
export function reshapeFlow(from: Shape, to: Shape): OutDimFlow[] {
  let lead = 0;
  while (lead < from.length && lead < to.length && from[lead] === to[lead]) lead++;
  let trail = 0;
  while (
    trail < from.length - lead &&
    trail < to.length - lead &&
    from[from.length - 1 - trail] === to[to.length - 1 - trail]
  ) {
    trail++;
  }
  return to.map((_, d) => {
    if (d < lead) return { from: [d], computed: false };
    if (d >= to.length - trail) return { from: [d - to.length + from.length], computed: false };
    return { from: [null], computed: true };
  });
}

/** Rules of permute, reshape, slice and concat. Only reshape is a view (tensors are contiguous). */
export const layoutRules: Rules<LayoutOp> = {
  permute: {
    arity: [1, 1],
    infer({ perm }, [x]) {
      const rank = x!.shape.length;
      if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
        shapeError(`perm ${formatShape(perm)} is not a permutation of the ${rank} dims of x`);
      }
      return [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
    },
    dimFlow: ({ perm }) => perm.map((p) => ({ from: [p], computed: false })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },

  reshape: {
    arity: [1, 1],
    infer({ shape }, [x]) {
      if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
        shapeError(
          `shape ${formatShape(shape)} must hold non-negative integers (-1 is resolved by the builder)`,
        );
      }
      if (numel(shape) !== numel(x!.shape)) {
        shapeError(
          `cannot reshape ${formatShape(x!.shape)} (${numel(x!.shape)} elements) to ` +
            `${formatShape(shape)} (${numel(shape)} elements)`,
        );
      }
      return [{ shape, dtype: x!.dtype }];
    },
    dimFlow: (_attrs, [x], out) => reshapeFlow(x!.shape, out.shape),
    alias: () => ({ input: 0, output: 0 }),
    workspaceBytes: () => 0,
    flops: () => 0,
  },

  slice: {
    arity: [1, 1],
    infer({ dim, start, end }, [x]) {
      expectInt(dim, "dim", 0, x!.shape.length - 1);
      const extent = x!.shape[dim]!;
      expectInt(start, "start", 0, extent - 1);
      expectInt(end, "end", start + 1, extent);
      const shape = [...x!.shape];
      shape[dim] = end - start;
      return [{ shape, dtype: x!.dtype }];
    },
    dimFlow: ({ dim }, _inputs, out) =>
      out.shape.map((_, d) =>
        d === dim ? { from: [null], computed: true } : { from: [d], computed: false },
      ),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },

  concat: {
    arity: [1, Infinity],
    infer({ dim }, inputs) {
      const first = inputs[0]!;
      expectInt(dim, "dim", 0, first.shape.length - 1);
      let extent = 0;
      for (const [i, t] of inputs.entries()) {
        const agrees =
          t.dtype === first.dtype &&
          t.shape.length === first.shape.length &&
          t.shape.every((e, d) => d === dim || e === first.shape[d]);
        if (!agrees) {
          shapeError(
            `input ${i} ${t.dtype}${formatShape(t.shape)} does not match input 0 ` +
              `${first.dtype}${formatShape(first.shape)} outside dim ${dim}`,
          );
        }
        extent += t.shape[dim]!;
      }
      const shape = [...first.shape];
      shape[dim] = extent;
      return [{ shape, dtype: first.dtype }];
    },
    dimFlow: ({ dim }, inputs, out) =>
      out.shape.map((_, d) => ({
        from: inputs.map(() => (d === dim ? null : d)),
        computed: d === dim,
      })),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },
};
