/*
 * The models `npm run bench:autochunk` measures, at its widths and sizes, shared with
 * verify-max-seq.ts: how each is built at a size, the sizes benchmarked, the step of its
 * max-sequence-length search, and how it differs from the paper's setup.
 */
import type { Model } from "../../gpu/src/autochunk/models/index.ts";
import { evoformerBlock, gptPrefill, unet, vit } from "../../gpu/src/autochunk/models/index.ts";
import { TINY_MODELS } from "../../gpu/test/fixtures/autochunk-small-models.ts";

export const MODEL_NAMES = ["gpt", "vit", "evoformer", "unet"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * The fixed activation budget of the max-sequence-length search (16 MiB with `quick`): the paper
 * fixes the device's memory and grows the input.
 */
export const maxSeqBudgetBytes = (quick: boolean): number => (quick ? 16 : 1024) * 2 ** 20;

/** One benchmarked model: how to build it at a size, and the sizes and steps used. */
export interface ModelSpec {
  name: ModelName;
  /** What `build`'s argument is. */
  size: string;
  sizes: readonly number[];
  /** Granularity of the max-sequence-length search, in `size` units. */
  step: number;
  /** The configuration beyond the size, as passed to the builder. */
  config: Readonly<Record<string, unknown>>;
  /** How it differs from the paper's setup, and why. */
  note: string;
  build(size: number): Model<unknown>;
}

/**
 * The benchmarked models at the benchmark's widths (or tiny ones with `quick`).
 *
 * @example
 * modelSpecs(false).gpt.build(1024).graph; // one GPT-2 block over 1,024 tokens
 */
export function modelSpecs(quick: boolean): Record<ModelName, ModelSpec> {
  const spec = <C extends Record<string, unknown>>(
    s: Omit<ModelSpec, "config" | "build">,
    config: C,
    build: (size: number, config: C) => Model<unknown>,
  ): ModelSpec => ({ ...s, config, build: (size) => build(size, config) });
  if (quick) {
    const note = "tiny widths (--quick smoke run)";
    return {
      gpt: spec(
        { name: "gpt", size: "seq (tokens)", sizes: [128, 256], step: 16, note },
        TINY_MODELS.gpt,
        (seq, c) => gptPrefill({ ...c, seq }),
      ),
      vit: spec(
        { name: "vit", size: "image side (px)", sizes: [32, 64], step: 4, note },
        TINY_MODELS.vit,
        (image, c) => vit({ ...c, image }),
      ),
      evoformer: spec(
        { name: "evoformer", size: "nRes (residues)", sizes: [32, 48], step: 8, note },
        TINY_MODELS.evoformer,
        (nRes, c) => evoformerBlock({ ...c, nRes }),
      ),
      unet: spec(
        { name: "unet", size: "image side (px)", sizes: [24, 32], step: 8, note },
        TINY_MODELS.unet,
        (image, c) => unet({ ...c, image }),
      ),
    };
  }
  return {
    gpt: spec(
      {
        name: "gpt",
        size: "seq (tokens)",
        sizes: [1024, 2048],
        step: 16,
        note:
          "one GPT-2 block (n_embd 768, 12 heads), the block issue 12 times against PyTorch; " +
          "vocab 1000 instead of 50257 (the embedding table is a parameter, not an activation)",
      },
      { nEmbd: 768, nHead: 12, nLayer: 1, vocab: 1000 },
      (seq, c) => gptPrefill({ ...c, seq }),
    ),
    vit: spec(
      {
        name: "vit",
        size: "image side (px)",
        sizes: [224, 384],
        step: 16,
        note:
          "ViT-L/16 widths (dim 1024, 16 heads) with 1 of its 24 blocks, for time: the " +
          "blocks are identical, so the activation peak is the same",
      },
      { depth: 1 },
      (image, c) => vit({ ...c, image }),
    ),
    evoformer: spec(
      {
        name: "evoformer",
        size: "nRes (residues)",
        sizes: [128, 256],
        step: 8,
        note: "AlphaFold 2 widths, MSA depth 32 as in AutoChunk's Evoformer test; r = 256 gives 32 MiB pair tensors",
      },
      { nSeq: 32 },
      (nRes, c) => evoformerBlock({ ...c, nRes }),
    ),
    unet: spec(
      {
        name: "unet",
        size: "image side (px)",
        sizes: [32, 64],
        step: 8,
        note:
          "diffusers UNet2DModel layout with channels [32, 64, 96, 128] instead of " +
          "[224, 448, 672, 896] (the full widths take minutes per pass on this CPU)",
      },
      { blockChannels: [32, 64, 96, 128] },
      (image, c) => unet({ ...c, image }),
    ),
  };
}
