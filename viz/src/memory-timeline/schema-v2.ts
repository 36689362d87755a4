import { base64Schema as base64 } from "../common/packed-schema.js";
import { liveRefSchema } from "../widget/live-ref.js";
import { predictedSchema, xAxisSchema } from "./schema.js";
import { MEMORY_TIMELINE_V2_LIMITS as LIMITS, MIME_MEMORY_TIMELINE_V2 } from "./types-v2.js";

const text = { type: "string", maxLength: LIMITS.text } as const;

/**
 * JSON Schema (draft 2020-12) of `application/vnd.tessera.memory-timeline.v2+json`.
 *
 * It states the structure. What is inside the base64 columns (each decodes to `count`
 * values; kinds, sizes, string indexes, the order of indexes and times, each free matching
 * an earlier alloc) is beyond JSON Schema; `validateMemoryTimelineV2` checks both, and a
 * test holds the two to agreement on structure.
 */
export const memoryTimelineV2Schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://tessera.dev/schemas/memory-timeline.v2.json",
  title: MIME_MEMORY_TIMELINE_V2,
  type: "object",
  required: ["version", "runs"],
  additionalProperties: false,
  properties: {
    version: { const: 2 },
    title: text,
    xAxis: xAxisSchema,
    align: { enum: ["node", "none"] },
    budgetBytes: { type: "number", minimum: 0 },
    live: liveRefSchema(LIMITS.text),
    runs: {
      type: "array",
      minItems: 1,
      maxItems: LIMITS.runs,
      items: {
        type: "object",
        required: ["name", "events"],
        additionalProperties: false,
        properties: {
          name: text,
          predicted: predictedSchema(LIMITS.predictedPoints),
          events: {
            type: "object",
            required: ["count", "kind", "allocation", "bytes", "timeMs", "label", "op", "strings"],
            additionalProperties: false,
            properties: {
              count: { type: "integer", minimum: 0, maximum: LIMITS.events },
              kind: base64,
              allocation: base64,
              bytes: base64,
              timeMs: base64,
              index: base64,
              label: base64,
              op: base64,
              node: base64,
              detail: base64,
              strings: {
                type: "array",
                maxItems: LIMITS.strings,
                items: { type: "string", maxLength: LIMITS.detail },
              },
            },
          },
        },
      },
    },
  },
} as const;
