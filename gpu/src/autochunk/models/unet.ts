import { GraphBuilder } from "../ir/builder.js";
import type { Node } from "../ir/graph.js";
import { conv, dense, groupNorm, selfAttention } from "./layers.js";
import type { Model, ModelInput } from "./model.js";
import { checkDivides, checkInt, finishModel } from "./model.js";
import type { SeededParams } from "./params.js";
import { seededParams } from "./params.js";

/**
 * Configuration of `unet`; defaults are diffusers' `UNet2DModel()` on the 1×3×64×64 sample of
 * AutoChunk's UNet test.
 */
export interface UnetConfig {
  /** Image side in pixels (the sequence length); default 64. */
  readonly image: number;
  /** Image channels in and out; default 3. */
  readonly channels: number;
  /** Output channels of each resolution level; default [224, 448, 672, 896]. */
  readonly blockChannels: readonly number[];
  /** Per level: whether its blocks have self-attention; default [false, true, true, true]. */
  readonly attention: readonly boolean[];
  /** ResNet blocks per down level (up levels have one more); default 2. */
  readonly layersPerBlock: number;
  /** Group norm groups; default 32. */
  readonly groups: number;
  /** Channels per attention head; default 8. */
  readonly headDim: number;
  /** Default 1. */
  readonly batch: number;
  /** Seeds the weights and the inputs; default 0. */
  readonly seed: number;
}

/**
 * A diffusion UNet as diffusers' `UNet2DModel` builds it: sinusoidal timestep embedding and its
 * MLP; `conv_in`; down levels of ResNet blocks (group norm, SiLU, 3×3 conv, time embedding
 * added, a 1×1 shortcut when widths differ), with self-attention over the H·W tokens where
 * `attention` says, and a stride-2 conv between levels; a middle block (ResNet, attention,
 * ResNet); up levels whose blocks take the matching down activation concatenated on channels,
 * with nearest ×2 upsampling and a conv between levels; group norm, SiLU, `conv_out`. Inputs
 * `sample` f32[batch, channels, image, image] and `timestep` f32[batch]; output the predicted
 * noise, shaped as the sample. Attention scores at level l are
 * [batch, C_l / headDim, (image / 2^l)², (image / 2^l)²].
 *
 * @example
 * const { graph, makeInputs } = unet({ image: 64 });
 * const { outputs: [noise] } = await execute(graph, makeInputs());
 */
export function unet(config: Partial<UnetConfig> = {}): Model<UnetConfig> {
  const c = resolveUnetConfig(config);
  const g = new GraphBuilder();
  const p = seededParams(g, c.seed);
  const sampleInput: ModelInput = {
    name: "sample",
    shape: [c.batch, c.channels, c.image, c.image],
    dtype: "f32",
    values: { kind: "normal", std: 1 },
  };
  const timestepInput: ModelInput = {
    name: "timestep",
    shape: [c.batch],
    dtype: "f32",
    values: { kind: "uniform", low: 0, high: 1000 },
  };
  const sample = g.input(sampleInput.name, sampleInput.shape, sampleInput.dtype);
  const timestep = g.input(timestepInput.name, timestepInput.shape, timestepInput.dtype);
  const levels = c.blockChannels.length;
  const temb = p.scope("time_embedding", () => timeEmbedding(p, c, timestep));
  const resnet = (name: string, x: Node, out: number) =>
    p.scope(name, () => resnetBlock(p, c, x, temb, out));
  const attention = (name: string, x: Node) => p.scope(name, () => attentionBlock(p, c, x));

  let h = conv(p, "conv_in", sample, c.blockChannels[0]!, 3);
  const skips = [h];
  for (let l = 0; l < levels; l++) {
    h = p.scope(`down${l}`, () => {
      let x = h;
      for (let j = 0; j < c.layersPerBlock; j++) {
        x = resnet(`resnet${j}`, x, c.blockChannels[l]!);
        if (c.attention[l]!) x = attention(`attn${j}`, x);
        skips.push(x);
      }
      if (l < levels - 1) {
        x = conv(p, "downsample", x, x.shape[1]!, 3, { stride: 2, padding: 1 });
        skips.push(x);
      }
      return x;
    });
  }
  h = p.scope("mid", () => {
    const width = c.blockChannels[levels - 1]!;
    return resnet("resnet1", attention("attn", resnet("resnet0", h, width)), width);
  });
  for (let l = levels - 1; l >= 0; l--) {
    h = p.scope(`up${l}`, () => {
      let x = h;
      for (let j = 0; j <= c.layersPerBlock; j++) {
        x = resnet(`resnet${j}`, g.concat([x, skips.pop()!], 1), c.blockChannels[l]!);
        if (c.attention[l]!) x = attention(`attn${j}`, x);
      }
      return l > 0 ? conv(p, "upsample", g.upsample(x, 2), x.shape[1]!, 3) : x;
    });
  }
  const out = g.silu(groupNorm(p, "conv_norm_out", h, c.groups));
  g.output(conv(p, "conv_out", out, c.channels, 3));
  return finishModel(c, g, [sampleInput, timestepInput], c.image);
}

