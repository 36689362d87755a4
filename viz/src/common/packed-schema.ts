import type { PackedDType } from "./packed.js";

/** JSON Schema of standard base64 text (padding optional), as packed columns carry. */
export const base64Schema = { type: "string", pattern: "^[A-Za-z0-9+/]*={0,2}$" } as const;

/**
 * JSON Schema of a packed typed array (`PackedArray`, packed.ts) of one of `dtypes`. That its
 * base64 holds `length` elements is beyond JSON Schema: `Problems.packedArray` checks it.
 */
export const packedArraySchema = (dtypes: readonly PackedDType[]) =>
  ({
    type: "object",
    required: ["dtype", "length", "base64"],
    additionalProperties: false,
    properties: {
      dtype: { enum: dtypes },
      length: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      base64: base64Schema,
    },
  }) as const;
