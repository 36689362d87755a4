import { GraphBuilder } from "../ir/builder.js";
import { layerNorm, mlp, selfAttention } from "./layers.js";
import type { Model, ModelInput } from "./model.js";
import { checkDivides, checkInt, finishModel } from "./model.js";
import { seededParams } from "./params.js";

/** Configuration of `gptPrefill`; defaults are GPT-2 small's widths with AutoChunk's 2 layers. */
export interface GptConfig {
  /** Tokens in the prompt: the sequence length. */
  readonly seq: number;
  /** Default 768. */
  readonly nEmbd: number;
  /** Default 12. */
  readonly nHead: number;
  /** Default 2 (AutoChunk's GPT benchmark). */
  readonly nLayer: number;
  /** Token vocabulary; default 50257 (GPT-2). */
  readonly vocab: number;
  /** Rows of the position table; default max(1024, seq), so long prompts fit. */
  readonly nPositions: number;
  /** Default 1. */
  readonly batch: number;
  /** Seeds the weights and the inputs; default 0. */
  readonly seed: number;
}

/**
 * A GPT-2 style prefill (HF `GPT2Model`, no LM head): token and position embeddings, `nLayer`
 * pre-LN blocks of causal self-attention and a GELU MLP, and the final layer norm. Input
 * `input_ids` i32[batch, seq]; output hidden states f32[batch, seq, nEmbd]. The embedding
 * tables are parameters, so activation memory is dominated by the attention scores
 * [batch, nHead, seq, seq]; each block computes its causal mask [seq, seq] beside them
 * (`causalMask`). GELU is the exact (erf) form; GPT-2 uses the tanh approximation.
 *
 * @example
 * const { graph, makeInputs } = gptPrefill({ seq: 1024 });
 * const { outputs } = await execute(graph, makeInputs());
 */
export function gptPrefill(
  config: Partial<GptConfig> & { readonly seq: number },
): Model<GptConfig> {
  const c = resolveGptConfig(config);
  const g = new GraphBuilder();
  const p = seededParams(g, c.seed);
  const ids: ModelInput = {
    name: "input_ids",
    shape: [c.batch, c.seq],
    dtype: "i32",
    values: { kind: "uniform", low: 0, high: c.vocab },
  };
  const tokens = g.input(ids.name, ids.shape, ids.dtype);
  const positions = g.param("position_ids", [1, c.seq], { kind: "arange" }, "i32");
  let h = g.add(
    g.embedding(p.normal("wte", [c.vocab, c.nEmbd], 0.02), tokens),
    g.embedding(p.normal("wpe", [c.nPositions, c.nEmbd], 0.01), positions),
  );
  for (let i = 0; i < c.nLayer; i++) {
    h = p.scope(`h${i}`, () => {
      const x = g.add(h, selfAttention(p, "attn", layerNorm(p, "ln_1", h), c.nHead, "causal"));
      return g.add(x, mlp(p, "mlp", layerNorm(p, "ln_2", x), 4 * c.nEmbd, "gelu"));
    });
  }
  g.output(layerNorm(p, "ln_f", h));
  return finishModel(c, g, [ids], c.seq);
}

function resolveGptConfig(config: Partial<GptConfig> & { readonly seq: number }): GptConfig {
  const seq = config.seq;
  const c: GptConfig = {
    seq,
    nEmbd: config.nEmbd ?? 768,
    nHead: config.nHead ?? 12,
    nLayer: config.nLayer ?? 2,
    vocab: config.vocab ?? 50257,
    nPositions: config.nPositions ?? Math.max(1024, seq),
    batch: config.batch ?? 1,
    seed: config.seed ?? 0,
  };
  for (const field of ["seq", "nEmbd", "nHead", "nLayer", "vocab", "batch"] as const) {
    checkInt("gptPrefill", field, c[field]);
  }
  checkInt("gptPrefill", "seed", c.seed, 0);
  checkInt("gptPrefill", "nPositions", c.nPositions, seq);
  checkDivides("gptPrefill", "nEmbd", c.nEmbd, "nHead", c.nHead);
  return c;
}
