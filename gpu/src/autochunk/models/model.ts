import { gaussian, seededRandom } from "../../common/random.js";
import type { Tensor } from "../executor/tensor.js";
import { tensor } from "../executor/tensor.js";
import type { DType } from "../ir/dtype.js";
import { typedArray } from "../ir/dtype.js";
import type { GraphBuilder } from "../ir/builder.js";
import type { Graph } from "../ir/graph.js";
import { seedFromName } from "../ir/param-init.js";
import type { Shape } from "../ir/shape.js";
import { numel } from "../ir/shape.js";

/** How `makeInputs` draws an input's values. */
export type InputValues =
  | { readonly kind: "normal"; readonly std: number }
  /** Uniform in [low, high); integers (floor) for an i32 input, such as token ids. */
  | { readonly kind: "uniform"; readonly low: number; readonly high: number };

/** One graph input of a model, in feeding order. */
export interface ModelInput {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: InputValues;
}

/** A model builder's result: the graph, its inputs, and a maker of seeded input tensors. */
export interface Model<C> {
  /** The configuration with every default filled in. */
  readonly config: C;
  readonly graph: Graph;
  /** The graph's inputs in `graph.inputs` order. */
  readonly inputs: readonly ModelInput[];
  /**
   * The length the AutoChunk paper sweeps: tokens (GPT), patches (ViT), residues (Evoformer),
   * image side in pixels (UNet).
   */
  readonly sequenceLength: number;
  /** Input tensors by name, drawn from `seed` (default: the config's seed). */
  makeInputs(seed?: number): Record<string, Tensor>;
}

/**
 * Input tensors drawn as each input's `values` says; each input's stream is seeded from `seed`
 * and its name, so adding an input leaves the others unchanged.
 *
 * @example
 * seededInputs([{ name: "x", shape: [2, 3], dtype: "f32", values: { kind: "normal", std: 1 } }], 7);
 */
export function seededInputs(inputs: readonly ModelInput[], seed: number): Record<string, Tensor> {
  return Object.fromEntries(
    inputs.map((input) => {
      const rand = seededRandom(seedFromName(`${seed}:${input.name}`));
      const data = typedArray(input.dtype, numel(input.shape));
      const { values } = input;
      for (let i = 0; i < data.length; i++) {
        const v =
          values.kind === "normal"
            ? values.std * gaussian(rand)
            : values.low + (values.high - values.low) * rand();
        data[i] = input.dtype === "i32" ? Math.floor(v) : v;
      }
      return [input.name, tensor(input.shape, data)];
    }),
  );
}

/**
 * The Model of a finished builder: builds the graph and binds `makeInputs` to its inputs.
 *
 * @example
 * return finishModel(config, g, [tokens], config.seq);
 */
export function finishModel<C extends { readonly seed: number }>(
  config: C,
  g: GraphBuilder,
  inputs: readonly ModelInput[],
  sequenceLength: number,
): Model<C> {
  return {
    config,
    graph: g.build(),
    inputs,
    sequenceLength,
    makeInputs: (seed = config.seed) => seededInputs(inputs, seed),
  };
}

/**
 * Throws a RangeError unless `value` is an integer ≥ `min`, naming the builder and the field.
 *
 * @example
 * checkInt("gptPrefill", "seq", 0); // RangeError: gptPrefill: seq must be an integer ≥ 1, got 0
 */
export function checkInt(what: string, field: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${what}: ${field} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Throws a RangeError unless `a` divides into `b` parts, naming both fields.
 *
 * @example
 * checkDivides("gptPrefill", "nEmbd", 100, "nHead", 12); // RangeError: ... nEmbd (100) ...
 */
export function checkDivides(
  what: string,
  field: string,
  value: number,
  byField: string,
  by: number,
): void {
  if (value % by !== 0) {
    throw new RangeError(
      `${what}: ${field} (${value}) must be a multiple of ${byField} (${by}); change one of them`,
    );
  }
}
