import type { GraphBuilder } from "../ir/builder.js";
import type { Node } from "../ir/graph.js";
import type { SeededParams } from "./params.js";

/*
 * Layers shared by the model builders. Initialisation (one convention for every model, so that
 * activations stay of order one at any width): weights N(0, 1/fan_in), biases N(0, 0.02²), norm
 * scales N(1, 0.1²) and offsets N(0, 0.1²). Every parameter is random, so a test comparing with
 * another implementation notices a swapped weight or bias.
 */

const BIAS_STD = 0.02;
const NORM_STD = 0.1;

/** Options of `dense`. */
export interface DenseOptions {
  /** Default true. */
  readonly bias?: boolean;
}

/**
 * x[..., in] · weight[in, out] + bias[out], as `name.weight` and `name.bias`.
 *
 * @example
 * const h = dense(p, "fc1", x, 3072); // params "fc1.weight" [768, 3072], "fc1.bias" [3072]
 */
export function dense(
  p: SeededParams,
  name: string,
  x: Node,
  out: number,
  options: DenseOptions = {},
): Node {
  const inFeatures = x.shape[x.shape.length - 1]!;
  return p.scope(name, () => {
    const w = p.normal("weight", [inFeatures, out], 1 / Math.sqrt(inFeatures));
    const b = (options.bias ?? true) ? p.normal("bias", [out], BIAS_STD) : undefined;
    return p.g.linear(x, w, b);
  });
}

/**
 * Layer norm over the last dim with affine `name.weight` and `name.bias`.
 *
 * @example
 * const h = layerNorm(p, "ln_1", x); // eps 1e-5, as nn.LayerNorm
 */
export function layerNorm(p: SeededParams, name: string, x: Node, eps = 1e-5): Node {
  const c = x.shape[x.shape.length - 1]!;
  return p.scope(name, () =>
    p.g.layerNorm(x, p.normal("weight", [c], NORM_STD, 1), p.normal("bias", [c], NORM_STD), {
      eps,
    }),
  );
}

/**
 * Group norm of x[N, C, H, W] with per-channel affine `name.weight` and `name.bias`.
 *
 * @example
 * const h = groupNorm(p, "norm1", x, 32);
 */
export function groupNorm(
  p: SeededParams,
  name: string,
  x: Node,
  groups: number,
  eps = 1e-5,
): Node {
  const c = x.shape[1]!;
  return p.scope(name, () =>
    p.g.groupNorm(
      x,
      groups,
      p.normal("weight", [c], NORM_STD, 1),
      p.normal("bias", [c], NORM_STD),
      eps,
    ),
  );
}

/** Options of `conv`. */
export interface ConvOptions {
  /** Default 1. */
  readonly stride?: number;
  /** Default (kernel − 1) / 2, "same" for odd kernels at stride 1. */
  readonly padding?: number;
}

/**
 * A square conv2d with `name.weight` [out, in, k, k] and `name.bias` [out].
 *
 * @example
 * const h = conv(p, "conv_in", image, 128, 3); // 3×3, padding 1
 */
export function conv(
  p: SeededParams,
  name: string,
  x: Node,
  out: number,
  kernel: number,
  options: ConvOptions = {},
): Node {
  const cin = x.shape[1]!;
  return p.scope(name, () => {
    const w = p.normal("weight", [out, cin, kernel, kernel], 1 / Math.sqrt(cin * kernel * kernel));
    const b = p.normal("bias", [out], BIAS_STD);
    return p.g.conv2d(x, w, b, {
      stride: options.stride ?? 1,
      padding: options.padding ?? Math.floor((kernel - 1) / 2),
    });
  });
}

/**
 * An additive causal mask f32[tokens, tokens] computed in the graph: -1e9 · max(0, key − query)
 * is 0 where the key is at or before the query and -1e9 or less after it, where exp underflows to
 * 0 as with GPT-2's fill. Built from two position vectors, it is an activation the planner can
 * chunk by query rows, not a tokens² parameter (28 GiB at 86,688 tokens).
 *
 * @example
 * const scores = g.add(qk, causalMask(g, 1024)); // qk [1, 12, 1024, 1024]
 */
export function causalMask(g: GraphBuilder, tokens: number): Node {
  const queries = g.param("query_positions", [tokens, 1], { kind: "arange" }, "f32");
  const keys = g.param("key_positions", [1, tokens], { kind: "arange" }, "f32");
  return g.scale(g.relu(g.sub(keys, queries)), -1e9);
}

/**
 * Multi-head self-attention of x[B, T, C] as GPT-2 and timm write it: one fused `qkv` dense,
 * heads split by reshape and permute, scores q·kᵀ/√d of shape [B, heads, T, T] (the memory hot
 * spot), an optional additive `mask` broadcast onto them (`"causal"`: `causalMask`, made beside
 * the scores so a chunk loop over them makes its rows too), softmax, merge, and the `proj` dense.
 *
 * @example
 * const y = selfAttention(p, "attn", x, 12, "causal"); // x [1, 1024, 768]
 */
export function selfAttention(
  p: SeededParams,
  name: string,
  x: Node,
  heads: number,
  mask?: Node | "causal",
): Node {
  const { g } = p;
  const [batch, tokens, channels] = x.shape as [number, number, number];
  const d = channels / heads;
  return p.scope(name, () => {
    const qkv = dense(p, "qkv", x, 3 * channels);
    const part = (k: number, perm: number[]) =>
      g.permute(
        g.reshape(g.slice(qkv, 2, k * channels, (k + 1) * channels), [batch, tokens, heads, d]),
        perm,
      );
    const q = part(0, [0, 2, 1, 3]);
    const kT = part(1, [0, 2, 3, 1]);
    const v = part(2, [0, 2, 1, 3]);
    const scores = g.scale(g.matmul(q, kT), 1 / Math.sqrt(d));
    const additive = mask === "causal" ? causalMask(g, tokens) : mask;
    const probs = g.softmax(additive === undefined ? scores : g.add(scores, additive), -1);
    const context = g.reshape(g.permute(g.matmul(probs, v), [0, 2, 1, 3]), [
      batch,
      tokens,
      channels,
    ]);
    return dense(p, "proj", context, channels);
  });
}

/**
 * The transformer MLP: dense to `hidden`, activation, dense back (`fc1`, `fc2`).
 *
 * @example
 * const y = mlp(p, "mlp", x, 4 * 768, "gelu");
 */
export function mlp(
  p: SeededParams,
  name: string,
  x: Node,
  hidden: number,
  activation: "gelu" | "relu",
): Node {
  const channels = x.shape[x.shape.length - 1]!;
  return p.scope(name, () => {
    const h = dense(p, "fc1", x, hidden);
    return dense(p, "fc2", activation === "gelu" ? p.g.gelu(h) : p.g.relu(h), channels);
  });
}
