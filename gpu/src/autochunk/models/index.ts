// AutoChunk's four evaluation models as IR graphs with seeded weights (see README.md here).
// This file only re-exports.
export type { InputValues, Model, ModelInput } from "./model.js";
export { seededInputs } from "./model.js";
export type { SeededParams } from "./params.js";
export { seededParams } from "./params.js";
export type { ConvOptions, DenseOptions } from "./layers.js";
export { conv, dense, groupNorm, layerNorm, mlp, selfAttention } from "./layers.js";
export type { GptConfig } from "./gpt.js";
export { gptPrefill } from "./gpt.js";
export type { VitConfig } from "./vit.js";
export { vit } from "./vit.js";
export type { EvoformerConfig } from "./evoformer.js";
export { evoformerBlock } from "./evoformer.js";
export type { UnetConfig } from "./unet.js";
export { unet } from "./unet.js";
