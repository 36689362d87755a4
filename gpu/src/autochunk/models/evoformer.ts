import { GraphBuilder } from "../ir/builder.js";
import type { Node } from "../ir/graph.js";
import { dense, layerNorm, mlp } from "./layers.js";
import type { Model, ModelInput } from "./model.js";
import { checkInt, finishModel } from "./model.js";
import type { SeededParams } from "./params.js";
import { seededParams } from "./params.js";

/**
 * Configuration of `evoformerBlock`; defaults are AlphaFold 2's widths (Jumper et al. 2021,
 * supplement §1.6) at the sizes of AutoChunk's Evoformer test (MSA 32 × 64 residues).
 */
export interface EvoformerConfig {
  /** MSA rows s; default 32. */
  readonly nSeq: number;
  /** Residues r: the sequence length; default 64. */
  readonly nRes: number;
  /** MSA channels c_m; default 256. */
  readonly cM: number;
  /** Pair channels c_z; default 128. */
  readonly cZ: number;
  /** Heads of the MSA row and column attention; default 8. */
  readonly msaHeads: number;
  /** Heads of the triangle attention; default 4. */
  readonly pairHeads: number;
  /** Channels per attention head; default 32. */
  readonly headDim: number;
  /** Channels c of the outer product mean; default 32. */
  readonly opmDim: number;
  /** Hidden channels of the triangle multiplications; default 128. */
  readonly triMulDim: number;
  /** Transition widening n; default 4. */
  readonly transition: number;
  /** Seeds the weights and the inputs; default 0. */
  readonly seed: number;
}

/**
 * One AlphaFold 2 Evoformer block (supplement Algorithm 6, dropout off): MSA row-wise gated
 * self-attention with pair bias, MSA column-wise gated self-attention, MSA transition, outer
 * product mean, triangle multiplicative updates (outgoing, incoming), triangle self-attention
 * around the starting and the ending node, pair transition, each added to its stream. Inputs
 * `msa` f32[nSeq, nRes, cM] and `pair` f32[nRes, nRes, cZ] (no batch dim); outputs the
 * updated msa and pair. The triangle attention scores [nRes, pairHeads, nRes, nRes] grow as
 * nRes³.
 *
 * @example
 * const { graph, makeInputs } = evoformerBlock({ nRes: 256 });
 * const { outputs: [msa, pair] } = await execute(graph, makeInputs());
 */
export function evoformerBlock(config: Partial<EvoformerConfig> = {}): Model<EvoformerConfig> {
  const c = resolveEvoformerConfig(config);
  const g = new GraphBuilder();
  const p = seededParams(g, c.seed);
  const msaInput: ModelInput = {
    name: "msa",
    shape: [c.nSeq, c.nRes, c.cM],
    dtype: "f32",
    values: { kind: "normal", std: 1 },
  };
  const pairInput: ModelInput = {
    name: "pair",
    shape: [c.nRes, c.nRes, c.cZ],
    dtype: "f32",
    values: { kind: "normal", std: 1 },
  };
  let m = g.input(msaInput.name, msaInput.shape, msaInput.dtype);
  let z = g.input(pairInput.name, pairInput.shape, pairInput.dtype);
  m = g.add(
    m,
    p.scope("msa_att_row", () => msaRowAttention(p, c, m, z)),
  );
  m = g.add(
    m,
    p.scope("msa_att_col", () => msaColumnAttention(p, c, m)),
  );
  m = g.add(m, transition(p, "msa_transition", m, c.transition));
  z = g.add(
    z,
    p.scope("outer_product_mean", () => outerProductMean(p, c, m)),
  );
  z = g.add(
    z,
    p.scope("tri_mul_out", () => triangleMultiplication(p, c, z, "outgoing")),
  );
  z = g.add(
    z,
    p.scope("tri_mul_in", () => triangleMultiplication(p, c, z, "incoming")),
  );
  z = g.add(
    z,
    p.scope("tri_att_start", () => triangleAttention(p, c, z, "starting")),
  );
  z = g.add(
    z,
    p.scope("tri_att_end", () => triangleAttention(p, c, z, "ending")),
  );
  z = g.add(z, transition(p, "pair_transition", z, c.transition));
  g.output(m, z);
  return finishModel(c, g, [msaInput, pairInput], c.nRes);
}