/**
 * diffusers' `Timesteps(C₀, flip_sin_to_cos=True, freq_shift=0)` then `TimestepEmbedding`:
 * [cos(t·f), sin(t·f)] with f_i = 10000^(−i / (C₀/2)), dense to 4·C₀, SiLU, dense.
 */
function timeEmbedding(p: SeededParams, c: UnetConfig, timestep: Node): Node {
  const { g } = p;
  const half = c.blockChannels[0]! / 2;
  const freqs = new Float32Array(half).map((_, i) => Math.exp((-Math.log(10000) * i) / half));
  const angle = g.mul(g.reshape(timestep, [c.batch, 1]), g.param("freqs", [1, half], freqs));
  const sinusoid = g.concat([g.cos(angle), g.sin(angle)], 1);
  const width = 4 * c.blockChannels[0]!;
  return dense(p, "linear_2", g.silu(dense(p, "linear_1", sinusoid, width)), width);
}

/** diffusers' ResnetBlock2D (time embedding added after the first conv, output scale 1). */
function resnetBlock(p: SeededParams, c: UnetConfig, x: Node, temb: Node, out: number): Node {
  const { g } = p;
  let h = conv(p, "conv1", g.silu(groupNorm(p, "norm1", x, c.groups)), out, 3);
  const t = g.reshape(dense(p, "time_emb_proj", g.silu(temb), out), [c.batch, out, 1, 1]);
  h = g.add(h, t);
  h = conv(p, "conv2", g.silu(groupNorm(p, "norm2", h, c.groups)), out, 3);
  const shortcut = x.shape[1] === out ? x : conv(p, "conv_shortcut", x, out, 1);
  return g.add(shortcut, h);
}

/** Group norm, self-attention over the H·W tokens (heads of `headDim`), residual. */
function attentionBlock(p: SeededParams, c: UnetConfig, x: Node): Node {
  const { g } = p;
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const tokens = g.permute(
    g.reshape(groupNorm(p, "group_norm", x, c.groups), [batch, channels, height * width]),
    [0, 2, 1],
  );
  const y = selfAttention(p, "attention", tokens, channels / c.headDim);
  return g.add(g.reshape(g.permute(y, [0, 2, 1]), [batch, channels, height, width]), x);
}

function resolveUnetConfig(config: Partial<UnetConfig>): UnetConfig {
  const c: UnetConfig = {
    image: config.image ?? 64,
    channels: config.channels ?? 3,
    blockChannels: config.blockChannels ?? [224, 448, 672, 896],
    attention: config.attention ?? [false, true, true, true],
    layersPerBlock: config.layersPerBlock ?? 2,
    groups: config.groups ?? 32,
    headDim: config.headDim ?? 8,
    batch: config.batch ?? 1,
    seed: config.seed ?? 0,
  };
  for (const field of [
    "image",
    "channels",
    "layersPerBlock",
    "groups",
    "headDim",
    "batch",
  ] as const) {
    checkInt("unet", field, c[field]);
  }
  checkInt("unet", "seed", c.seed, 0);
  const levels = c.blockChannels.length;
  if (levels === 0 || c.attention.length !== levels) {
    throw new RangeError(
      `unet: blockChannels (${levels} levels) and attention (${c.attention.length} entries) ` +
        "must be non-empty and of the same length",
    );
  }
  c.blockChannels.forEach((width, l) => {
    checkInt("unet", `blockChannels[${l}]`, width);
    checkDivides("unet", `blockChannels[${l}]`, width, "groups", c.groups);
    if (c.attention[l]) checkDivides("unet", `blockChannels[${l}]`, width, "headDim", c.headDim);
  });
  checkDivides("unet", "blockChannels[0]", c.blockChannels[0]!, "2 (sin and cos halves)", 2);
  checkDivides(
    "unet",
    "image",
    c.image,
    `2^(levels − 1) = ${2 ** (levels - 1)}`,
    2 ** (levels - 1),
  );
  // The middle block always has attention.
  checkDivides(
    "unet",
    `blockChannels[${levels - 1}]`,
    c.blockChannels[levels - 1]!,
    "headDim",
    c.headDim,
  );
  return c;
}
