import { gaussian, seededRandom } from "../../common/random.js";
import type { DType, TensorData } from "./dtype.js";
import { dtypeOfData, typedArray } from "./dtype.js";
import type { Shape } from "./shape.js";
import { formatShape, numel } from "./shape.js";

/**
 * How a parameter's values are made. Plain data, so a graph is cheap to build and search
 * (values are only materialised when a backend runs it) and repeats exactly for the same seed.
 */
export type ParamInit =
  | { readonly kind: "normal"; readonly std: number; readonly mean?: number; readonly seed: number }
  | { readonly kind: "uniform"; readonly low: number; readonly high: number; readonly seed: number }
  | { readonly kind: "constant"; readonly value: number }
  /** The flat element index (position ids, for example). */
  | { readonly kind: "arange" }
  /** Additive causal mask over the last two dims [..., T, S]: 0 where col ≤ row, `fill` above. */
  | { readonly kind: "causal_mask"; readonly fill: number }
  | { readonly kind: "data"; readonly data: TensorData };

/** An initialiser as the builder accepts it: random kinds may leave the seed to the builder. */
export type ParamInitSpec =
  | Exclude<ParamInit, { kind: "normal" | "uniform" }>
  | {
      readonly kind: "normal";
      readonly std: number;
      readonly mean?: number;
      readonly seed?: number;
    }
  | {
      readonly kind: "uniform";
      readonly low: number;
      readonly high: number;
      readonly seed?: number;
    };

const materialised = new WeakMap<ParamInit, TensorData>();

/**
 * The values of a parameter, made once per `init` object and cached (graphs rewritten by
 * codegen share their parameters' `init` objects, hence their values).
 *
 * @example
 * materializeParam({ kind: "constant", value: 1 }, [2, 2], "f32"); // Float32Array [1, 1, 1, 1]
 */
export function materializeParam(init: ParamInit, shape: Shape, dtype: DType): TensorData {
  if (init.kind === "data") return checkedData(init.data, shape, dtype);
  const cached = materialised.get(init);
  if (cached !== undefined) return checkedData(cached, shape, dtype);
  const made = typedArray(dtype, numel(shape));
  fill(init, shape, made);
  materialised.set(init, made);
  return made;
}

function checkedData(data: TensorData, shape: Shape, dtype: DType): TensorData {
  if (data.length !== numel(shape) || dtypeOfData(data) !== dtype) {
    throw new RangeError(
      `materializeParam: init holds ${data.length} ${dtypeOfData(data)} values, but the ` +
        `parameter is ${dtype}${formatShape(shape)} (${numel(shape)} values); give each parameter its own init.`,
    );
  }
  return data;
}

function fill(init: Exclude<ParamInit, { kind: "data" }>, shape: Shape, out: TensorData): void {
  switch (init.kind) {
    case "normal": {
      const rand = seededRandom(init.seed);
      const mean = init.mean ?? 0;
      for (let i = 0; i < out.length; i++) out[i] = mean + init.std * gaussian(rand);
      return;
    }
    case "uniform": {
      const rand = seededRandom(init.seed);
      for (let i = 0; i < out.length; i++) out[i] = init.low + (init.high - init.low) * rand();
      return;
    }
    case "constant":
      out.fill(init.value);
      return;
    case "arange":
      for (let i = 0; i < out.length; i++) out[i] = i;
      return;
    case "causal_mask": {
      const rows = shape[shape.length - 2] ?? 1;
      const cols = shape[shape.length - 1] ?? 1;
      for (let i = 0; i < out.length; i++) {
        const col = i % cols;
        const row = Math.floor(i / cols) % rows;
        out[i] = col > row ? init.fill : 0;
      }
      return;
    }
  }
}

/**
 * A 32-bit FNV-1a hash of `text`: the builder seeds a random initialiser from the parameter's
 * name, so every parameter differs and a rebuilt model has the same weights.
 *
 * @example
 * seedFromName("h0.attn.w_qkv") === seedFromName("h0.attn.w_qkv"); // true
 */
export function seedFromName(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A message naming what is wrong with `init` for a `dtype` parameter of `shape`, or null. */
export function checkParamInit(init: ParamInit, shape: Shape, dtype: DType): string | null {
  switch (init.kind) {
    case "normal":
    case "uniform":
      return Number.isInteger(init.seed) ? null : `init.seed must be an integer, got ${init.seed}`;
    case "data":
      if (init.data.length !== numel(shape)) {
        return `init.data holds ${init.data.length} values, the shape ${formatShape(shape)} needs ${numel(shape)}`;
      }
      return dtypeOfData(init.data) === dtype
        ? null
        : `init.data is ${dtypeOfData(init.data)}, the parameter is ${dtype}`;
    case "causal_mask":
      return shape.length >= 2 ? null : `a causal mask needs rank ≥ 2, got ${formatShape(shape)}`;
    case "constant":
    case "arange":
      return null;
    default:
      return `unknown init kind ${JSON.stringify((init as { kind?: unknown }).kind)}`;
  }
}