/** Queries (scaled by 1/√c), keys, values [..., heads, c] and the sigmoid gate of x. */
function gatedQkv(
  p: SeededParams,
  x: Node,
  heads: number,
  headDim: number,
): { q: Node; k: Node; v: Node; gate: Node } {
  const { g } = p;
  const split = (name: string) =>
    g.reshape(dense(p, name, x, heads * headDim, { bias: false }), [
      ...x.shape.slice(0, -1),
      heads,
      headDim,
    ]);
  return {
    q: g.scale(split("q"), 1 / Math.sqrt(headDim)),
    k: split("k"),
    v: split("v"),
    gate: g.sigmoid(dense(p, "gate", x, heads * headDim)),
  };
}

/** Gate ⊙ the heads' outputs o[..., heads, c] merged, then the output dense back to `width`. */
function gatedOutput(p: SeededParams, o: Node, gate: Node, width: number): Node {
  return dense(p, "output", p.g.mul(p.g.reshape(o, gate.shape), gate), width);
}

/** Algorithm 7: a_sij = softmax_j(q_si·k_sj/√c + b_ij), o_si = g_si ⊙ Σ_j a_sij v_sj. */
function msaRowAttention(p: SeededParams, c: EvoformerConfig, m: Node, z: Node): Node {
  const { g } = p;
  const x = layerNorm(p, "layer_norm_m", m);
  const bias = g.permute(
    dense(p, "linear_z", layerNorm(p, "layer_norm_z", z), c.msaHeads, { bias: false }),
    [2, 0, 1],
  );
  const { q, k, v, gate } = gatedQkv(p, x, c.msaHeads, c.headDim);
  const a = g.softmax(g.add(g.einsum("sihc,sjhc->shij", q, k), bias), -1);
  return gatedOutput(p, g.einsum("shij,sjhc->sihc", a, v), gate, c.cM);
}

/** Algorithm 8: a_sti = softmax_t(q_si·k_ti/√c), o_si = g_si ⊙ Σ_t a_sti v_ti. */
function msaColumnAttention(p: SeededParams, c: EvoformerConfig, m: Node): Node {
  const { g } = p;
  const { q, k, v, gate } = gatedQkv(p, layerNorm(p, "layer_norm_m", m), c.msaHeads, c.headDim);
  const a = g.softmax(g.einsum("sihc,tihc->ihst", q, k), -1);
  return gatedOutput(p, g.einsum("ihst,tihc->sihc", a, v), gate, c.cM);
}

/** Algorithms 9 and 15: layer norm, dense to n·width, ReLU, dense back. */
function transition(p: SeededParams, name: string, x: Node, n: number): Node {
  return p.scope(name, () =>
    mlp(p, "mlp", layerNorm(p, "layer_norm", x), n * x.shape[x.shape.length - 1]!, "relu"),
  );
}

/** Algorithm 10: z_ij += dense(flatten(mean_s a_si ⊗ b_sj)). */
function outerProductMean(p: SeededParams, c: EvoformerConfig, m: Node): Node {
  const { g } = p;
  const x = layerNorm(p, "layer_norm", m);
  const outer = g.einsum(
    "sic,sjd->ijcd",
    dense(p, "linear_a", x, c.opmDim),
    dense(p, "linear_b", x, c.opmDim),
  );
  const mean = g.reshape(g.scale(outer, 1 / c.nSeq), [c.nRes, c.nRes, c.opmDim * c.opmDim]);
  return dense(p, "output", mean, c.cZ);
}

/**
 * Per direction, the triangle product as one batched matmul per channel: the operand a loop along
 * z's rows (outgoing: i) or columns (incoming: j) slices is the left one, the other the right one
 * (each put channels first), and the permute that puts the [c, ·, ·] result back as [i, j, c].
 */
