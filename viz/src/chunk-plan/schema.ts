import { packedArraySchema as packed } from "../common/packed-schema.js";
import { liveRefSchema } from "../widget/live-ref.js";
import { CHUNK_PLAN_LIMITS as LIMITS, MIME_CHUNK_PLAN } from "./types.js";

const count = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const bytes = { type: "number", minimum: 0 } as const;
const text = { type: "string", maxLength: LIMITS.text } as const;
const texts = { type: "array", maxItems: LIMITS.nodes, items: text } as const;
const pair = (item: object) =>
  ({
    type: "object",
    required: ["before", "after"],
    additionalProperties: false,
    properties: { before: item, after: item },
  }) as const;

/**
 * JSON Schema (draft 2020-12) of `application/vnd.tessera.chunk-plan.v1+json`.
 *
 * It states the structure. The rules between fields (one entry per node in every column,
 * node indexes in range, regions in order and disjoint, packed lengths) are beyond JSON
 * Schema; `validateChunkPlan` checks both.
 */
export const chunkPlanSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://tessera.dev/schemas/chunk-plan.v1.json",
  title: MIME_CHUNK_PLAN,
  type: "object",
  required: [
    "version",
    "budgetBytes",
    "peakBytes",
    "peakNode",
    "nodes",
    "edges",
    "regions",
    "pseudocode",
  ],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    title: text,
    budgetBytes: bytes,
    minimumBytes: bytes,
    peakBytes: pair(bytes),
    peakNode: pair(count),
    nodes: {
      type: "object",
      required: [
        "name",
        "op",
        "type",
        "reason",
        "outputBytes",
        "beforeBytes",
        "afterBytes",
        "region",
        "line",
      ],
      additionalProperties: false,
      properties: {
        name: texts,
        op: texts,
        type: texts,
        reason: texts,
        outputBytes: packed(["f32"]),
        beforeBytes: packed(["f32"]),
        afterBytes: packed(["f32"]),
        region: packed(["u16"]),
        line: packed(["u32"]),
      },
    },
    edges: packed(["u32"]),
    regions: {
      type: "array",
      maxItems: LIMITS.regions,
      items: {
        type: "object",
        required: [
          "loop",
          "start",
          "end",
          "dim",
          "length",
          "chunkSize",
          "iterations",
          "bodyNodes",
          "hoistedNodes",
          "peakBytes",
          "seconds",
        ],
        additionalProperties: false,
        properties: {
          loop: text,
          start: count,
          end: count,
          dim: count,
          length: count,
          chunkSize: { ...count, minimum: 1 },
          iterations: { ...count, minimum: 1 },
          bodyNodes: count,
          hoistedNodes: count,
          peakBytes: pair(bytes),
          seconds: pair(bytes),
        },
      },
    },
    pseudocode: { type: "string", maxLength: LIMITS.pseudocode },
    message: text,
    timelines: { $ref: "https://tessera.dev/schemas/memory-timeline.v2.json" },
    live: liveRefSchema(LIMITS.text),
  },
} as const;
