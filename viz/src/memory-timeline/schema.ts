import { MEMORY_TIMELINE_LIMITS as LIMITS, MIME_MEMORY_TIMELINE } from "./types.js";

const count = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const text = { type: "string", maxLength: LIMITS.text } as const;

/** The x axis a timeline starts on (v1 and v2). */
export const xAxisSchema = { enum: ["index", "time"], default: "index" } as const;

/** A predicted live-bytes curve of at most `maxItems` points (v1, and v2's runs). */
export const predictedSchema = (maxItems: number) =>
  ({
    type: "array",
    maxItems,
    items: {
      type: "object",
      required: ["x", "bytes"],
      additionalProperties: false,
      properties: { x: { type: "number" }, bytes: { type: "number", minimum: 0 } },
    },
  }) as const;

/**
 * JSON Schema (draft 2020-12) of `application/vnd.tessera.memory-timeline.v1+json`.
 *
 * It states the structure. The rules that relate events to each other (indexes strictly
 * increasing, times non-decreasing, each free matching an earlier alloc of the same size,
 * predicted x non-decreasing) are beyond JSON Schema; `validateMemoryTimeline` checks
 * both, and a test holds the two to agreement on structure.
 */
export const memoryTimelineSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://tessera.dev/schemas/memory-timeline.v1.json",
  title: MIME_MEMORY_TIMELINE,
  type: "object",
  required: ["version", "events"],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    title: text,
    xAxis: xAxisSchema,
    events: {
      type: "array",
      maxItems: LIMITS.events,
      items: {
        type: "object",
        required: ["index", "kind", "allocation", "bytes", "label", "op", "timeMs"],
        additionalProperties: false,
        properties: {
          index: count,
          kind: { enum: ["alloc", "free"] },
          allocation: count,
          bytes: count,
          label: text,
          op: text,
          timeMs: { type: "number", minimum: 0 },
        },
      },
    },
    predicted: predictedSchema(LIMITS.predictedPoints),
    budgetBytes: { type: "number", minimum: 0 },
  },
} as const;
