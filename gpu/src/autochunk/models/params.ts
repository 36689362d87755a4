import type { GraphBuilder } from "../ir/builder.js";
import type { Node } from "../ir/graph.js";
import { seedFromName } from "../ir/param-init.js";
import type { Shape } from "../ir/shape.js";

/** A GraphBuilder's parameters seeded from one model seed. */
export interface SeededParams {
  readonly g: GraphBuilder;
  /** `g.scope`, tracked so each parameter's seed comes from its full name. */
  scope<T>(prefix: string, body: () => T): T;
  /** A parameter drawn from N(mean, std²). */
  normal(name: string, shape: Shape, std: number, mean?: number): Node;
}

/**
 * Parameters for the model builders: each is drawn from a stream seeded by the model `seed` and
 * the parameter's full name ("h0.attn.qkv.weight"), so a model's weights repeat exactly, change
 * with the seed, and do not shift when layers are added or removed.
 *
 * @example
 * const p = seededParams(new GraphBuilder(), 0);
 * const w = p.scope("h0", () => p.normal("weight", [64, 64], 0.125)); // "h0.weight"
 */
export function seededParams(g: GraphBuilder, seed: number): SeededParams {
  const prefixes: string[] = [];
  return {
    g,
    scope: (prefix, body) => {
      prefixes.push(`${prefix}.`);
      try {
        return g.scope(prefix, body);
      } finally {
        prefixes.pop();
      }
    },
    normal: (name, shape, std, mean = 0) =>
      g.param(name, shape, {
        kind: "normal",
        std,
        mean,
        seed: seedFromName(`${seed}:${prefixes.join("")}${name}`),
      }),
  };
}
