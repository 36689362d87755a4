import type { Rules } from "./rule.js";
import { expectDType, expectRank } from "./rule.js";

/** The rule of embedding(table[V, C], indices[...]) → [..., C]. */
export const gatherRules: Rules<"embedding"> = {
  embedding: {
    arity: [2, 2],
    infer(_attrs, [table, indices]) {
      expectDType(table!, "f32", "the table");
      expectRank(table!, 2, "the table [V, C]");
      expectDType(indices!, "i32", "the indices");
      return [{ shape: [...indices!.shape, table!.shape[1]!], dtype: "f32" }];
    },
    dimFlow: (_attrs, [, indices], out) =>
      out.shape.map((_, d) =>
        d < indices!.shape.length
          ? { from: [null, d], computed: false }
          : { from: [1, null], computed: true },
      ),
    alias: () => null,
    workspaceBytes: () => 0,
    flops: () => 0,
  },
};
