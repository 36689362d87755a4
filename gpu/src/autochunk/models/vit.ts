import { GraphBuilder } from "../ir/builder.js";
import { conv, dense, layerNorm, mlp, selfAttention } from "./layers.js";
import type { Model, ModelInput } from "./model.js";
import { checkDivides, checkInt, finishModel } from "./model.js";
import { seededParams } from "./params.js";

/** Configuration of `vit`; defaults are ViT-Large/16 at 384 px (timm `vit_large_patch16_384`). */
export interface VitConfig {
  /** Image side in pixels; default 384. */
  readonly image: number;
  /** Patch side in pixels; default 16. */
  readonly patch: number;
  /** Input channels; default 3. */
  readonly channels: number;
  /** Token width; default 1024. */
  readonly dim: number;
  /** Blocks; default 24. */
  readonly depth: number;
  /** Default 16. */
  readonly heads: number;
  /** MLP hidden width over `dim`; default 4. */
  readonly mlpRatio: number;
  /** Classifier outputs; default 1000. */
  readonly classes: number;
  /** Default 1. */
  readonly batch: number;
  /** Seeds the weights and the inputs; default 0. */
  readonly seed: number;
}

/**
 * A Vision Transformer as timm builds it: patch embedding (a conv with stride = patch), a class
 * token, a learned position embedding, `depth` pre-LN blocks (self-attention, GELU MLP), the
 * final norm (eps 1e-6) and a linear head on the class token. Input `pixel_values`
 * f32[batch, channels, image, image]; output logits f32[batch, classes]. Sequence length =
 * patches = (image / patch)²; attention runs over patches + 1 tokens.
 *
 * @example
 * const model = vit({ image: 384 }); // ViT-L/16: 577 tokens
 * model.sequenceLength; // 576
 */
export function vit(config: Partial<VitConfig> = {}): Model<VitConfig> {
  const c = resolveVitConfig(config);
  const g = new GraphBuilder();
  const p = seededParams(g, c.seed);
  const grid = c.image / c.patch;
  const patches = grid * grid;
  const pixels: ModelInput = {
    name: "pixel_values",
    shape: [c.batch, c.channels, c.image, c.image],
    dtype: "f32",
    values: { kind: "normal", std: 1 },
  };
  const image = g.input(pixels.name, pixels.shape, pixels.dtype);
  const embedded = g.permute(
    g.reshape(conv(p, "patch_embed", image, c.dim, c.patch, { stride: c.patch, padding: 0 }), [
      c.batch,
      c.dim,
      patches,
    ]),
    [0, 2, 1],
  );
  let cls = p.normal("cls_token", [1, 1, c.dim], 0.02);
  // The IR has no expand: a batch of class tokens is the token plus a zero [batch, 1, dim].
  if (c.batch > 1)
    cls = g.add(cls, g.param("cls_expand", [c.batch, 1, c.dim], { kind: "constant", value: 0 }));
  let x = g.add(g.concat([cls, embedded], 1), p.normal("pos_embed", [1, patches + 1, c.dim], 0.02));
  for (let i = 0; i < c.depth; i++) {
    x = p.scope(`blocks${i}`, () => {
      const y = g.add(x, selfAttention(p, "attn", layerNorm(p, "norm1", x, 1e-6), c.heads));
      return g.add(y, mlp(p, "mlp", layerNorm(p, "norm2", y, 1e-6), c.mlpRatio * c.dim, "gelu"));
    });
  }
  const pooled = g.reshape(g.slice(layerNorm(p, "norm", x, 1e-6), 1, 0, 1), [c.batch, c.dim]);
  g.output(dense(p, "head", pooled, c.classes));
  return finishModel(c, g, [pixels], patches);
}

function resolveVitConfig(config: Partial<VitConfig>): VitConfig {
  const c: VitConfig = {
    image: config.image ?? 384,
    patch: config.patch ?? 16,
    channels: config.channels ?? 3,
    dim: config.dim ?? 1024,
    depth: config.depth ?? 24,
    heads: config.heads ?? 16,
    mlpRatio: config.mlpRatio ?? 4,
    classes: config.classes ?? 1000,
    batch: config.batch ?? 1,
    seed: config.seed ?? 0,
  };
  for (const field of [
    "image",
    "patch",
    "channels",
    "dim",
    "depth",
    "heads",
    "mlpRatio",
    "classes",
    "batch",
  ] as const) {
    checkInt("vit", field, c[field]);
  }
  checkInt("vit", "seed", c.seed, 0);
  checkDivides("vit", "image", c.image, "patch", c.patch);
  checkDivides("vit", "dim", c.dim, "heads", c.heads);
  return c;
}