const TRIANGLE_PRODUCT = {
  // p_ij = Σ_k a_ik b_jk: [c, i, k] · [c, k, j] = [c, i, j].
  outgoing: { sliced: "a", slicedPerm: [2, 0, 1], wholePerm: [2, 1, 0], outPerm: [1, 2, 0] },
  // p_ij = Σ_k a_ki b_kj: [c, j, k] (b) · [c, k, i] (a) = [c, j, i].
  incoming: { sliced: "b", slicedPerm: [2, 1, 0], wholePerm: [2, 0, 1], outPerm: [2, 1, 0] },
} as const;

/**
 * Algorithms 11 and 12: with a = σ(dense)·dense and b likewise, outgoing sums a_ik ⊙ b_jk and
 * incoming a_ki ⊙ b_kj; the result is normalised, projected and gated.
 */
function triangleMultiplication(
  p: SeededParams,
  c: EvoformerConfig,
  z: Node,
  direction: "outgoing" | "incoming",
): Node {
  const { g } = p;
  const x = layerNorm(p, "layer_norm_in", z);
  const gatedProjection = (name: string) =>
    g.mul(
      g.sigmoid(dense(p, `${name}_gate`, x, c.triMulDim)),
      dense(p, `${name}_proj`, x, c.triMulDim),
    );
  // As OpenFold's TriangleMultiplicativeUpdate computes it: channels first, one batched matmul
  // per channel, channels last again (TRIANGLE_PRODUCT). The operand read whole is made first and
  // each operand is permuted as soon as it is made, so that a chunk loop can make the permuted
  // copy of the whole one directly, and a loop along the product's rows can make the other
  // operand, the gate and the update from slices of z. The values are the same in any order.
  const { sliced, slicedPerm, wholePerm, outPerm } = TRIANGLE_PRODUCT[direction];
  const whole = g.permute(gatedProjection(sliced === "a" ? "b" : "a"), wholePerm);
  const rows = g.permute(gatedProjection(sliced), slicedPerm);
  const gate = g.sigmoid(dense(p, "gate", x, c.cZ));
  const product = g.permute(g.matmul(rows, whole), outPerm);
  const update = dense(p, "output", layerNorm(p, "layer_norm_out", product), c.cZ);
  return g.mul(gate, update);
}

/**
 * Algorithms 13 and 14. Starting node: a_ijk = softmax_k(q_ij·k_ik/√c + b_jk),
 * o_ij = g_ij ⊙ Σ_k a_ijk v_ik. Ending node: a_ijk = softmax_k(q_ij·k_kj/√c + b_ki),
 * o_ij = g_ij ⊙ Σ_k a_ijk v_kj.
 */
function triangleAttention(
  p: SeededParams,
  c: EvoformerConfig,
  z: Node,
  node: "starting" | "ending",
): Node {
  const { g } = p;
  const x = layerNorm(p, "layer_norm", z);
  const { q, k, v, gate } = gatedQkv(p, x, c.pairHeads, c.headDim);
  const b = dense(p, "linear_bias", x, c.pairHeads, { bias: false });
  // Scores are laid out [row, head, i, k] with the softmax over the last dim.
  const [scores, bias, mix] =
    node === "starting"
      ? [g.einsum("ijhc,ikhc->ihjk", q, k), g.permute(b, [2, 0, 1]), "ihjk,ikhc->ijhc"]
      : [g.einsum("ijhc,kjhc->jhik", q, k), g.permute(b, [2, 1, 0]), "jhik,kjhc->ijhc"];
  const a = g.softmax(g.add(scores, bias), -1);
  return gatedOutput(p, g.einsum(mix, a, v), gate, c.cZ);
}

function resolveEvoformerConfig(config: Partial<EvoformerConfig>): EvoformerConfig {
  const c: EvoformerConfig = {
    nSeq: config.nSeq ?? 32,
    nRes: config.nRes ?? 64,
    cM: config.cM ?? 256,
    cZ: config.cZ ?? 128,
    msaHeads: config.msaHeads ?? 8,
    pairHeads: config.pairHeads ?? 4,
    headDim: config.headDim ?? 32,
    opmDim: config.opmDim ?? 32,
    triMulDim: config.triMulDim ?? 128,
    transition: config.transition ?? 4,
    seed: config.seed ?? 0,
  };
  for (const [field, value] of Object.entries(c)) {
    checkInt("evoformerBlock", field, value, field === "seed" ? 0 : 1);
  }
  return c;
}
