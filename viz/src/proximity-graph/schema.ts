import { packedArraySchema as packed } from "../common/packed-schema.js";
import { liveRefSchema } from "../widget/live-ref.js";
import { MIME_PROXIMITY_GRAPH, PROXIMITY_GRAPH_LIMITS as LIMITS } from "./types.js";

const count = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const text = { type: "string", maxLength: LIMITS.text } as const;
const u32 = packed(["u32"]);

/**
 * JSON Schema (draft 2020-12) of `application/vnd.tessera.proximity-graph.v1+json`.
 *
 * It states the structure. Sizes that relate fields (per-node arrays of `nodes` elements,
 * edges of `nodes · degree`, a trace's graph index) are beyond JSON Schema;
 * `validateProximityGraph` checks both, and a test holds the two to agreement.
 */
export const proximityGraphSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://tessera.dev/schemas/proximity-graph.v1.json",
  title: MIME_PROXIMITY_GRAPH,
  type: "object",
  required: ["version", "nodes", "layout", "positions", "graphs"],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    title: text,
    nodes: { type: "integer", minimum: 0, maximum: LIMITS.nodes },
    layout: text,
    positions: packed(["f32"]),
    graphs: {
      type: "array",
      minItems: 1,
      maxItems: LIMITS.graphs,
      items: {
        type: "object",
        required: [
          "name",
          "degree",
          "outDegree",
          "inDegree",
          "component",
          "componentCount",
          "componentSizes",
        ],
        additionalProperties: false,
        properties: {
          name: text,
          degree: { type: "integer", minimum: 0, maximum: LIMITS.degree },
          outDegree: u32,
          inDegree: u32,
          component: u32,
          componentCount: count,
          componentSizes: u32,
          twoHopMean: { type: "number", minimum: 0 },
          edges: u32,
        },
      },
    },
    labels: { type: "array", maxItems: LIMITS.labels, items: text },
    classes: {
      type: "object",
      required: ["names", "of"],
      additionalProperties: false,
      properties: {
        names: { type: "array", minItems: 1, maxItems: LIMITS.classes, items: text },
        of: packed(["u8", "u16"]),
      },
    },
    traces: {
      type: "array",
      maxItems: LIMITS.traces,
      items: {
        type: "object",
        required: ["label", "graph", "position", "seeds", "steps", "results", "hits"],
        additionalProperties: false,
        properties: {
          label: text,
          graph: count,
          position: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 },
          seeds: u32,
          steps: {
            type: "array",
            maxItems: LIMITS.steps,
            items: {
              type: "object",
              required: ["top", "parents", "candidates"],
              additionalProperties: false,
              properties: { top: u32, parents: u32, candidates: u32 },
            },
          },
          results: u32,
          hits: packed(["u8"]),
        },
      },
    },
    live: liveRefSchema(LIMITS.text),
  },
} as const;
